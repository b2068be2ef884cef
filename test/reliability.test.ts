/**
 * Fault injection against the simulator: each scenario asserts the exact records (same set as a
 * fault-free run, no duplicates), the token and page request counts, and the message shown.
 * The README's Reliability table is this file's scenario list.
 */
import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import { clock } from '../nodes/Enable/transport/clock';
import { RETRY_LIMITS } from '../nodes/Enable/transport/request';
import { type EnableSimulator, type FaultRule, type SimulatorOptions, startSimulator } from '../sandbox/simulator';
import { holdApiRequests, restoreClock, settle, useVirtualClock, type VirtualClock } from './harness/clock';
import { consoleLines } from './harness/quiet-console';
import { credentialFor, runEnableNode, TestCredentialsHelper } from './harness/n8n';
import { findLeaks } from './harness/secrets';

// eslint-disable-next-line @n8n/community-nodes/no-hardcoded-secrets -- a made-up secret: the tests check it never leaks
const SECRET = 'reliability-secret-5d4c3b2a';
const CLIENT = {
	clientId: '5b0e7c1d-3a2f-4e8b-9c7d-1e2f3a4b5c6d',
	clientSecret: SECRET,
	registrationId: 'f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a5b',
	scopes: ['read:deals' as const, 'read:activity' as const, 'read:users' as const],
};
const DEALS = 95;
const PAGE_SIZE = 10;
const PAGES = Math.ceil(DEALS / PAGE_SIZE);
const RETURN_ALL = { resource: 'deal', operation: 'getAll', returnAll: true, options: { pageSize: PAGE_SIZE } };

let simulator: EnableSimulator;
let helper: TestCredentialsHelper;
let time: VirtualClock;

/**
 * Each scenario's simulator issues opaque tokens (no JWT shape), so that a token reaching a log line
 * or the run could not hide behind the node's JWT redaction: the checks below look for each issued
 * token by its exact value.
 */
async function start(faults: FaultRule[] = [], options: SimulatorOptions = {}, credential: ICredentialDataDecryptedObject = {}) {
	simulator = await startSimulator({ clients: [CLIENT], counts: { deals: DEALS, users: 30 }, faults, tokenFormat: 'opaque', ...options });
	helper = new TestCredentialsHelper(credentialFor(simulator.baseUrl, CLIENT, credential));
}

beforeEach(() => {
	// Back-off waits advance a virtual clock: the seconds below are the time the node chose to wait.
	time = useVirtualClock();
});

/** The client secret and every token the simulator issued, by exact value. */
const secrets = () => ({ 'client secret': SECRET, 'access token': simulator?.issuedTokens() ?? [] });

/** Whatever happened, neither the secret nor a token reached a log line (captured, not printed). */
function expectCleanLogs(): void {
	expect(findLeaks(consoleLines().join('\n'), secrets())).toEqual([]);
}

afterEach(async () => {
	restoreClock();
	await simulator?.close();
});

async function run(parameters: IDataObject = RETURN_ALL) {
	const started = clock.now();
	const result = await runEnableNode({ helper, parameters });
	const seconds = (clock.now() - started) / 1000;
	expectCleanLogs();
	// The run (items, errors, stored execution data) never holds the secret or a token.
	expect(findLeaks(result.run, secrets())).toEqual([]);
	return { ...result, seconds, ids: result.items.map((item) => item.json.id as string) };
}

const allIds = () => simulator.store.list('deals').map((record) => record.id);
const pageRequests = () => simulator.stats().pageRequests['/v1/deals'] ?? 0;
const apiStatuses = () => simulator.requestLog.filter((e) => e.path.startsWith('/v1/')).map((e) => e.status);

