/**
 * Every Enable collection, Include Related and the assumed scopes (issue 11), against the simulator.
 */
import type { IDataObject } from 'n8n-workflow';

import { nodeProperties } from '../nodes/Enable/actions/router';
import { listSearch } from '../nodes/Enable/methods/listSearch';
import { EnableTrigger } from '../nodes/Enable/EnableTrigger.node';
import { COLLECTIONS, collectionProvenBy, ENABLE_SCOPES, findCollection, searchMethodName } from '../nodes/Enable/resources';
import { EnableApi } from '../credentials/EnableApi.credentials';
import { COLLECTION_ATTRIBUTES, COLLECTION_NAMES, type CollectionName, SIM_COLLECTIONS } from '../sandbox/data';
import { DEMO_CLIENT, type EnableSimulator, type SimulatorOptions, startSimulator } from '../sandbox/simulator';
import { credentialFor, inNodeContext, runEnableNode, TestCredentialsHelper, TriggerRunner } from './harness/n8n';

let simulator: EnableSimulator;
let helper: TestCredentialsHelper;

async function start(options: SimulatorOptions = {}, scopes = DEMO_CLIENT.scopes) {
	simulator = await startSimulator({ counts: { deals: 40, users: 8 }, ...options, clients: [{ ...DEMO_CLIENT, scopes }] });
	helper = new TestCredentialsHelper(credentialFor(simulator.baseUrl, DEMO_CLIENT, { scopes }));
}

afterEach(async () => {
	await simulator?.close();
});

const run = async (parameters: IDataObject) => await runEnableNode({ helper, parameters });
const apiPaths = () => simulator.requestLog.filter((entry) => entry.path.startsWith('/v1/')).map((entry) => `${entry.path}?${new URLSearchParams(entry.query).toString()}`);

describe("the node's table and the simulator's describe the same Enable", () => {
	test('the thirteen collections of the Data structure guide, each once', () => {
		expect(COLLECTIONS.map((collection) => collection.path).sort()).toEqual([...COLLECTION_NAMES].sort());
		expect(new Set(COLLECTIONS.map((collection) => collection.value)).size).toBe(13);
	});

	test.each(COLLECTIONS.map((collection) => [collection.path, collection] as const))('%s: type, scope, relationships and attributes agree', (_path, collection) => {
		const simulated = SIM_COLLECTIONS[collection.path as CollectionName];
		expect(collection.type).toBe(simulated.type);
		expect(collection.scope).toBe(simulated.scope);
		const targets = Object.fromEntries(Object.entries(collection.relationships).map(([name, value]) => [name, findCollection(value)?.path]));
		expect(targets).toEqual(simulated.relationships);
		expect([...collection.knownAttributes].sort()).toEqual([...COLLECTION_ATTRIBUTES[collection.path as CollectionName]].sort());
	});

	test('only deals, activity and users have a published scope', () => {
		expect(COLLECTIONS.filter((collection) => collection.scopePublished).map((collection) => collection.path).sort()).toEqual(['activity', 'deals', 'users']);
		expect(COLLECTIONS.filter((collection) => !collection.scopePublished).every((collection) => collection.scope === 'read:deals')).toBe(true);
	});
});

describe('labels', () => {
	const actions = nodeProperties
		.filter((property) => property.name === 'operation')
		.flatMap((property) => (property.options as Array<{ action?: string }>).map((option) => option.action));

	test('are correct English from the table, never a bare appended "s"', () => {
		for (const expected of [
			'Get an item',
			'Get many items',
			'Get a trading partner',
			'Get many trading partners',
			'Get an earning',
			'Get many granular earnings',
			'Get a turnover record',
			'Get many turnover records',
			'Get an activity entry',
			'Get many activity entries',
			'Get an attachment',
			'Get a collection item',
			'Get a user',
			'Run the deal earnings report',
		]) {
			expect(actions).toContain(expected);
		}
		expect(actions.filter((action) => /(activitys|turnovers|ss)\b|\ban u/.test(action ?? ''))).toEqual([]);
	});

	test("every Get's id parameter is <resource>Id", () => {
		// Version 1 (a typed id) and version 2 (a resource locator) share each name.
		const idNames = [...new Set(nodeProperties.filter((property) => property.displayOptions?.show?.operation?.includes('get') && property.required).map((property) => property.name))];
		expect(idNames.sort()).toEqual(COLLECTIONS.map((collection) => `${collection.value}Id`).sort());
		expect(idNames).toEqual(expect.arrayContaining(['dealId', 'activityId', 'userId', 'tradingPartnerId', 'schemeId', 'granularEarningId']));
	});
});

