/**
 * Fewer round trips and concurrent items (issue 12): large default pages with a fallback when
 * Enable refuses them, bounded concurrency across input items that keeps order, pairedItem and
 * Continue On Fail, one shared rate-limit pause, one token, and cancel with requests in flight.
 */
import type { IDataObject } from 'n8n-workflow';

import { clock } from '../nodes/Enable/transport/clock';
import { DEFAULT_PAGE_SIZE } from '../nodes/Enable/transport/paging';
import { DEMO_CLIENT, type EnableSimulator, type FaultRule, type SimulatorOptions, startSimulator } from '../sandbox/simulator';
import { holdApiRequests, restoreClock, settle, useVirtualClock, type VirtualClock } from './harness/clock';
import { credentialFor, runEnableNode, TestCredentialsHelper } from './harness/n8n';

let simulator: EnableSimulator;
let helper: TestCredentialsHelper;
let time: VirtualClock;

async function start(options: SimulatorOptions = {}) {
	simulator = await startSimulator({ counts: { deals: 230 }, ...options });
	helper = new TestCredentialsHelper(credentialFor(simulator.baseUrl, DEMO_CLIENT));
}

beforeEach(() => {
	// Waits (Retry-After) and a slow server's latency are virtual time: nothing here sleeps.
	time = useVirtualClock();
});

afterEach(async () => {
	restoreClock();
	await simulator?.close();
});

const dealIds = () => simulator.store.list('deals').map((record) => record.id);
const pageSizes = () => simulator.requestLog.filter((entry) => entry.path === '/v1/deals').map((entry) => entry.query['page[size]']);
const RETURN_ALL = { resource: 'deal', operation: 'getAll', returnAll: true };

describe('page size', () => {
	test('Return All asks for large pages; a server that caps silently is followed by links.next', async () => {
		await start({ maxPageSize: 100 });
		const result = await runEnableNode({ helper, parameters: RETURN_ALL });
		expect(result.items.map((item) => item.json.id)).toEqual(dealIds());
		expect(pageSizes()[0]).toBe(String(DEFAULT_PAGE_SIZE));
		expect(pageSizes()).toHaveLength(3);
	});

	test.each([
		['names its maximum', 'refuse' as const, ['1000', '100', '100', '100']],
		['does not name it', 'refuse-vague' as const, ['1000', '500', '250']],
	])('a refused default size (Enable %s) falls back in the same run: every record once, no error', async (_label, oversizedPage, sizes) => {
		await start({ maxPageSize: oversizedPage === 'refuse' ? 100 : 300, oversizedPage });
		const result = await runEnableNode({ helper, parameters: RETURN_ALL });
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.json.id)).toEqual(dealIds());
		expect(pageSizes()).toEqual(sizes);
	});

	test('the accepted size is remembered for the other items of the run', async () => {
		await start({ maxPageSize: 100, oversizedPage: 'refuse' });
		const result = await runEnableNode({ helper, parameters: { ...RETURN_ALL, options: { concurrency: 1 } }, inputItems: [{}, {}] });
		expect(result.items).toHaveLength(2 * 230);
		expect(pageSizes().filter((size) => size === '1000')).toHaveLength(1);
	});

	test("a size the user chose is not changed behind their back: Enable's refusal is shown", async () => {
		await start({ maxPageSize: 100, oversizedPage: 'refuse' });
		const result = await runEnableNode({ helper, parameters: { ...RETURN_ALL, options: { pageSize: 500 } } });
		expect(result.error?.message).toBe('Enable rejected the request: Invalid page size');
		expect(result.error?.description).toContain('Set a smaller Page Size');
		expect(pageSizes()).toEqual(['500']);
	});

	test('Limit below the page size asks for exactly the limit, in one request', async () => {
		await start();
		const result = await runEnableNode({ helper, parameters: { resource: 'deal', operation: 'getAll', limit: 10 } });
		expect(result.items).toHaveLength(10);
		expect(pageSizes()).toEqual(['10']);
	});
});