describe('rate limiting (429)', () => {
	test('Retry-After in seconds: waits, then resumes the same page', async () => {
		await start([{ kind: 'status', status: 429, onRequest: 4, retryAfter: 1 }]);
		const result = await run();
		expect(result.error).toBeUndefined();
		expect(result.ids).toEqual(allIds());
		expect(pageRequests()).toBe(PAGES);
		expect(simulator.stats().tokenRequests).toBe(1);
		expect(apiStatuses().filter((status) => status === 429)).toHaveLength(1);
		expect(result.seconds).toBeGreaterThanOrEqual(0.95);
	});

	test('Retry-After as an HTTP date', async () => {
		const inTwoSeconds = new Date(clock.now() + 2000).toUTCString();
		await start([{ kind: 'status', status: 429, onRequest: 2, retryAfter: inTwoSeconds }]);
		const result = await run();
		expect(result.ids).toEqual(allIds());
		expect(result.seconds).toBeGreaterThanOrEqual(0.5);
	});

	test('no Retry-After: exponential back-off starting near 1 s', async () => {
		await start([{ kind: 'status', status: 429, onRequest: 3, times: 2 }]);
		const result = await run();
		expect(result.ids).toEqual(allIds());
		expect(pageRequests()).toBe(PAGES);
		// about 1 s then 2 s, each with ±20 % jitter
		expect(result.seconds).toBeGreaterThanOrEqual(2.3);
		expect(result.seconds).toBeLessThan(8);
	});

	test(`gives up after ${RETRY_LIMITS.maxAttempts} attempts with a clear message`, async () => {
		await start([{ kind: 'status', status: 429, onRequest: 2, times: 100, retryAfter: 0 }]);
		const result = await run();
		expect(result.error?.message).toBe(`Enable is rate-limiting requests (HTTP 429) after ${RETRY_LIMITS.maxAttempts} attempts over 0 s`);
		expect(result.error?.description).toContain('Try again in 0 s');
		expect(apiStatuses()).toEqual([200, 429, 429, 429, 429, 429]);
		// n8n logged the failure: captured by the quiet console (and checked for secrets), not printed.
		expect(consoleLines().join('\n')).toContain('Enable is rate-limiting requests (HTTP 429)');
	});

	test('a Retry-After beyond the 60 s budget fails at once and says when to retry', async () => {
		await start([{ kind: 'status', status: 429, onRequest: 1, retryAfter: 120 }]);
		const result = await run();
		expect(result.error?.message).toBe('Enable is rate-limiting requests (HTTP 429)');
		expect(result.error?.description).toContain('Try again in 120 s');
		expect(result.seconds).toBeLessThan(5);
		expect(apiStatuses()).toEqual([429]);
	});
});

describe('transient failures', () => {
	test.each([502, 503, 504])('%i mid-export: retried with back-off, nothing lost or repeated', async (status) => {
		await start([{ kind: 'status', status, onRequest: 5 }]);
		const result = await run();
		expect(result.error).toBeUndefined();
		expect(result.ids).toEqual(allIds());
		expect(pageRequests()).toBe(PAGES);
		expect(apiStatuses().filter((s) => s === status)).toHaveLength(1);
	});

	test('a connection reset is retried', async () => {
		await start([{ kind: 'reset', onRequest: 3 }]);
		const result = await run();
		expect(result.error).toBeUndefined();
		expect(result.ids).toEqual(allIds());
		expect(pageRequests()).toBe(PAGES);
	});

	test('500 is retried once', async () => {
		await start([{ kind: 'status', status: 500, onRequest: 2 }]);
		const result = await run();
		expect(result.ids).toEqual(allIds());
		expect(apiStatuses().filter((s) => s === 500)).toHaveLength(1);
	});

	test('500 twice fails, naming the status and the attempts', async () => {
		await start([{ kind: 'status', status: 500, onRequest: 2, times: 2 }]);
		const result = await run();
		expect(result.error?.message).toMatch(/^Enable failed to process the request \(HTTP 500\) after 2 attempts over \d+ s$/);
		expect(result.error?.description).toContain('Internal Server Error: Injected by the simulator');
		expect(apiStatuses()).toEqual([200, 500, 500]);
	});

	test('503 that never ends stops within the bounds', async () => {
		await start([{ kind: 'status', status: 503, onRequest: 1, times: 100 }]);
		const result = await run();
		// Back-off of about 1 + 2 + 4 + 8 s between the five attempts.
		expect(result.error?.message).toMatch(/^Enable failed to process the request \(HTTP 503\) after 5 attempts over 1[2-8] s$/);
		expect(apiStatuses()).toEqual([503, 503, 503, 503, 503]);
	}, 30_000);

	test('other 4xx are not retried', async () => {
		await start([{ kind: 'status', status: 400, onRequest: 1 }]);
		const result = await run();
		expect(result.error?.message).toBe('Enable rejected the request: Bad Request');
		expect(apiStatuses()).toEqual([400]);
	});
});

