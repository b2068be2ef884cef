/** The Enable API simulator itself: it must behave as shared/ENABLE_API.md says, or every other test lies. */
/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- development tooling, never published: it runs in Node, with its files, processes and console */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { DEMO_CLIENT, type EnableSimulator, type SimulatorOptions, startSimulator } from '../sandbox/simulator';

const LIMITED_CLIENT = {
	clientId: '11111111-2222-4333-8444-555555555555',
	clientSecret: 'limited-secret',
	registrationId: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
	scopes: ['read:deals' as const],
};

let simulator: EnableSimulator;

async function start(options: SimulatorOptions = {}): Promise<EnableSimulator> {
	simulator = await startSimulator({ clients: [DEMO_CLIENT, LIMITED_CLIENT], ...options });
	return simulator;
}

afterEach(async () => {
	await simulator?.close();
});

function tokenForm(overrides: Record<string, string | undefined> = {}): string {
	const fields: Record<string, string | undefined> = {
		client_id: DEMO_CLIENT.clientId,
		client_secret: DEMO_CLIENT.clientSecret,
		dealtrack_registration_id: DEMO_CLIENT.registrationId,
		scope: 'read:deals read:activity read:users',
		grant_type: 'client_credentials',
		...overrides,
	};
	const form = new URLSearchParams();
	for (const [key, value] of Object.entries(fields)) if (value !== undefined) form.set(key, value);
	return form.toString();
}

