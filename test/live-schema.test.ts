/**
 * Learning the user's own Enable (issue 21): the pickers list the names one small read of the
 * chosen collection shows, beside the node's own (marked when not seen), against a simulator whose
 * names differ from the node's table; the reasons shown when the read fails; and Account → Check
 * Access against credentials that reach only some collections.
 */
import type { IDataObject, INodePropertyOptions } from 'n8n-workflow';

import { loadOptions, SAMPLE_SIZE } from '../nodes/Enable/methods/loadOptions';
import { OTHER_ATTRIBUTE } from '../nodes/Enable/validation';
import { DEMO_CLIENT, type EnableSimulator, type SimulatorOptions, startSimulator } from '../sandbox/simulator';
import { answerInWaves, holdApiRequests, restoreClock, useVirtualClock, type VirtualClock } from './harness/clock';
import { credentialFor, loadOptionsContext, runEnableNode, TestCredentialsHelper } from './harness/n8n';

let simulator: EnableSimulator;
let helper: TestCredentialsHelper;
let time: VirtualClock;

/** An Enable that names some things differently from the node's table. */
const OTHER_ENABLE: SimulatorOptions['overrides'] = {
	deals: {
		renameAttributes: { dealType: 'agreementType' },
		addAttributes: { regionCode: ['EU-N', 'EU-S', 'US-E'], signedAt: ['2024-03-01T10:00:00Z', '2024-02-01T10:00:00Z'] },
		dropAttributes: ['notes'],
		renameRelationships: { owner: 'accountManager' },
	},
};

async function start(options: SimulatorOptions = {}, scopes = DEMO_CLIENT.scopes) {
	simulator = await startSimulator({ counts: { deals: 30, users: 5, activity: 10 }, overrides: OTHER_ENABLE, ...options, clients: [{ ...DEMO_CLIENT, scopes }] });
	helper = new TestCredentialsHelper(credentialFor(simulator.baseUrl, { ...DEMO_CLIENT, scopes }));
}

beforeEach(() => {
	// Waits and a slow server's latency are virtual time: nothing here sleeps.
	time = useVirtualClock();
});

afterEach(async () => {
	restoreClock();
	await simulator.close();
});

type Method = keyof typeof loadOptions;
async function pick(method: Method, parameters: IDataObject, nodeType = 'n8n-nodes-enable.enable', version = 2): Promise<INodePropertyOptions[]> {
	return await loadOptions[method].call(loadOptionsContext(helper, nodeType, version, parameters));
}
const byValue = (options: INodePropertyOptions[]) => Object.fromEntries(options.map((option) => [option.value, option]));