describe('tokens', () => {
	test('401 mid-pagination: the token is refreshed and paging resumes from the same page', async () => {
		await start([{ kind: 'revokeTokens', afterRequests: 4 }]);
		const result = await run();
		expect(result.error).toBeUndefined();
		expect(result.ids).toEqual(allIds());
		expect(pageRequests()).toBe(PAGES);
		expect(simulator.stats().tokenRequests).toBe(2);
		expect(helper.counters.tokenRefreshes).toBe(1);
		expect(apiStatuses().filter((s) => s === 401)).toHaveLength(1);
	});

	test('403 after a scope was added: one fresh token, then success', async () => {
		await start([], {}, { scopes: ['read:deals'] });
		await run({ resource: 'deal', operation: 'getAll', limit: 1 });
		// The user adds read:users to the credential; the stored token still lacks it.
		helper.stored.set('cred-1', { ...helper.data(), scopes: ['read:deals', 'read:users'] });
		const result = await run({ resource: 'user', operation: 'getAll', limit: 5 });
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(5);
		expect(simulator.stats().tokenRequests).toBe(2);
	});

	test('403 that persists after the refresh names the missing scope', async () => {
		await start([], {}, { scopes: ['read:deals'] });
		const result = await run({ resource: 'user', operation: 'getAll' });
		expect(result.error?.message).toBe('The Enable credential lacks the read:users scope');
		expect(simulator.stats().tokenRequests).toBe(2);
		expect(apiStatuses()).toEqual([403, 403]);
	});
});

describe('malformed answers', () => {
	test.each([
		['html', 'a body that is not JSON', 'Service temporarily unavailable'],
		['truncated', 'a body that is not JSON', '{"data":[{"type":"deals"'],
		['no-data', 'JSON without a "data" member', 'JSON with meta'],
	] as const)('%s: an error naming the endpoint and status, with a short excerpt', async (body, what, excerpt) => {
		await start([{ kind: 'malformed', onRequest: 3, body }]);
		const result = await run();
		expect(result.error?.message).toBe(`Enable answered GET /v1/deals?page[size]=10&page[cursor]=MjA with ${what} (HTTP 200)`);
		expect(result.error?.description).toContain(excerpt);
		expect((result.error?.description ?? '').length).toBeLessThan(400);
	});
});

describe('cancellation', () => {
	test('cancelling the execution stops paging promptly', async () => {
		// A slow server on the virtual clock: every page takes 200 ms, and the cancel comes 1 s in,
		// while the sixth page is on its way.
		await start([], { counts: { deals: 500 } });
		const server = holdApiRequests(simulator, time);
		let cancel: () => void = () => {};
		const started = clock.now();
		const running = runEnableNode({ helper, parameters: RETURN_ALL, onStarted: (execution) => (cancel = execution.cancel) });
		for (let page = 1; page <= 5; page++) {
			await server.arrived(1);
			server.answer(200);
		}
		await server.arrived(1);
		cancel();
		server.answer(200);
		// Were the node to go on, each further page would still take 200 ms.
		server.open(200);
		const result = await running;
		const stoppedAfter = clock.now() - started;
		const pagesAtStop = pageRequests();
		await settle();
		expect(stoppedAfter).toBeLessThan(2500);
		expect(pagesAtStop).toBeLessThan(50);
		// Nothing more was requested after the cancel.
		expect(simulator.stats().apiRequests).toBeLessThanOrEqual(pagesAtStop + 1);
		// The run ended as cancelled: the node's cancellation, not another error, and no records.
		expect(result.error?.message).toBe('The execution was cancelled');
		expect(result.items).toEqual([]);
		expectCleanLogs();
	}, 10_000);

	test("the transport's real wait ends as soon as the execution is cancelled", async () => {
		// The clock the node uses outside tests: n8n's sleep, which the cancel signal interrupts.
		restoreClock();
		const execution = new AbortController();
		const waiting = clock.sleep(60_000, execution.signal);
		execution.abort();
		await expect(waiting).rejects.toBeDefined();
	}, 5_000);
});