async function requestToken(overrides: Record<string, string | undefined> = {}, contentType = 'application/x-www-form-urlencoded') {
	const response = await fetch(`${simulator.baseUrl}/oauth2/token`, {
		method: 'POST',
		headers: { 'Content-Type': contentType },
		body: tokenForm(overrides),
	});
	return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function token(overrides: Record<string, string | undefined> = {}): Promise<string> {
	const { status, body } = await requestToken(overrides);
	expect(status).toBe(200);
	return body.access_token as string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests read the simulator's answers field by field
type JsonBody = Record<string, any>;

async function get(path: string, accessToken?: string) {
	const url = path.startsWith('http') ? path : `${simulator.baseUrl}${path}`;
	const response = await fetch(url, { headers: accessToken ? { Authorization: `Bearer ${accessToken}` } : {} });
	const text = await response.text();
	let body: JsonBody | string;
	try {
		body = JSON.parse(text) as JsonBody;
	} catch {
		body = text;
	}
	return { status: response.status, headers: response.headers, body: body as JsonBody };
}

async function readAll(path: string, accessToken: string) {
	const ids: string[] = [];
	let next: string | undefined = path;
	let pages = 0;
	while (next) {
		const { status, body } = await get(next, accessToken);
		expect(status).toBe(200);
		ids.push(...(body.data as Array<{ id: string }>).map((r) => r.id));
		next = body.links.next;
		pages++;
	}
	return { ids, pages };
}

describe('token endpoint', () => {
	test('issues a Bearer token with the configured lifetime', async () => {
		await start({ tokenLifetimeSeconds: 120 });
		const { status, body } = await requestToken();
		expect(status).toBe(200);
		expect(body).toEqual({ access_token: expect.any(String), expires_in: 120, token_type: 'Bearer' });
		expect(simulator.stats().tokensIssued).toBe(1);
	});

	test('requires a form body', async () => {
		await start();
		const { status, body } = await requestToken({}, 'application/json');
		expect(status).toBe(400);
		expect(body.error).toBe('invalid_request');
	});

	test.each(['client_id', 'client_secret', 'dealtrack_registration_id', 'scope', 'grant_type'])(
		'requires %s',
		async (field) => {
			await start();
			const { status, body } = await requestToken({ [field]: undefined });
			expect(status).toBe(400);
			expect(body.error).toBe('invalid_request');
			expect(body.error_description).toContain(field);
		},
	);

	test('rejects other grant types', async () => {
		await start();
		const { status, body } = await requestToken({ grant_type: 'password' });
		expect([status, body.error]).toEqual([400, 'unsupported_grant_type']);
	});

	test.each([
		['an unknown client id', { client_id: '99999999-2222-4333-8444-555555555555' }],
		['a wrong secret', { client_secret: 'wrong' }],
		['a wrong registration id', { dealtrack_registration_id: '99999999-bbbb-4ccc-8ddd-eeeeeeeeeeee' }],
	])('rejects %s with invalid_client', async (_label, overrides) => {
		await start();
		const { status, body } = await requestToken(overrides);
		expect([status, body.error]).toEqual([401, 'invalid_client']);
	});

	test('accepts UUIDs in any case', async () => {
		await start();
		await token({ client_id: DEMO_CLIENT.clientId.toUpperCase() });
	});

	test('rejects a scope outside the client grant with invalid_scope', async () => {
		await start();
		const { status, body } = await requestToken({
			client_id: LIMITED_CLIENT.clientId,
			client_secret: LIMITED_CLIENT.clientSecret,
			dealtrack_registration_id: LIMITED_CLIENT.registrationId,
			scope: 'read:deals read:users',
		});
		expect([status, body.error]).toEqual([400, 'invalid_scope']);
		expect(body.error_description).toContain('read:users');
	});

	test('logs the form without the secret', async () => {
		await start();
		await token();
		const entry = simulator.requestLog.find((e) => e.path === '/oauth2/token');
		expect(entry?.formFields).toEqual(['client_id', 'client_secret', 'dealtrack_registration_id', 'scope', 'grant_type']);
		expect(JSON.stringify(simulator.requestLog)).not.toContain(DEMO_CLIENT.clientSecret);
	});
});

describe('collections', () => {
	test('needs a valid token: missing, unknown, expired and revoked tokens get 401', async () => {
		await start({ tokenLifetimeSeconds: 3600 });
		expect((await get('/v1/deals')).status).toBe(401);
		expect((await get('/v1/deals', 'nonsense')).status).toBe(401);
		const valid = await token();
		expect((await get('/v1/deals', valid)).status).toBe(200);
		simulator.expireAllTokens();
		const expired = await get('/v1/deals', valid);
		expect(expired.status).toBe(401);
		expect(expired.body.errors[0].code).toBe('invalid_token');
		const fresh = await token();
		simulator.revokeAllTokens();
		expect((await get('/v1/deals', fresh)).status).toBe(401);
	});

	test('403 when the token lacks the collection scope (401 as the configured variant)', async () => {
		await start();
		const dealsOnly = await token({ scope: 'read:deals' });
		const forbidden = await get('/v1/users', dealsOnly);
		expect(forbidden.status).toBe(403);
		expect(forbidden.body.errors[0].detail).toContain('read:users');
		simulator.configure({ missingScopeStatus: 401 });
		expect((await get('/v1/activity', dealsOnly)).status).toBe(401);
		expect((await get('/v1/deals', dealsOnly)).status).toBe(200);
	});

	test('serves deals, activity and users as JSON:API documents with the documented attributes', async () => {
		await start({ counts: { deals: 3, activity: 4, users: 5 } });
		const accessToken = await token();
		const deals = await get('/v1/deals', accessToken);
		expect(deals.headers.get('content-type')).toBe('application/vnd.api+json');
		expect(deals.body.data).toHaveLength(3);
		const deal = deals.body.data[0];
		expect(deal.type).toBe('deals');
		expect(deal.id).toMatch(/^[A-Za-z0-9]{4}$/);
		expect(Object.keys(deal.attributes).sort()).toEqual(
			[
				'dealType', 'startDate', 'endDate', 'reference', 'description', 'notes', 'latestTransactionDate',
				'contraEarnings', 'modifiedBy', 'earningsModified', 'postPeriod', 'paymentFrequency', 'claimPoint',
				'quarterlyWithInstalment',
			].sort(),
		);
		expect(deal.attributes.earningsModified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}\+01:00$/);
		expect(deal.relationships.tradingPartner.data).toEqual({ type: 'trading-partners', id: expect.any(String) });
		expect(deal.links.self).toBe(`/v1/deals/${deal.id}`);
		expect((await get('/v1/activity', accessToken)).body.data).toHaveLength(4);
		const users = await get('/v1/users', accessToken);
		expect(users.body.data).toHaveLength(5);
		expect(users.body.data[0].attributes).toEqual(
			expect.objectContaining({ name: expect.any(String), email: expect.stringContaining('@'), enabled: expect.any(Boolean) }),
		);
	});

	test('seeded data is deterministic', async () => {
		await start({ counts: { deals: 5 }, seed: 7 });
		const first = (await get('/v1/deals', await token())).body.data;
		await simulator.close();
		await start({ counts: { deals: 5 }, seed: 7 });
		const second = (await get('/v1/deals', await token())).body.data;
		expect(second).toEqual(first);
	});

	test('one record by id, and a JSON:API 404 for an unknown id', async () => {
		await start({ counts: { deals: 3 } });
		const accessToken = await token();
		const [first] = simulator.store.list('deals');
		const one = await get(`/v1/deals/${first.id}`, accessToken);
		expect(one.status).toBe(200);
		expect(one.body.data.id).toBe(first.id);
		const missing = await get('/v1/deals/Nope', accessToken);
		expect(missing.status).toBe(404);
		expect(missing.body.errors[0]).toEqual(expect.objectContaining({ status: '404', title: 'Not Found' }));
		expect(missing.body.errors[0].detail).toContain('Nope');
	});

	test.each([false, true])('pages to the end with links.next (absolute links: %s)', async (absoluteLinks) => {
		await start({ counts: { deals: 103 }, absoluteLinks });
		const accessToken = await token();
		const first = await get('/v1/deals?page[size]=10', accessToken);
		expect(first.body.links.next.startsWith(absoluteLinks ? simulator.baseUrl : '/v1/deals?')).toBe(true);
		const { ids, pages } = await readAll('/v1/deals?page[size]=10', accessToken);
		expect(pages).toBe(11);
		expect(ids).toHaveLength(103);
		expect(new Set(ids).size).toBe(103);
		expect(ids).toEqual(simulator.store.list('deals').map((r) => r.id));
	});

	test('the last page has no next link; totals are optional', async () => {
		await start({ counts: { deals: 10 }, includeTotals: false });
		const accessToken = await token();
		const page = await get('/v1/deals?page[size]=10', accessToken);
		expect(page.body.links.next).toBeUndefined();
		expect(page.body.meta).toBeUndefined();
	});

	test('caps page[size] at the maximum and refuses a size below 1', async () => {
		await start({ counts: { deals: 150 }, maxPageSize: 100 });
		const accessToken = await token();
		expect((await get('/v1/deals?page[size]=500', accessToken)).body.data).toHaveLength(100);
		expect((await get('/v1/deals', accessToken)).body.data).toHaveLength(25);
		expect((await get('/v1/deals?page[size]=0', accessToken)).status).toBe(400);
	});

	test('filters are ANDed, and an unknown attribute is a 400 JSON:API error', async () => {
		await start({ counts: { deals: 200 } });
		const accessToken = await token();
		const all = simulator.store.list('deals');
		const expected = all.filter((d) => d.attributes.dealType === '01 - Guaranteed Rebate' && d.attributes.paymentFrequency === 3);
		expect(expected.length).toBeGreaterThan(0);
		const query = `filter[dealType]=${encodeURIComponent('01 - Guaranteed Rebate')}&filter[paymentFrequency]=3&page[size]=100`;
		const { ids } = await readAll(`/v1/deals?${query}`, accessToken);
		expect(ids).toEqual(expected.map((d) => d.id));
		const bad = await get('/v1/deals?filter[colour]=red', accessToken);
		expect(bad.status).toBe(400);
		expect(bad.body.errors[0]).toEqual(expect.objectContaining({ status: '400', source: { parameter: 'filter[colour]' } }));
	});

	test('sorts by several attributes, descending with a leading minus', async () => {
		await start({ counts: { deals: 60 } });
		const accessToken = await token();
		const { ids } = await readAll('/v1/deals?sort=-paymentFrequency,reference&page[size]=7', accessToken);
		const expected = [...simulator.store.list('deals')]
			.sort((a, b) =>
				(b.attributes.paymentFrequency as number) - (a.attributes.paymentFrequency as number) ||
				String(a.attributes.reference).localeCompare(String(b.attributes.reference)),
			)
			.map((d) => d.id);
		expect(ids).toEqual(expected);
		expect((await get('/v1/deals?sort=colour', accessToken)).status).toBe(400);
	});
});

describe('fault injection', () => {
	test('429 with and without Retry-After on the n-th request', async () => {
		await start({
			faults: [
				{ kind: 'status', status: 429, onRequest: 2, retryAfter: 3 },
				{ kind: 'status', status: 429, onRequest: 3 },
			],
		});
		const accessToken = await token();
		expect((await get('/v1/deals', accessToken)).status).toBe(200);
		const limited = await get('/v1/deals', accessToken);
		expect(limited.status).toBe(429);
		expect(limited.headers.get('retry-after')).toBe('3');
		const bare = await get('/v1/deals', accessToken);
		expect(bare.status).toBe(429);
		expect(bare.headers.get('retry-after')).toBeNull();
		expect((await get('/v1/deals', accessToken)).status).toBe(200);
		expect(simulator.stats().faultsFired).toEqual([
			{ kind: 'status 429', request: 2 },
			{ kind: 'status 429', request: 3 },
		]);
	});

	test.each([500, 502, 503])('%i on the n-th request, for `times` requests', async (status) => {
		await start({ faults: [{ kind: 'status', status, onRequest: 1, times: 2 }] });
		const accessToken = await token();
		expect((await get('/v1/deals', accessToken)).status).toBe(status);
		expect((await get('/v1/deals', accessToken)).status).toBe(status);
		expect((await get('/v1/deals', accessToken)).status).toBe(200);
	});

	test('revokes every token after n requests', async () => {
		await start({ faults: [{ kind: 'revokeTokens', afterRequests: 2 }] });
		const accessToken = await token();
		expect((await get('/v1/deals', accessToken)).status).toBe(200);
		expect((await get('/v1/deals', accessToken)).status).toBe(200);
		expect((await get('/v1/deals', accessToken)).status).toBe(401);
		expect((await get('/v1/deals', await token())).status).toBe(200);
	});

	test.each([
		['html', (body: unknown) => typeof body === 'string' && body.includes('<html>')],
		['truncated', (body: unknown) => typeof body === 'string' && body.startsWith('{"data"')],
		['no-data', (body: unknown) => typeof body === 'object' && body !== null && !('data' in body)],
	] as const)('malformed body: %s', async (kind, check) => {
		await start({ faults: [{ kind: 'malformed', onRequest: 1, body: kind }] });
		const response = await get('/v1/deals', await token());
		expect(response.status).toBe(200);
		expect(check(response.body)).toBe(true);
	});

	test('slow responses', async () => {
		await start({ faults: [{ kind: 'slow', delayMs: 300, onRequest: 1 }] });
		// The delay is held by the test instead of a real timer: the answer must wait for its end.
		const delays: number[] = [];
		let endDelay = () => {};
		const delayStarted = new Promise<void>((started) => {
			simulator.delay = async (ms) => {
				delays.push(ms);
				started();
				await new Promise<void>((resolve) => (endDelay = resolve));
			};
		});
		const accessToken = await token();
		let answered = false;
		const response = get('/v1/deals', accessToken).then((answer) => {
			answered = true;
			return answer;
		});
		await delayStarted;
		// Time for an answer sent at once to arrive, many times over (a few turns of the event loop).
		for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
		expect(answered).toBe(false);
		endDelay();
		expect((await response).status).toBe(200);
		expect(delays).toEqual([300]);
	});

	test('connection reset', async () => {
		await start({ faults: [{ kind: 'reset', onRequest: 1 }] });
		await expect(get('/v1/deals', await token())).rejects.toThrow();
	});

	test('faults on the token endpoint', async () => {
		await start({ faults: [{ kind: 'status', status: 503, onRequest: 1, target: 'token' }] });
		expect((await requestToken()).status).toBe(503);
		expect((await requestToken()).status).toBe(200);
	});
});

describe('admin interface and counters', () => {
	test('adds, changes and removes records, and reads counters over HTTP', async () => {
		await start({ counts: { deals: 2 } });
		const admin = (path: string, method: string, body?: unknown) =>
			fetch(`${simulator.baseUrl}/_admin/${path}`, {
				method,
				headers: { 'Content-Type': 'application/json' },
				body: body === undefined ? undefined : JSON.stringify(body),
			});
		const created = (await (await admin('records/deals', 'POST', { attributes: { reference: 'NEW-1' } })).json()) as {
			data: { id: string };
		};
		expect(simulator.store.list('deals')).toHaveLength(3);
		await admin(`records/deals/${created.data.id}`, 'PATCH', { attributes: { notes: 'changed' } });
		expect(simulator.store.get('deals', created.data.id)?.attributes).toEqual(
			expect.objectContaining({ reference: 'NEW-1', notes: 'changed' }),
		);
		const accessToken = await token();
		await get('/v1/deals', accessToken);
		const stats = (await (await admin('stats', 'GET')).json()) as { tokenRequests: number; pageRequests: Record<string, number> };
		expect(stats.tokenRequests).toBe(1);
		expect(stats.pageRequests['/v1/deals']).toBe(1);
		expect((await admin(`records/deals/${created.data.id}`, 'DELETE')).status).toBe(204);
		expect(simulator.store.list('deals')).toHaveLength(2);
		await admin('faults', 'POST', { faults: [{ kind: 'status', status: 503, onRequest: 1 }] });
		await admin('reset-stats', 'POST');
		expect((await get('/v1/deals', accessToken)).status).toBe(503);
	});
});

test('`npm run sandbox -- --help` lists every flag the simulator accepts', () => {
	const source = readFileSync(path.join(__dirname, '..', 'sandbox', 'cli.ts'), 'utf8');
	const accepted = [...source.matchAll(/case '(--[a-z-]+)'/g)].map((match) => match[1]).sort();
	const documented = [...source.split('*/')[0].matchAll(/^ \*\s+(--[a-z-]+)/gm)].map((match) => match[1]).sort();
	expect(accepted.length).toBeGreaterThan(15);
	expect(documented).toEqual(accepted);
});