describe('pickers read the names of the chosen collection from the user’s Enable', () => {
	test('filter attributes: names seen (with type and example) and added, known names not seen marked, Other last', async () => {
		await start();
		const options = await pick('filterAttributes', { resource: 'deal', operation: 'getAll' });
		const found = byValue(options);
		expect(found.regionCode).toEqual({ name: 'Region Code (regionCode)', value: 'regionCode', description: 'string, e.g. "EU-N"; seen in your Enable' });
		expect(found.agreementType.description).toMatch(/^string, e\.g\. "0\d - /);
		expect(found.reference).toEqual(expect.objectContaining({ name: 'Reference (reference)', description: expect.stringMatching(/^string, e\.g\. "DL-/) }));
		expect(found.postPeriod.description).toMatch(/^number, e\.g\. \d$/);
		expect(found.dealType.name).toBe('Deal Type (dealType), not seen in this Enable');
		expect(found.notes.name).toBe('Notes (notes), not seen in this Enable');
		expect(options.at(-1)).toEqual(expect.objectContaining({ name: 'Other Attribute…', value: OTHER_ATTRIBUTE }));
		// One small read of the chosen collection.
		expect(simulator.requestLog.filter((entry) => entry.path.startsWith('/v1/')).map((entry) => [entry.path, entry.query['page[size]']])).toEqual([['/v1/deals', String(SAMPLE_SIZE)]]);
	});

	test('Include Related: relationships seen, and the known one Enable serves under another name marked', async () => {
		await start();
		const found = byValue(await pick('relationships', { resource: 'deal', operation: 'getAll' }));
		expect(Object.keys(found).sort()).toEqual(['accountManager', 'owner', 'scheme', 'tradingPartner']);
		expect(found.accountManager.description).toBe('Seen in your Enable; not known to this node');
		expect(found.owner.name).toBe('Owner (owner), not seen in this Enable');
	});

	test("the trigger's Changed Since Attribute lists the attributes holding timestamps (version 3), Track Attributes every attribute", async () => {
		await start();
		const stamps = await pick('timestampAttributes', { resource: 'deal', event: 'newOrUpdated' }, 'n8n-nodes-enable.enableTrigger', 3);
		expect(stamps[0]).toEqual({ name: 'None (Read Every Record Each Poll)', value: '' });
		const values = stamps.map((option) => option.value);
		expect(values).toEqual(expect.arrayContaining(['signedAt', 'earningsModified', 'startDate']));
		for (const notStamp of ['reference', 'regionCode', 'postPeriod', 'contraEarnings']) expect(values).not.toContain(notStamp);
		const tracked = (await pick('attributes', { resource: 'deal', event: 'anyChange' }, 'n8n-nodes-enable.enableTrigger', 3)).map((option) => option.value);
		expect(tracked).toEqual(expect.arrayContaining(['regionCode', 'agreementType', 'reference']));
	});

	test('the version-2 trigger reads the collection of its event', async () => {
		await start();
		await pick('filterAttributes', { event: 'newActivity' }, 'n8n-nodes-enable.enableTrigger', 2);
		expect(simulator.requestLog.filter((entry) => entry.path.startsWith('/v1/')).map((entry) => entry.path)).toEqual(['/v1/activity']);
	});

	test('a collection given by an expression is not read: only Other is offered', async () => {
		await start();
		expect(await pick('filterAttributes', { resource: '={{ $json.collection }}', operation: 'getAll' })).toEqual([expect.objectContaining({ value: OTHER_ATTRIBUTE })]);
		expect(simulator.stats().apiRequests).toBe(0);
	});
});

describe('when the read fails, the known names are shown with the reason', () => {
	test('no scope for the collection', async () => {
		await start({}, ['read:deals']);
		const options = await pick('filterAttributes', { resource: 'user', operation: 'getAll' });
		expect(options.at(-1)?.name).toBe('Other Attribute… (names below not checked: The Enable credential lacks the read:users scope)');
		expect(options.slice(0, -1).map((option) => option.value).sort()).toEqual(['email', 'enabled', 'lastLogin', 'name', 'username']);
		expect(options[0].description).toBe('Known to this node, not checked: The Enable credential lacks the read:users scope');
	});

	test('no records yet', async () => {
		await start({ counts: { deals: 0, users: 5, activity: 0 } });
		const options = await pick('timestampAttributes', { resource: 'activity', event: 'new' }, 'n8n-nodes-enable.enableTrigger', 3);
		expect(options[0].name).toBe('None (Read Every Record Each Poll); names below not checked: Enable has no activity entries to read yet');
		expect(options.map((option) => option.value)).toContain('date');
	});

	test('Enable not answering: the known names after a short wait, not an error', async () => {
		await start({ faults: [{ kind: 'status', status: 404, onRequest: 1, times: 5 }] });
		const options = await pick('relationships', { resource: 'deal', operation: 'getAll' });
		expect(options.map((option) => option.value).sort()).toEqual(['owner', 'scheme', 'tradingPartner']);
		expect(String(options[0].description)).toMatch(/^Known to this node, not checked: Enable has no collection at GET \/v1\/deals/);
	});
});

describe('the picked names work at run time', () => {
	test('a filter on an attribute only the live read knew, and Sort By a picked attribute', async () => {
		await start();
		const { items } = await runEnableNode({
			helper,
			typeVersion: 2,
			parameters: {
				resource: 'deal',
				operation: 'getAll',
				returnAll: true,
				filters: { filter: [{ attribute: 'regionCode', value: 'EU-S' }] },
				options: { sortBy: { sort: [{ attribute: 'signedAt', direction: 'descending' }, { attribute: 'reference', direction: 'ascending' }] } },
			},
		});
		expect(items.length).toBe(10);
		expect(items.every((item) => item.json.regionCode === 'EU-S')).toBe(true);
		expect(simulator.requestLog.at(-1)?.query).toEqual(expect.objectContaining({ 'filter[regionCode]': 'EU-S', sort: '-signedAt,reference' }));
	});
});

describe('Account → Check Access', () => {
	const check = async (parameters: IDataObject = {}) => {
		const result = await runEnableNode({ helper, typeVersion: 1, parameters: { resource: 'account', operation: 'checkAccess', ...parameters } });
		expect(result.error).toBeUndefined();
		return Object.fromEntries(result.items.map((item) => [item.json.collection, item.json]));
	};

	test('a credential that reaches only some collections: one item per collection and one for the report', async () => {
		await start({ overrides: { ...OTHER_ENABLE, items: { missing: true } } }, ['read:deals', 'read:activity']);
		const checks = await check();
		expect(Object.keys(checks)).toHaveLength(14);
		expect(checks.deal).toEqual(
			expect.objectContaining({ path: 'deals', status: 'ok', httpStatus: 200, scopeUsed: 'read:deals', pageSizeHonoured: true, sortAttribute: 'startDate', sortHonoured: true, includeHonoured: true }),
		);
		expect(checks.deal.attributes).toEqual(expect.arrayContaining(['agreementType', 'regionCode', 'signedAt']));
		expect(checks.deal.relationships).toEqual(['tradingPartner', 'accountManager', 'scheme']);
		expect(checks.user).toEqual(expect.objectContaining({ status: 'forbidden', httpStatus: 403, scopeUsed: 'read:users', attributes: [], pageSizeHonoured: null, sortHonoured: null, includeHonoured: null }));
		expect(checks.item).toEqual(expect.objectContaining({ status: 'not_found', httpStatus: 404 }));
		expect(checks.activity).toEqual(expect.objectContaining({ status: 'ok', scopeUsed: 'read:activity' }));
		expect(checks.report).toEqual(expect.objectContaining({ path: 'reports/deal-earnings', status: 'ok', scopeUsed: 'read:deals' }));
		// Names and types only: no value of any record.
		const output = JSON.stringify(checks);
		for (const deal of simulator.store.list('deals')) expect(output).not.toContain(String(deal.attributes.reference));
	});

	test('what Enable honours: a served page size, a sort and include, each tried once and judged', async () => {
		await start({ counts: { deals: 1200, users: 5, activity: 5 }, maxPageSize: 1000 });
		const honoured = await check();
		expect(honoured.deal).toEqual(expect.objectContaining({ pageSizeHonoured: true, sortHonoured: true, includeHonoured: true }));
		// Collections have no relationships: include is not tried.
		expect(honoured.collection).toEqual(expect.objectContaining({ includeHonoured: null }));
		await simulator.close();
		await start({ counts: { deals: 150, users: 5, activity: 5 }, maxPageSize: 100, sort: 'ignore', includeSupported: false });
		const refused = await check();
		expect(refused.deal).toEqual(expect.objectContaining({ pageSizeHonoured: false, pageSizeCappedTo: 100, sortHonoured: false, includeHonoured: false }));
	});

	test('at most three small reads per collection, in parallel within Parallel Requests', async () => {
		await start();
		// A slow Enable (30 ms an answer): reads sent together are in flight together, so the peak counts them all.
		const server = holdApiRequests(simulator, time);
		const checking = check({ options: { concurrency: 3 } });
		await answerInWaves(server, checking, 30);
		await checking;
		const perCollection = new Map<string, number>();
		for (const entry of simulator.requestLog.filter((logged) => logged.path.startsWith('/v1/'))) perCollection.set(entry.path, (perCollection.get(entry.path) ?? 0) + 1);
		expect(Math.max(...perCollection.values())).toBeLessThanOrEqual(3);
		expect(simulator.stats().peakConcurrentApiRequests).toBeLessThanOrEqual(3);
		expect(simulator.stats().peakConcurrentApiRequests).toBeGreaterThan(1);
	});
});
