/**
 * One token refresh at a time, and only when it can help (issue 29, item 6). Requests of one
 * execution that Enable refuses together share one new token; a token the execution got in answer
 * to a refusal, refused again, is a missing scope, not a stale token, and gets no other. Counted
 * with the simulator's token requests, run after run, against a slow Enable on the virtual clock:
 * every answer is held until the node has sent all it sends together, then given after 40 ms of
 * virtual time, so that parallel requests are refused at the same moment.
 */
import type { IDataObject } from 'n8n-workflow';

import { type EnableSimulator, type SimulatorOptions, startSimulator } from '../sandbox/simulator';
import { answerInWaves, type HeldRequests, holdApiRequests, restoreClock, useVirtualClock, type VirtualClock } from './harness/clock';
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

/** How long the slow Enable takes to answer, in virtual time. */
const SLOW_ENABLE_MS = 40;

let simulator: EnableSimulator;
let helper: TestCredentialsHelper;
let time: VirtualClock;
let server: HeldRequests;

async function start(options: SimulatorOptions = {}, client = DEALS_ONLY) {
	simulator = await startSimulator({ clients: [client], counts: { deals: 8, users: 3, activity: 3 }, tokenFormat: 'opaque', ...options });
	helper = new TestCredentialsHelper(credentialFor(simulator.baseUrl, client));
	server = holdApiRequests(simulator, time);
}

beforeEach(() => {
	// The slow Enable's latency is virtual time: nothing here sleeps.
	time = useVirtualClock();
});

afterEach(async () => {
	restoreClock();
	await simulator?.close();
});

/**
 * Runs the node against the slow Enable and returns its result with the token requests it made and
 * the waves of API requests answered together.
 */
async function counted(parameters: IDataObject, inputItems?: IDataObject[]) {
	const before = simulator.stats().tokenRequests;
	const running = runEnableNode({ helper, typeVersion: 1, parameters, inputItems });
	const waves = await answerInWaves(server, running, SLOW_ENABLE_MS);
	const result = await running;
	expect(findLeaks(result.run, { 'client secret': SECRET, 'access token': simulator.issuedTokens() })).toEqual([]);
	return { ...result, tokenRequests: simulator.stats().tokenRequests - before, waves };
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
			// Requests sent together are answered together: with 14 in parallel, the refused collections are refused together.
			await start({ missingScopeStatus });
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
		await start();
		const first = await counted({ ...CHECK_ACCESS, options: { concurrency: 14 } });
		expect(first.tokenRequests).toBe(2);
		// Both refused collections were sent with the first token at the same moment, and answered together.
		expect(first.waves[0].map((request) => request.path)).toEqual(expect.arrayContaining(['/v1/activity', '/v1/users']));
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
		await start();
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
		await start();
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
