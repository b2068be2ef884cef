/**
 * The Enable node as an AI tool (version 3, run by n8n as `enableTool`): related records inline
 * as id and name, at most TOOL_MAX_ITEMS records a call with a note past that, optional filters
 * left empty by the model skipped. Version 2 as a tool answers as it always did.
 */
import type { IDataObject } from 'n8n-workflow';

import { Enable } from '../nodes/Enable/Enable.node';
import { TOOL_MAX_ITEMS } from '../nodes/Enable/actions/tool';
import { type EnableSimulator, startSimulator } from '../sandbox/simulator';
import { credentialFor, type RunResult, runWorkflow, TestCredentialsHelper, TestNodeTypes } from './harness/n8n';

let simulator: EnableSimulator;
let helper: TestCredentialsHelper;

beforeEach(async () => {
	simulator = await startSimulator({ counts: { deals: 230, users: 6, earnings: 40 } });
	helper = new TestCredentialsHelper(credentialFor(simulator.baseUrl));
});

afterEach(async () => {
	await simulator.close();
});

const TOOL_TYPE = 'n8n-nodes-enable.enableTool';

async function asTool(parameters: IDataObject, typeVersion = 3): Promise<RunResult> {
	const nodeTypes = new TestNodeTypes();
	nodeTypes.register(TOOL_TYPE, new Enable());
	return await runWorkflow({ helper, nodeTypes, nodeType: TOOL_TYPE, typeVersion, parameters });
}

test('related records inline are their id and name only', async () => {
	const deal = simulator.store.list('deals')[4];
	const { items } = await asTool({ resource: 'deal', operation: 'get', dealId: { __rl: true, mode: 'id', value: deal.id }, options: { include: ['tradingPartner', 'owner'] } });
	const partnerId = (deal.relationships?.tradingPartner?.data as { id: string }).id;
	const ownerId = (deal.relationships?.owner?.data as { id: string }).id;
	expect(items[0].json.relationships).toEqual({
		tradingPartner: { id: partnerId, name: simulator.store.get('trading-partners', partnerId)?.attributes.name },
		owner: { id: ownerId, name: simulator.store.get('users', ownerId)?.attributes.name },
		scheme: (deal.relationships?.scheme?.data as { id: string }).id,
	});
	expect(items[0].json.reference).toBe(deal.attributes.reference);
});

test(`at most ${TOOL_MAX_ITEMS} records a call, then a note; no more is read than needed to know`, async () => {
	const { items } = await asTool({ resource: 'deal', operation: 'getAll', returnAll: true, options: {} });
	expect(items).toHaveLength(TOOL_MAX_ITEMS + 1);
	expect(items.slice(0, TOOL_MAX_ITEMS).map((item) => item.json.id)).toEqual(simulator.store.list('deals').slice(0, TOOL_MAX_ITEMS).map((deal) => deal.id));
	expect(items[TOOL_MAX_ITEMS].json).toEqual({ note: `Only the first ${TOOL_MAX_ITEMS} deals are returned. Narrow the request with filters (or a lower limit) to see the others.` });
	expect(simulator.requestLog.find((entry) => entry.path === '/v1/deals')?.query['page[size]']).toBe(String(TOOL_MAX_ITEMS + 1));
	const few = await asTool({ resource: 'deal', operation: 'getAll', limit: 7, options: {} });
	expect(few.items).toHaveLength(7);
});

test('a filter the model left empty is skipped; one it filled is sent', async () => {
	const filters = (attribute: string, value: string) => ({ filter: [{ attribute: '__other', otherAttribute: attribute, value }] });
	const all = await asTool({ resource: 'earning', operation: 'getAll', limit: 50, filters: filters('', ''), options: {} });
	expect(all.error).toBeUndefined();
	expect(all.items).toHaveLength(40);
	const status = String(simulator.store.list('earnings')[0].attributes.status);
	const some = await asTool({ resource: 'earning', operation: 'getAll', limit: 50, filters: filters('status', status), options: {} });
	expect(some.items.every((item) => item.json.status === status)).toBe(true);
	// A deal's earnings: filter[deal]=<id>, a relationship filter (JSON:API style, assumed for Enable).
	const earning = simulator.store.list('earnings')[0];
	const dealId = (earning.relationships?.deal?.data as { id: string }).id;
	const ofDeal = await asTool({ resource: 'earning', operation: 'getAll', limit: 50, filters: filters('deal', dealId), options: {} });
	const expected = simulator.store.list('earnings').filter((entry) => (entry.relationships?.deal?.data as { id: string }).id === dealId);
	expect(ofDeal.items.map((item) => item.json.id)).toEqual(expected.map((entry) => entry.id));
});

test('version 2 as a tool answers as before: whole related records, no cap', async () => {
	const deal = simulator.store.list('deals')[4];
	const { items } = await asTool({ resource: 'deal', operation: 'get', dealId: { __rl: true, mode: 'id', value: deal.id }, options: { include: ['tradingPartner'] } }, 2);
	const partner = (items[0].json.relationships as IDataObject).tradingPartner as IDataObject;
	expect(Object.keys(partner)).toEqual(expect.arrayContaining(['id', 'name', 'code', 'accountNumber', 'country', 'currency', 'active']));
	const many = await asTool({ resource: 'deal', operation: 'getAll', returnAll: true, options: {} }, 2);
	expect(many.items).toHaveLength(230);
	const empty = await asTool({ resource: 'earning', operation: 'getAll', limit: 5, filters: { filter: [{ attribute: '__other', otherAttribute: '', value: '' }] }, options: {} }, 2);
	expect(empty.error?.message).toBe('Filter 1 has an empty Attribute Name');
});