describe('scopes', () => {
	test("the credential's options are the three published scopes, and its test reads the collection each one documents", () => {
		const credential = new EnableApi();
		const scopes = credential.properties.find((property) => property.name === 'scopes');
		expect(scopes?.options?.map((option) => (option as { value: string }).value)).toEqual([...ENABLE_SCOPES]);
		// The defect this replaced: with several collections per scope, the last one of the table won.
		expect(ENABLE_SCOPES.map((scope) => collectionProvenBy(scope).path)).toEqual(['deals', 'activity', 'users']);
		const url = String(credential.test.request.url);
		expect(url).toContain('"read:deals":"/v1/deals"');
		expect(url).not.toContain('granular-earnings');
	});

	test('a refusal on a collection whose scope is assumed says so, and names no scope with confidence', async () => {
		await start({}, ['read:activity']);
		const result = await run({ resource: 'tradingPartner', operation: 'getAll', limit: 5 });
		expect(result.error?.message).toBe('Enable refused the token for trading partners (HTTP 403)');
		expect(result.error?.description).toContain('Enable has not published which scope grants access to trading partners');
		expect(result.error?.description).toContain('Ask Enable');
		expect(result.error?.message).not.toContain('lacks');
	});

	test('a refusal on a published scope still names it', async () => {
		await start({}, ['read:deals']);
		const result = await run({ resource: 'user', operation: 'getAll', limit: 5 });
		expect(result.error?.message).toBe('The Enable credential lacks the read:users scope');
	});
});

describe('Include Related', () => {
	test('Simplify on: each included record replaces its id inside relationships; a missing one stays an id', async () => {
		await start();
		// One deal without an owner record: Enable includes nothing for it, so the id must stay.
		const orphan = simulator.store.add('deals', { reference: 'ORPHAN' }, {
			tradingPartner: { data: { type: 'trading-partners', id: 'TP02' } },
			owner: { data: { type: 'users', id: 'Gone' } },
		});
		const result = await run({ resource: 'deal', operation: 'getAll', returnAll: true, options: { include: ['tradingPartner', 'owner'], pageSize: 7 } });
		expect(result.error).toBeUndefined();
		expect(apiPaths()[0]).toContain('include=tradingPartner%2Cowner');
		const deals = simulator.store.list('deals');
		expect(result.items).toHaveLength(deals.length);
		for (const [index, item] of result.items.entries()) {
			const record = deals[index];
			const partnerId = (record.relationships?.tradingPartner.data as { id: string }).id;
			const partner = simulator.store.get('trading-partners', partnerId);
			const relationships = item.json.relationships as IDataObject;
			expect(relationships.tradingPartner).toEqual({ id: partnerId, ...partner?.attributes });
			if (record === orphan) expect(relationships.owner).toBe('Gone');
			// Not asked for: still an id.
			if (record !== orphan) expect(typeof relationships.scheme).toBe('string');
		}
		expect((result.items[0].json.relationships as IDataObject).tradingPartner).toEqual(expect.objectContaining({ name: expect.any(String) }));
	});

	test('Simplify off: each raw record carries the included records it refers to, once', async () => {
		await start();
		const result = await run({ resource: 'deal', operation: 'getAll', limit: 10, simplify: false, options: { include: 'tradingPartner, owner' } });
		for (const item of result.items) {
			const included = item.json.included as Array<{ type: string; id: string }>;
			const relationships = item.json.relationships as Record<string, { data: { type: string; id: string } | null }>;
			const expected = [relationships.tradingPartner.data, relationships.owner.data].filter(Boolean).map((linkage) => `${linkage?.type}/${linkage?.id}`);
			expect(included.map((record) => `${record.type}/${record.id}`).sort()).toEqual(expected.sort());
		}
	});

	test('included records are deduplicated across pages and found on every page', async () => {
		await start();
		const result = await run({ resource: 'earning', operation: 'getAll', returnAll: true, options: { include: ['deal.tradingPartner', 'deal'], pageSize: 9 } });
		expect(result.error).toBeUndefined();
		const earnings = simulator.store.list('earnings');
		expect(result.items).toHaveLength(earnings.length);
		for (const item of result.items) {
			const deal = (item.json.relationships as IDataObject).deal as IDataObject;
			expect(typeof deal.id).toBe('string');
			expect(deal.reference).toBeDefined();
		}
		// Several pages include the same deal: a raw record still lists each included record once.
		const raw = await run({ resource: 'earning', operation: 'getAll', returnAll: true, simplify: false, options: { include: ['deal', 'tradingPartner'], pageSize: 9 } });
		for (const item of raw.items) {
			const keys = (item.json.included as Array<{ type: string; id: string }>).map((record) => `${record.type}/${record.id}`);
			expect(new Set(keys).size).toBe(keys.length);
		}
	});

	test('Get includes too', async () => {
		await start();
		const scheme = simulator.store.list('schemes')[2];
		const result = await run({ resource: 'scheme', operation: 'get', schemeId: scheme.id, options: { include: ['tradingPartner'] } });
		expect(result.items[0].json).toEqual(
			expect.objectContaining({ id: scheme.id, relationships: { tradingPartner: expect.objectContaining({ id: 'TP03', name: 'Globex' }) } }),
		);
	});

	test('a refused include names the relationship and the collection', async () => {
		await start();
		const result = await run({ resource: 'deal', operation: 'getAll', limit: 3, options: { include: ['tradingPartner', 'lines'] } });
		expect(result.error?.message).toBe('Enable refused to include lines with deals');
		expect(result.error?.description).toContain('"lines" is not a relationship of deals');
		await simulator.close();
		await start({ includeSupported: false });
		const refused = await run({ resource: 'item', operation: 'getAll', limit: 3, options: { include: 'collection' } });
		expect(refused.error?.message).toBe('Enable refused to include collection with items');
	});

	test('a malformed relationship name is refused before any request', async () => {
		await start();
		const result = await run({ resource: 'deal', operation: 'getAll', options: { include: 'owner,trading partner' } });
		expect(result.error?.message).toContain('Include Related "trading partner" is not a relationship name');
		expect(apiPaths()).toEqual([]);
	});

	test('the Enable Trigger names the trading partner of a new deal', async () => {
		await start();
		const runner = new TriggerRunner(helper, { event: 'newDeal', options: { include: ['tradingPartner'] } });
		expect(await runner.activate()).toBeNull();
		const deal = simulator.store.add('deals', { reference: 'NEW-1' });
		const emitted = await runner.tick();
		expect(emitted?.map((item) => item.json.id)).toEqual([deal.id]);
		const partnerId = (deal.relationships?.tradingPartner.data as { id: string }).id;
		expect((emitted?.[0].json.relationships as IDataObject).tradingPartner).toEqual(
			expect.objectContaining({ id: partnerId, name: simulator.store.get('trading-partners', partnerId)?.attributes.name }),
		);
		expect(new EnableTrigger().description.properties.some((property) => property.name === 'options')).toBe(true);
	});
});

