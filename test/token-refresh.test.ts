/**
 * One token refresh at a time, and only when it can help (issue 29, item 6). Requests of one
 * execution that Enable refuses together share one new token; a token the execution got in answer
 * to a refusal, refused again, is a missing scope, not a stale token, and gets no other. Counted
 * with the simulator's token requests, run after run; its `slow` fault holds every answer back so
 * that the parallel requests are refused at the same moment.
 */
import type { IDataObject } from 'n8n-workflow';

import { type EnableSimulator, type SimulatorOptions, startSimulator } from '../sandbox/simulator';
import { credentialFor, runEnableNode, TestCredentialsHelper } from './harness/n8n';
import { findLeaks } from './harness/secrets';

// eslint-disable-next-line @n8n/community-nodes/no-hardcoded-secrets -- a made-up secret: the tests check it never leaks
const SECRET = 'refresh-secret-3e2d1c0b';
const DEALS_ONLY = {
	clientId: '4d3c2b1a-0f9e-4d8c-b7a6-5f4e3d2c1b0a',
	clientSecret: SECRET,
	registrationId: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
	scopes: ['read:deals' as const],
};

let simulator: EnableSimulator;
let helper: TestCredentialsHelper;

async function start(options: SimulatorOptions = {}, client = DEALS_ONLY) {
	simulator = await startSimulator({ clients: [client], counts: { deals: 8, users: 3, activity: 3 }, tokenFormat: 'opaque', ...options });
	helper = new TestCredentialsHelper(credentialFor(simulator.baseUrl, client));
}

afterEach(async () => {
	await simulator?.close();
});

/** Runs the node and returns its result with the token requests it made. */
async function counted(parameters: IDataObject, inputItems?: IDataObject[]) {
	const before = simulator.stats().tokenRequests;
	const result = await runEnableNode({ helper, typeVersion: 1, parameters, inputItems });
	expect(findLeaks(result.run, { 'client secret': SECRET, 'access token': simulator.issuedTokens() })).toEqual([]);
	return { ...result, tokenRequests: simulator.stats().tokenRequests - before };
}

const CHECK_ACCESS = { resource: 'account', operation: 'checkAccess' };

function statuses(items: Array<{ json: IDataObject }>): Record<string, unknown> {
	return Object.fromEntries(items.map((item) => [item.json.collection, item.json.status]));
}

describe('Check Access with a client granted read:deals only', () => {
	test.each([
		['403', 403, 14],
		['401 (the other variant)', 401, 14],
		['403, one collection at a time', 403, 1],
	] as const)(
		'refused with %s: the first run gets its token and one more; every later run renews the stored token once',
		async (_label, missingScopeStatus, concurrency) => {
			// Every answer waits 40 ms, so the refused collections are refused together.
			await start({ missingScopeStatus, faults: [{ kind: 'slow', delayMs: 40 }] });
			const counts: number[] = [];
			for (let run = 0; run < 4; run++) {
				const refusalsBefore = simulator.requestLog.filter((entry) => entry.status === missingScopeStatus).length;
				const result = await counted({ ...CHECK_ACCESS, options: { concurrency } });
				expect(result.error).toBeUndefined();
				const byCollection = statuses(result.items);
				expect(byCollection).toEqual(expect.objectContaining({ deal: 'ok', activity: 'forbidden', user: 'forbidden', report: 'ok' }));
				counts.push(result.tokenRequests);
				// Each refused collection is asked at most twice: with the token it had, then with the new one.
				const refusals = simulator.requestLog.filter((entry) => entry.status === missingScopeStatus).length - refusalsBefore;
				expect(refusals).toBeGreaterThanOrEqual(2);
				expect(refusals).toBeLessThanOrEqual(4);
			}
			// Run 1: the token, then one new token shared by both refusals; its refusals are final.
			// Later runs: the stored token was issued in another run, so one shared renewal, then final.
			expect(counts).toEqual([2, 1, 1, 1]);
		},
	);

	test('the parallel refusals meet one token request: the renewal is shared, not repeated', async () => {
		await start({ faults: [{ kind: 'slow', delayMs: 40 }] });
		const first = await counted({ ...CHECK_ACCESS, options: { concurrency: 14 } });
		expect(first.tokenRequests).toBe(2);
		// Both refused collections were sent with the first token at the same moment.
		const refused = simulator.requestLog.filter((entry) => entry.status === 403);
		expect(refused.map((entry) => entry.path).sort()).toEqual(['/v1/activity', '/v1/activity', '/v1/users', '/v1/users']);
	});
});

describe('a token revoked while the items run', () => {
	const GET_MANY_PER_ITEM = { resource: 'deal', operation: 'getAll', limit: 2 };
	// The node runs the first item alone (it fetches the token the others share), then the rest in parallel.
	const FIVE_ITEMS = [{}, {}, {}, {}, {}];
	const unauthorized = () => simulator.requestLog.filter((entry) => entry.status === 401).length;

	test('four parallel Get Many items refused together get one new token, run after run', async () => {
		await start({ faults: [{ kind: 'slow', delayMs: 40 }] });
		const warmUp = await counted(GET_MANY_PER_ITEM);
		expect(warmUp.tokenRequests).toBe(1);
		const counts: number[] = [];
		for (let run = 0; run < 4; run++) {
			// The first item's request passes; Enable revokes every token as the next one arrives.
			simulator.addFault({ kind: 'revokeTokens', afterRequests: simulator.stats().apiRequests + 1 });
			const before = unauthorized();
			const result = await counted(GET_MANY_PER_ITEM, FIVE_ITEMS);
			expect(result.error).toBeUndefined();
			expect(result.items).toHaveLength(10);
			counts.push(result.tokenRequests);
			// All four parallel items were refused (they were in flight together), each then sent again.
			expect(unauthorized() - before).toBe(4);
		}
		expect(counts).toEqual([1, 1, 1, 1]);
	});

	test('a token renewed a moment ago and refused again is not renewed a second time', async () => {
		// Enable refuses the new token too (the client was disabled meanwhile): one renewal, then the error.
		await start({ faults: [{ kind: 'slow', delayMs: 40 }] });
		await counted(GET_MANY_PER_ITEM);
		const sent = simulator.stats().apiRequests;
		simulator.addFault({ kind: 'revokeTokens', afterRequests: sent + 1 });
		simulator.addFault({ kind: 'revokeTokens', afterRequests: sent + 5 });
		const result = await counted(GET_MANY_PER_ITEM, FIVE_ITEMS);
		expect(result.error?.message).toBe('Enable rejected the access token (HTTP 401)');
		expect(result.tokenRequests).toBe(1);
		// The four refusals of the old token, then the four of the new one: none asked for a third.
		expect(unauthorized()).toBe(8);
	});
});