describe('concurrency across input items', () => {
	const getEach = (ids: string[]) => ({
		inputItems: ids.map((id) => ({ id })),
		parameters: { resource: 'deal', operation: 'get', dealId: '={{ $json.id }}' } as IDataObject,
	});

	test('Gets run five at a time by default, in input order with pairedItem, on one token', async () => {
		await start();
		const server = holdApiRequests(simulator, time);
		const ids = dealIds().slice(0, 20).reverse();
		const started = clock.now();
		const running = runEnableNode({ helper, ...getEach(ids) });
		// Every request takes 60 ms: the first item alone (it fetches the token), then five at a time.
		for (const together of [1, 5, 5, 5, 4]) {
			await server.arrived(together);
			server.answer(60);
		}
		const result = await running;
		const elapsed = clock.now() - started;
		expect(result.items.map((item) => item.json.id)).toEqual(ids);
		expect(result.items.map((item) => (item.pairedItem as { item: number }).item)).toEqual(ids.map((_, index) => index));
		expect(simulator.stats().peakConcurrentApiRequests).toBe(5);
		expect(simulator.stats().tokenRequests).toBe(1);
		// 20 × 60 ms one after another would be 1.2 s.
		expect(elapsed).toBeLessThan(900);
	}, 10_000);

	test('Parallel Requests 1 is the old sequential behaviour', async () => {
		await start();
		const ids = dealIds().slice(0, 6);
		const { parameters, inputItems } = getEach(ids);
		const result = await runEnableNode({ helper, inputItems, parameters: { ...parameters, options: { concurrency: 1 } } });
		expect(result.items.map((item) => item.json.id)).toEqual(ids);
		expect(simulator.stats().peakConcurrentApiRequests).toBe(1);
	});

	test('Continue On Fail keeps each error at its item', async () => {
		await start();
		const ids = ['Nope', ...dealIds().slice(0, 3), 'Gone', dealIds()[5]];
		const result = await runEnableNode({ helper, continueOnFail: true, ...getEach(ids) });
		expect(result.items.map((item) => item.json.id ?? item.json.error)).toEqual([
			'The deal "Nope" was not found in Enable',
			...ids.slice(1, 4),
			'The deal "Gone" was not found in Enable',
			ids[5],
		]);
		expect(result.items.map((item) => (item.pairedItem as { item: number }).item)).toEqual([0, 1, 2, 3, 4, 5]);
	});

	test('without Continue On Fail the first failing item is reported and no new item starts', async () => {
		await start();
		const server = holdApiRequests(simulator, time);
		const ids = [...dealIds().slice(0, 3), 'Nope', ...dealIds().slice(3, 30)];
		const running = runEnableNode({ helper, ...getEach(ids) });
		// The first item alone, then five together: "Nope" fails while the other four are in flight.
		await server.arrived(1);
		server.answer(30);
		await server.arrived(5);
		server.answer(30);
		server.open(30);
		const result = await running;
		expect(result.error?.message).toBe('The deal "Nope" was not found in Enable');
		expect(result.error?.itemIndex).toBe(3);
		expect(simulator.stats().apiRequests).toBeLessThan(12);
	}, 10_000);

	test('a 429 on one request pauses them all for Retry-After', async () => {
		const faults: FaultRule[] = [{ kind: 'status', status: 429, onRequest: 4, retryAfter: 1 }];
		await start({ faults });
		const server = holdApiRequests(simulator, time);
		// Waits end only when the test wakes them: a request that did not wait shows.
		time.holdWaits();
		const ids = dealIds().slice(0, 15);
		const running = runEnableNode({ helper, ...getEach(ids) });
		await server.arrived(1);
		server.answer(0);
		// Requests 2 to 6 are on the wire together; the 429 (request 4) is answered first.
		await server.arrived(5);
		server.answer(0, (request) => request.number === 4);
		await time.waiting(1);
		// Then the other four: their items are done, and the next four items must wait for the pause too.
		const sentBeforePause = simulator.stats().apiRequests;
		server.answer(0);
		await Promise.race([time.waiting(5), server.arrived(1)]);
		expect(simulator.stats().apiRequests).toBe(sentBeforePause);
		server.open();
		time.holdWaits(false);
		const result = await running;
		expect(result.items.map((item) => item.json.id)).toEqual(ids);
		// When each request arrived, on the virtual clock (the log's own times are the real clock's).
		const log = simulator.requestLog.filter((entry) => entry.path.startsWith('/v1/')).map((entry, index) => ({ ...entry, at: server.arrivals[index] }));
		const limited = log.find((entry) => entry.status === 429);
		expect(limited).toBeDefined();
		// Requests already on the wire may land just after the 429; none may start during the pause.
		const duringPause = log.filter((entry) => entry.at > (limited?.at ?? 0) + 100 && entry.at < (limited?.at ?? 0) + 900);
		expect(duringPause).toEqual([]);
		expect(log.length).toBe(ids.length + 1);
		// The pause lasted the Retry-After: every request after it arrived a second later.
		expect(log.slice(sentBeforePause).every((entry) => entry.at >= (limited?.at ?? 0) + 1000)).toBe(true);
	}, 10_000);

	test('a token revoked mid-run is renewed once for all the concurrent requests', async () => {
		await start({ faults: [{ kind: 'revokeTokens', afterRequests: 6 }] });
		const server = holdApiRequests(simulator, time);
		const ids = dealIds().slice(0, 25);
		const running = runEnableNode({ helper, ...getEach(ids) });
		// Every request takes 20 ms. The first item alone, five together, then the next five
		// (requests 7 to 11) together: the token is revoked as they arrive, and all five are refused.
		for (const together of [1, 5, 5]) {
			await server.arrived(together);
			server.answer(20);
		}
		server.open(20);
		const result = await running;
		expect(result.items.map((item) => item.json.id)).toEqual(ids);
		expect(simulator.stats().tokenRequests).toBe(2);
	}, 10_000);

	test('a refusal that arrives after the token was renewed uses the new token, without asking again', async () => {
		// Request 8 is refused only once every other item has reached Enable: long after they renewed the token.
		await start({ faults: [{ kind: 'revokeTokens', afterRequests: 6 }] });
		const ids = dealIds().slice(0, 25);
		const reached = new Set<string>();
		let eighth: { path: string; answer: () => void } | undefined;
		simulator.beforeApiRequest = async (path) => {
			reached.add(path);
			if (simulator.stats().apiRequests === 8) {
				await new Promise<void>((answer) => (eighth = { path, answer }));
				return;
			}
			const held = eighth;
			if (held && ids.every((id) => `/v1/deals/${id}` === held.path || reached.has(`/v1/deals/${id}`))) held.answer();
		};
		const result = await runEnableNode({ helper, ...getEach(ids) });
		expect(result.items.map((item) => item.json.id)).toEqual(ids);
		expect(simulator.requestLog.filter((entry) => entry.status === 401).length).toBeGreaterThanOrEqual(2);
		expect(simulator.stats().tokenRequests).toBe(2);
	}, 10_000);

	test('cancelling stops every request in flight and starts no other', async () => {
		await start();
		const server = holdApiRequests(simulator, time);
		const ids = dealIds().slice(0, 40);
		let cancel = () => {};
		const started = clock.now();
		const running = runEnableNode({ helper, ...getEach(ids), onStarted: (execution) => (cancel = execution.cancel) });
		// Every request takes 400 ms: the first item alone, then five together, cancelled 600 ms in.
		await server.arrived(1);
		server.answer(400);
		await server.arrived(5);
		time.advance(200);
		cancel();
		server.answer(200);
		server.open(400);
		const result = await running;
		expect(clock.now() - started).toBeLessThan(1500);
		// The run ended as cancelled: the node's cancellation, not another error, and no records.
		expect(result.error?.message).toBe('The execution was cancelled');
		expect(result.items).toEqual([]);
		const atStop = simulator.stats().apiRequests;
		await settle();
		expect(simulator.stats().apiRequests).toBe(atStop);
		expect(atStop).toBeLessThanOrEqual(1 + 5 + 5);
	}, 10_000);
});
