/**
 * The Enable node run in-process by n8n-core's WorkflowExecute (Start → Enable) against the
 * simulator: every resource and operation, paging, limits, filters, sort, Simplify, errors,
 * Continue On Fail and per-item expressions.
 */
import type { ICredentialDataDecryptedObject, IDataObject, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { Enable } from '../nodes/Enable/Enable.node';
import { COLLECTIONS } from '../nodes/Enable/resources';
import { resolveNextLink } from '../nodes/Enable/transport/paging';
import { OTHER_ATTRIBUTE } from '../nodes/Enable/validation';
import type { CollectionName } from '../sandbox/data';
import { DEMO_CLIENT, type EnableSimulator, type SimulatorOptions, startSimulator } from '../sandbox/simulator';
import { credentialFor, runEnableNode, TestCredentialsHelper } from './harness/n8n';

let simulator: EnableSimulator;
let helper: TestCredentialsHelper;

async function start(options: SimulatorOptions = {}, credentialOverrides: ICredentialDataDecryptedObject = {}) {
	simulator = await startSimulator({ counts: { deals: 57, activity: 33, users: 12 }, ...options });
	helper = new TestCredentialsHelper(credentialFor(simulator.baseUrl, DEMO_CLIENT, credentialOverrides));
}

afterEach(async () => {
	await simulator?.close();
});

const run = async (parameters: IDataObject, extra: Partial<Parameters<typeof runEnableNode>[0]> = {}) =>
	await runEnableNode({ helper, parameters, ...extra });

const apiRequests = () => simulator.requestLog.filter((entry) => entry.path.startsWith('/v1/'));
const ids = (items: Array<{ json: IDataObject }>) => items.map((item) => item.json.id);

describe.each(COLLECTIONS.map((resource) => [resource.value, resource] as const))('%s', (_value, resource) => {
	const collection = resource.path as CollectionName;

	test('Get Many with Return All reads every record once, in order', async () => {
		await start();
		const result = await run({ resource: resource.value, operation: 'getAll', returnAll: true, options: { pageSize: 10 } });
		expect(result.error).toBeUndefined();
		expect(ids(result.items)).toEqual(simulator.store.list(collection).map((record) => record.id));
		expect(apiRequests().every((entry) => entry.path === `/v1/${resource.path}`)).toBe(true);
		expect(result.items.every((item) => (item.pairedItem as { item: number }).item === 0)).toBe(true);
	});

	test('Get returns the one record', async () => {
		await start();
		const record = simulator.store.list(collection)[3];
		const result = await run({ resource: resource.value, operation: 'get', [resource.idParameter]: record.id });
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(1);
		expect(result.items[0].json).toEqual(expect.objectContaining({ id: record.id, ...record.attributes }));
		expect(apiRequests().map((entry) => entry.path)).toEqual([`/v1/${resource.path}/${record.id}`]);
	});
});

describe('paging', () => {
	test.each([false, true])('Return All over many pages (absolute links: %s), no totals', async (absoluteLinks) => {
		await start({ counts: { deals: 1234 }, absoluteLinks, includeTotals: false, maxPageSize: 50 });
		const result = await run({ resource: 'deal', operation: 'getAll', returnAll: true, options: { pageSize: 100 } });
		expect(result.items).toHaveLength(1234);
		expect(new Set(ids(result.items)).size).toBe(1234);
		expect(ids(result.items)).toEqual(simulator.store.list('deals').map((record) => record.id));
		// The server capped 100 to 50: the node followed links.next rather than counting pages.
		expect(simulator.stats().pageRequests['/v1/deals']).toBe(25);
		expect(simulator.stats().tokenRequests).toBe(1);
	});

	test.each([
		['below a page', 4, 1],
		['equal to a page', 10, 1],
		['above a page', 23, 3],
		['above the total', 500, 6],
	])('Limit %s: exactly min(limit, total) records and no wasted request', async (_label, limit, pages) => {
		await start({ counts: { deals: 57 } });
		const result = await run({ resource: 'deal', operation: 'getAll', returnAll: false, limit, options: { pageSize: 10 } });
		expect(result.items).toHaveLength(Math.min(limit, 57));
		expect(ids(result.items)).toEqual(simulator.store.list('deals').slice(0, limit).map((record) => record.id));
		expect(simulator.stats().pageRequests['/v1/deals']).toBe(pages);
		// A limit smaller than the page size asks for just that many.
		expect(apiRequests()[0].query['page[size]']).toBe(String(Math.min(limit, 10)));
	});

	// Issue 12 raised the default page size from 100 to 1000: fewer round trips on a real network.
	test('the default Limit is 50 and the default page size 1000', async () => {
		await start({ counts: { deals: 120 }, maxPageSize: 100 });
		const result = await run({ resource: 'deal', operation: 'getAll' });
		expect(result.items).toHaveLength(50);
		expect(apiRequests()).toHaveLength(1);
		expect(apiRequests()[0].query['page[size]']).toBe('50');
		await run({ resource: 'deal', operation: 'getAll', returnAll: true });
		expect(apiRequests()[1].query['page[size]']).toBe('1000');
	});

	test('resolves next links: absolute, root-relative (keeping a gateway prefix), page-relative', () => {
		const base = 'https://gw.example.com/enable';
		expect(resolveNextLink('https://gw.example.com/enable/v1/deals?page[cursor]=x', base, `${base}/v1/deals`)).toBe(
			'https://gw.example.com/enable/v1/deals?page[cursor]=x',
		);
		expect(resolveNextLink('/v1/deals?page[cursor]=x', base, `${base}/v1/deals`)).toBe('https://gw.example.com/enable/v1/deals?page[cursor]=x');
		expect(resolveNextLink('/enable/v1/deals?p=2', base, `${base}/v1/deals`)).toBe('https://gw.example.com/enable/v1/deals?p=2');
		expect(resolveNextLink('deals?p=2', base, `${base}/v1/deals?p=1`)).toBe('https://gw.example.com/enable/v1/deals?p=2');
		expect(resolveNextLink('https://elsewhere.example/v1/deals?p=2', base, `${base}/v1/deals`)).toBeUndefined();
		expect(resolveNextLink('/v1/deals?p=2', 'https://api.deal-track.com', 'https://api.deal-track.com/v1/deals')).toBe(
			'https://api.deal-track.com/v1/deals?p=2',
		);
	});
});

describe('filters and sort', () => {
	test('reach the server exactly and are ANDed', async () => {
		await start({ counts: { deals: 300 } });
		const result = await run({
			resource: 'deal',
			operation: 'getAll',
			returnAll: true,
			filters: {
				filter: [
					{ attribute: 'dealType', value: '01 - Guaranteed Rebate' },
					{ attribute: ' paymentFrequency ', value: '3' },
				],
			},
			options: { sort: '-startDate, reference', pageSize: 20 },
		});
		expect(result.error).toBeUndefined();
		const first = apiRequests()[0];
		expect(first.query).toEqual({
			'filter[dealType]': '01 - Guaranteed Rebate',
			'filter[paymentFrequency]': '3',
			sort: '-startDate,reference',
			'page[size]': '20',
		});
		const expected = simulator.store
			.list('deals')
			.filter((d) => d.attributes.dealType === '01 - Guaranteed Rebate' && d.attributes.paymentFrequency === 3)
			.sort((a, b) =>
				String(b.attributes.startDate).localeCompare(String(a.attributes.startDate)) ||
				String(a.attributes.reference).localeCompare(String(b.attributes.reference)),
			);
		expect(expected.length).toBeGreaterThan(0);
		expect(ids(result.items)).toEqual(expected.map((d) => d.id));
		expect(result.items.every((item) => item.json.dealType === '01 - Guaranteed Rebate')).toBe(true);
	});

	test('version 2: an attribute picked from the list and any other name reach the server alike', async () => {
		await start({ counts: { deals: 300 } });
		const result = await run(
			{
				resource: 'deal',
				operation: 'getAll',
				returnAll: true,
				filters: {
					filter: [
						{ attribute: 'dealType', value: '01 - Guaranteed Rebate' },
						{ attribute: OTHER_ATTRIBUTE, otherAttribute: ' paymentFrequency ', value: '3' },
					],
				},
			},
			{ typeVersion: 2 },
		);
		expect(result.error).toBeUndefined();
		expect(apiRequests()[0].query).toEqual(expect.objectContaining({ 'filter[dealType]': '01 - Guaranteed Rebate', 'filter[paymentFrequency]': '3' }));
		const expected = simulator.store.list('deals').filter((d) => d.attributes.dealType === '01 - Guaranteed Rebate' && d.attributes.paymentFrequency === 3);
		expect(expected.length).toBeGreaterThan(0);
		expect(new Set(ids(result.items))).toEqual(new Set(expected.map((d) => d.id)));
	});

	test('version 2: Other with no Attribute Name says what to do, before any request', async () => {
		await start();
		const result = await run(
			{ resource: 'deal', operation: 'getAll', filters: { filter: [{ attribute: OTHER_ATTRIBUTE, otherAttribute: ' ', value: 'x' }] } },
			{ typeVersion: 2 },
		);
		expect(result.error?.message).toBe('Filter 1 has an empty Attribute Name');
		expect(result.error?.description).toContain('pick one from the Attribute list');
		expect(apiRequests()).toHaveLength(0);
	});

	test.each(COLLECTIONS.map((collection) => [collection.value, collection] as const))(
		'%s: version 2 lists the known filter attributes and Other; version 1 keeps a typed name',
		(_value, collection) => {
			const filterFields = (version: number) => {
				const property = new Enable().description.properties.find(
					(candidate) =>
						candidate.name === 'filters' &&
						candidate.displayOptions?.show?.resource?.includes(collection.value) &&
						candidate.displayOptions?.show?.['@version']?.includes(version),
				);
				return ((property?.options?.[0] as { values: INodeProperties[] } | undefined)?.values ?? []) as INodeProperties[];
			};
			const [picked, otherName] = filterFields(2);
			expect(picked.type).toBe('options');
			const values = (picked.options as INodePropertyOptions[]).map((option) => option.value);
			expect(values).toEqual(expect.arrayContaining([...collection.knownAttributes, OTHER_ATTRIBUTE]));
			expect(values).toHaveLength(collection.knownAttributes.length + 1);
			expect(values[values.length - 1]).toBe(OTHER_ATTRIBUTE);
			expect(otherName).toEqual(expect.objectContaining({ name: 'otherAttribute', type: 'string', displayOptions: { show: { attribute: [OTHER_ATTRIBUTE] } } }));
			expect(filterFields(1)[0]).toEqual(expect.objectContaining({ name: 'attribute', type: 'string' }));
		},
	);

	test('an attribute Enable does not support fails with its JSON:API title and detail', async () => {
		await start();
		const result = await run({ resource: 'deal', operation: 'getAll', filters: { filter: [{ attribute: 'colour', value: 'red' }] } });
		expect(result.error?.message).toBe('Enable rejected the request: Invalid filter');
		expect(result.error?.description).toContain('"colour" is not a filterable attribute of deals');
		expect(result.error?.description).toContain('check the filter attribute colour');
		expect(result.error?.httpCode).toBe('400');
	});
});

describe('Simplify', () => {
	test('on: id, attributes and relationship ids; off: the raw JSON:API resource object', async () => {
		await start();
		const record = simulator.store.list('deals')[0];
		const simplified = await run({ resource: 'deal', operation: 'get', dealId: record.id });
		expect(simplified.items[0].json).toEqual({
			id: record.id,
			...record.attributes,
			relationships: {
				tradingPartner: (record.relationships?.tradingPartner.data as { id: string }).id,
				owner: (record.relationships?.owner.data as { id: string } | null)?.id ?? null,
				scheme: (record.relationships?.scheme.data as { id: string }).id,
			},
		});
		const raw = await run({ resource: 'deal', operation: 'get', dealId: record.id, simplify: false });
		expect(raw.items[0].json).toEqual({
			type: 'deals',
			id: record.id,
			attributes: record.attributes,
			relationships: record.relationships,
			links: { self: `/v1/deals/${record.id}` },
		});
	});
});

describe('errors', () => {
	test('403: names the missing scope and where to add it', async () => {
		await start({}, { scopes: ['read:deals'] });
		const result = await run({ resource: 'user', operation: 'getAll' });
		expect(result.error?.message).toBe('The Enable credential lacks the read:users scope');
		expect(result.error?.description).toContain("Add it to the credential's Scopes");
		expect(result.error?.description).toContain('The access token does not grant the read:users scope.');
		expect(result.error?.httpCode).toBe('403');
	});

	test('a missing scope answered with 401 (the other variant) still names the scope', async () => {
		await start({ missingScopeStatus: 401 }, { scopes: ['read:deals'] });
		const result = await run({ resource: 'activity', operation: 'getAll' });
		expect(result.error?.message).toBe('Enable rejected the access token (HTTP 401)');
		expect(result.error?.description).toContain('may lack the read:activity scope');
	});

	test('404 on Get says which record was not found', async () => {
		await start();
		const result = await run({ resource: 'deal', operation: 'get', dealId: 'Zz9z' });
		expect(result.error?.message).toBe('The deal "Zz9z" was not found in Enable');
		expect(result.error?.description).toContain('Check the Deal ID');
		expect(result.error?.httpCode).toBe('404');
	});

	test.each([
		['an empty id', { resource: 'deal', operation: 'get', dealId: '  ' }, 'Deal ID is empty'],
		['an id with a slash', { resource: 'user', operation: 'get', userId: 'ab/cd' }, 'User ID "ab/cd" contains "/"'],
		['an id with ..', { resource: 'activity', operation: 'get', activityId: '..' }, 'Activity ID ".." contains ".."'],
		['an id with ?', { resource: 'deal', operation: 'get', dealId: 'a?b=1' }, 'Deal ID "a?b=1" contains "?"'],
		['an id with #', { resource: 'deal', operation: 'get', dealId: 'a#b' }, 'Deal ID "a#b" contains "#"'],
		['a filter with an empty attribute', { resource: 'deal', operation: 'getAll', filters: { filter: [{ attribute: ' ', value: 'x' }] } }, 'Filter 1 has an empty Attribute'],
		['a filter attribute with brackets', { resource: 'deal', operation: 'getAll', filters: { filter: [{ attribute: 'filter[dealType]', value: 'x' }] } }, 'Filter attribute "filter[dealType]" contains a bracket'],
		['a limit below 1', { resource: 'deal', operation: 'getAll', limit: 0 }, 'Limit must be a whole number of at least 1 (got 0)'],
		['a page size out of range', { resource: 'deal', operation: 'getAll', options: { pageSize: 5000 } }, 'Page Size must be a whole number from 1 to 1000 (got 5000)'],
		['a malformed sort', { resource: 'deal', operation: 'getAll', options: { sort: 'startDate desc; drop' } }, 'Sort "startDate desc; drop" is not a list of attribute names'],
	])('bad input is refused before any request: %s', async (_label, parameters, message) => {
		await start();
		const result = await run(parameters);
		expect(result.error?.message).toBe(message);
		expect(result.error?.name).toBe('NodeOperationError');
		expect(result.error?.itemIndex).toBe(0);
		expect(simulator.requestLog).toHaveLength(0);
	});

	test('ids are URL-encoded', async () => {
		await start();
		const result = await run({ resource: 'deal', operation: 'get', dealId: 'a b+c' });
		expect(result.error?.message).toBe('The deal "a b+c" was not found in Enable');
		expect(simulator.requestLog.at(-1)?.path).toBe('/v1/deals/a%20b%2Bc');
	});
});

describe('items', () => {
	test('runs once per input item with per-item expressions; pairedItem points at the input', async () => {
		await start();
		const [a, b, c] = simulator.store.list('deals');
		const result = await run(
			{ resource: 'deal', operation: 'get', dealId: '={{ $json.dealRef }}' },
			{ inputItems: [{ dealRef: a.id }, { dealRef: b.id }, { dealRef: c.id }] },
		);
		expect(result.items.map((item) => [item.json.id, item.pairedItem])).toEqual([
			[a.id, { item: 0 }],
			[b.id, { item: 1 }],
			[c.id, { item: 2 }],
		]);
	});

	test('per-item filters: each item gets its own records', async () => {
		await start();
		const types = ['01 - Guaranteed Rebate', '02 - Growth Rebate'];
		const result = await run(
			{ resource: 'deal', operation: 'getAll', returnAll: true, filters: { filter: [{ attribute: 'dealType', value: '={{ $json.type }}' }] } },
			{ inputItems: types.map((type) => ({ type })) },
		);
		for (const [index, type] of types.entries()) {
			const expected = simulator.store.list('deals').filter((d) => d.attributes.dealType === type).map((d) => d.id);
			const got = result.items.filter((item) => (item.pairedItem as { item: number }).item === index);
			expect(ids(got)).toEqual(expected);
			expect(got.every((item) => item.json.dealType === type)).toBe(true);
		}
	});

	test('Continue On Fail: a failing item yields { error } with its pairedItem and the run goes on', async () => {
		await start();
		const [a, b] = simulator.store.list('deals');
		const result = await run(
			{ resource: 'deal', operation: 'get', dealId: '={{ $json.ref }}' },
			{ inputItems: [{ ref: a.id }, { ref: 'Nope' }, { ref: '' }, { ref: b.id }], continueOnFail: true },
		);
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
		expect(result.items[0].json.id).toBe(a.id);
		expect(result.items[1].json).toEqual({ error: 'The deal "Nope" was not found in Enable', description: expect.stringContaining('Check the Deal ID') });
		// The message carries no "[item N]" marker (issue 14): the item is known from pairedItem (asserted above).
		expect(result.items[2].json.error).toBe('Deal ID is empty');
		expect(result.items[3].json.id).toBe(b.id);
	});

	test('without Continue On Fail the first failing item stops the run and names its index', async () => {
		await start();
		const [a] = simulator.store.list('deals');
		const result = await run(
			{ resource: 'deal', operation: 'get', dealId: '={{ $json.ref }}' },
			{ inputItems: [{ ref: a.id }, { ref: 'Nope' }] },
		);
		expect(result.error?.message).toBe('The deal "Nope" was not found in Enable');
		expect(result.error?.itemIndex).toBe(1);
	});
});