describe('version 2: Get picks its record from a list (resource locator)', () => {
	test('a locator value By ID or From List gets the record; version 1 keeps the typed id', async () => {
		await start();
		const deal = simulator.store.list('deals')[3];
		for (const mode of ['id', 'list']) {
			const result = await runEnableNode({ helper, typeVersion: 2, parameters: { resource: 'deal', operation: 'get', dealId: { __rl: true, mode, value: deal.id } } });
			expect(result.items.map((item) => item.json.id)).toEqual([deal.id]);
		}
		const v1 = await runEnableNode({ helper, typeVersion: 1, parameters: { resource: 'deal', operation: 'get', dealId: deal.id } });
		expect(v1.items.map((item) => item.json.id)).toEqual([deal.id]);
		const parameter = nodeProperties.find((property) => property.name === 'dealId' && property.type === 'resourceLocator');
		expect(parameter?.displayOptions?.show?.['@version']).toEqual([2]);
	});

	test('the list search names each record, narrows to the typed text, and pages with a token', async () => {
		await start({ counts: { deals: 230 } });
		const search = listSearch.searchDeal;
		const first = await inNodeContext(helper, async (context) => await search.call(context as never));
		expect(first.results).toHaveLength(100);
		const deal = simulator.store.list('deals')[0];
		expect(first.results[0]).toEqual({ name: `${deal.attributes.reference} — ${deal.attributes.description} (${deal.id})`, value: deal.id });
		expect(first.paginationToken).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\/deals\?/);
		const second = await inNodeContext(helper, async (context) => await search.call(context as never, undefined, first.paginationToken));
		expect(second.results.map((entry) => entry.value)).toEqual(simulator.store.list('deals').slice(100, 200).map((record) => record.id));
		const reference = String(simulator.store.list('deals')[42].attributes.reference);
		const narrowed = await inNodeContext(helper, async (context) => await search.call(context as never, reference.toLowerCase()));
		expect(narrowed.results.map((entry) => entry.value)).toEqual([simulator.store.list('deals')[42].id]);
		expect(Object.keys(listSearch).sort()).toEqual(COLLECTIONS.map((collection) => searchMethodName(collection)).sort());
	});
});
