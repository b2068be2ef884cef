/**
 * Polls that scale (Enable Trigger): incremental reads by a timestamp and their fallbacks, reads
 * split across polls by n8n's poll budget and resumed (an expired resume link too), waits capped
 * by the budget, and the declared failure that tells n8n when to poll again. Time is virtual: each
 * request to the simulator advances it by a chosen latency, so budgets are exact and nothing sleeps.
 */
import type { IDataObject } from 'n8n-workflow';

import { clock } from '../nodes/Enable/transport/clock';
import type { CollectionName } from '../sandbox/data';
import { type EnableSimulator, type SimulatorOptions, startSimulator } from '../sandbox/simulator';
import { restoreClock, useVirtualClock, type VirtualClock } from './harness/clock';
import { consoleLines } from './harness/quiet-console';
import { changesOf, credentialFor, type PollerModel, TestCredentialsHelper, TriggerRunner } from './harness/n8n';

let simulator: EnableSimulator;
let helper: TestCredentialsHelper;
let time: VirtualClock;

async function start(counts: Partial<Record<CollectionName, number>>, options: SimulatorOptions = {}, latencyMs = 0) {
	simulator = await startSimulator({ counts, maxPageSize: 100, ...options });
	helper = new TestCredentialsHelper(credentialFor(simulator.baseUrl));
	simulator.beforeApiRequest = () => time.advance(latencyMs);
}

beforeEach(() => {
	time = useVirtualClock();
});

afterEach(async () => {
	restoreClock();
	await simulator.close();
});

const pageQueries = (path: string) => simulator.requestLog.filter((entry) => entry.path === path).map((entry) => entry.query);
const notices = (text: string) => consoleLines().filter((line) => line.includes(text));

function trigger(parameters: IDataObject, poller: PollerModel = 'memory', budgetMs?: number, version = 3): TriggerRunner {
	return new TriggerRunner(helper, version >= 3 ? { event: 'anyChange', ...parameters } : parameters, version, { poller, budgetMs });
}

describe('incremental reads by a timestamp', () => {
	test('New Activity by date: newest first, one page a poll, each new entry once, oldest first', async () => {
		await start({ activity: 300, users: 5, deals: 10 });
		const runner = trigger({ resource: 'activity', event: 'new' });
		expect(await runner.activate()).toBeNull();
		// The baseline reads every entry (New remembers every id: issue 30), and, being several pages,
		// a settling read reads them again (a removal while it read may have hidden one from it); then
		// a small page oldest first and the first sorted read check Enable's sort.
		expect(pageQueries('/v1/activity')).toEqual([
			...Array.from({ length: 6 }, () => expect.not.objectContaining({ sort: expect.anything() })),
			expect.objectContaining({ sort: 'date', 'page[size]': '10' }),
			expect.objectContaining({ sort: '-date', 'page[size]': '1000' }),
		]);
		simulator.resetStats();
		const later = simulator.store.add('activity', { date: '2030-01-01T10:02:00.000Z' });
		const earlier = simulator.store.add('activity', { date: '2030-01-01T10:01:00.000Z' });
		expect(changesOf(await runner.tick())).toEqual([`created:${earlier.id}`, `created:${later.id}`]);
		expect(await runner.tick()).toBeNull();
		expect(simulator.totalPageRequests()).toBe(2);
		expect(pageQueries('/v1/activity').every((query) => query.sort === '-date')).toBe(true);
		// The memory is every id (a New entry is new once, whatever its date does) and a watermark.
		expect(String(runner.memory().ids).split(',')).toHaveLength(302);
		expect(runner.memory()).not.toHaveProperty('win');
	});

	test('ties at the watermark: entries stamped exactly at it are each emitted once', async () => {
		await start({ activity: 40, users: 3, deals: 5 });
		const runner = trigger({ resource: 'activity', event: 'new', options: { lookbackMinutes: 0 } });
		await runner.activate();
		const watermark = String(runner.memory().wmt);
		const tie = simulator.store.add('activity', { date: watermark });
		expect(changesOf(await runner.tick())).toEqual([`created:${tie.id}`]);
		const anotherTie = simulator.store.add('activity', { date: watermark });
		expect(changesOf(await runner.tick())).toEqual([`created:${anotherTie.id}`]);
		expect(await runner.tick()).toBeNull();
	});

	test('lookback: an entry stamped a little before the watermark but added late is emitted once', async () => {
		await start({ activity: 40, users: 3, deals: 5 });
		const runner = trigger({ resource: 'activity', event: 'new', options: { lookbackMinutes: 10 } });
		await runner.activate();
		// Stamps by the trigger's clock: a stamp ahead of a poll's start does not move the watermark past that start.
		const minutesAgo = (minutes: number) => new Date(clock.now() - minutes * 60_000).toISOString();
		const newest = simulator.store.add('activity', { date: minutesAgo(1) });
		expect(changesOf(await runner.tick())).toEqual([`created:${newest.id}`]);
		const late = simulator.store.add('activity', { date: minutesAgo(6) });
		expect(changesOf(await runner.tick())).toEqual([`created:${late.id}`]);
		expect(await runner.tick()).toBeNull();
		// Older than the lookback: not read again by the polls between full checks (the README says so).
		simulator.store.add('activity', { date: minutesAgo(61) });
		expect(await runner.tick()).toBeNull();
	});

	test('sort refused (400): a full read instead, the same result, said once, and no sort asked again for a while', async () => {
		await start({ activity: 120, users: 3, deals: 5 }, { sort: 'refuse' });
		const runner = trigger({ resource: 'activity', event: 'new' });
		await runner.activate();
		const added = simulator.store.add('activity', { date: '2030-01-01T10:00:00.000Z' });
		simulator.resetStats();
		expect(changesOf(await runner.tick())).toEqual([`created:${added.id}`]);
		expect(await runner.tick()).toBeNull();
		expect(pageQueries('/v1/activity').some((query) => 'sort' in query)).toBe(false);
		expect(notices('Enable refused sort=-date on activity entries')).toHaveLength(1);
	});

	test('sort ignored (a page not newest first): read on as a full read, the same result, said once', async () => {
		await start({ activity: 250, users: 3, deals: 5 }, { sort: 'ignore' });
		const runner = trigger({ resource: 'activity', event: 'new' });
		await runner.activate();
		const added = simulator.store.add('activity', { date: '2030-01-01T10:00:00.000Z' });
		const old = simulator.store.add('activity', { date: '2020-01-01T10:00:00.000Z' });
		expect(changesOf(await runner.tick())).toEqual([`created:${added.id}`]);
		expect(await runner.tick()).toBeNull();
		expect(old.id).toBeDefined();
		expect(notices('Enable did not return activity entries newest first for sort=-date')).toHaveLength(1);
	});

	test('records without a usable timestamp: every record is read and compared, said once', async () => {
		await start({ deals: 150, users: 5 });
		// claimPoint is never a date: no record carries a timestamp in it.
		const runner = trigger({ resource: 'deal', event: 'newOrUpdated', options: { timestampAttribute: 'claimPoint' } });
		await runner.activate();
		const deal = simulator.store.list('deals')[120];
		simulator.store.update('deals', deal.id, { notes: 'late change' });
		const added = simulator.store.add('deals');
		expect(changesOf(await runner.tick())).toEqual([`updated:${deal.id}`, `created:${added.id}`]);
		expect(await runner.tick()).toBeNull();
		expect(notices('Some deals have no claimPoint timestamp')).toHaveLength(1);
	});

	test('New or Updated by a modification timestamp: recent changes incrementally; a full check every Full Check Every (Hours) finds the rest', async () => {
		await start({ earnings: 450, deals: 20, users: 5 });
		const runner = trigger({ resource: 'earning', event: 'anyChange', options: { timestampAttribute: 'calculatedAt', fullCheckHours: 6 } });
		await runner.activate();
		const [recalculated, quiet, gone] = simulator.store.list('earnings');
		simulator.store.update('earnings', recalculated.id, { amount: 1_000, calculatedAt: '2030-02-01T09:00:00.0000000+01:00' });
		simulator.store.update('earnings', quiet.id, { status: 'Disputed' });
		simulator.store.remove('earnings', gone.id);
		simulator.resetStats();
		expect(changesOf(await runner.tick())).toEqual([`updated:${recalculated.id}`]);
		expect(pageQueries('/v1/earnings')).toEqual([expect.objectContaining({ sort: '-calculatedAt' })]);
		expect(await runner.tick()).toBeNull();
		time.advance(6 * 3_600_000);
		simulator.resetStats();
		expect(changesOf(await runner.tick())).toEqual([`updated:${quiet.id}`, `removed:${gone.id}`]);
		expect(pageQueries('/v1/earnings').some((query) => 'sort' in query)).toBe(false);
		expect(await runner.tick()).toBeNull();
	});
});

describe("within n8n's poll budget", () => {
	test('4 000 deals at 1.2 s a page under a 4 s budget: no poll overruns, the read resumes where it stopped, every change arrives once', async () => {
		await start({ deals: 4000, users: 5 }, {}, 1200);
		const budgetMs = 4000;
		const runner = trigger({ resource: 'deal' }, 'durable', budgetMs);
		const durations: number[] = [];
		const poll = async () => {
			const started = clock.now();
			const items = await runner.tick();
			durations.push(clock.now() - started);
			return items;
		};
		// The baseline spans polls; each stops before its budget runs out.
		while ((await poll()) === null && runner.unfinished());
		expect(runner.unfinished()).toBe(false);
		expect(durations.length).toBeGreaterThan(10);
		const [updated, removed] = simulator.store.list('deals').slice(2000);
		simulator.store.update('deals', updated.id, { notes: 'changed mid-read' });
		simulator.store.remove('deals', removed.id);
		const added = [simulator.store.add('deals'), simulator.store.add('deals')];
		const emitted: string[] = [];
		let removedWhileUnfinished = false;
		for (let polls = 0; polls < 100; polls++) {
			const items = changesOf(await poll());
			if (items.some((item) => item.startsWith('removed')) && runner.unfinished()) removedWhileUnfinished = true;
			emitted.push(...items);
			if (!runner.unfinished() && emitted.length >= 4) break;
		}
		expect(emitted.sort()).toEqual([`updated:${updated.id}`, `created:${added[0].id}`, `created:${added[1].id}`, `removed:${removed.id}`].sort());
		// Removals are decided only when a read completes.
		expect(removedWhileUnfinished).toBe(false);
		expect(Math.max(...durations)).toBeLessThanOrEqual(budgetMs);
		expect(await runner.drain()).toEqual([]);
	});

	test('an expired resume link: the read starts again from its first page and nothing is emitted twice', async () => {
		await start({ deals: 1000, users: 5 }, {}, 1000);
		const runner = trigger({ resource: 'deal' }, 'durable', 3500);
		await runner.activate();
		await runner.drain();
		const updated = simulator.store.list('deals')[30];
		simulator.store.update('deals', updated.id, { notes: 'early change' });
		const late = simulator.store.list('deals')[900];
		const first = changesOf(await runner.tick());
		expect(first).toEqual([`updated:${updated.id}`]);
		expect(runner.unfinished()).toBe(true);
		simulator.expireCursors();
		simulator.store.update('deals', late.id, { notes: 'late change' });
		const rest = (await runner.drain()).map((item) => `${String(item.json._change)}:${String(item.json.id)}`);
		expect(rest).toEqual([`updated:${late.id}`]);
		expect(simulator.requestLog.some((entry) => entry.status === 400 && 'page[cursor]' in entry.query)).toBe(true);
		expect(notices('refused the saved link to the next page of deals (HTTP 400)')).toHaveLength(1);
	});

	for (const poller of ['memory', 'durable'] as PollerModel[]) {
		test(`version 1 (${poller} poller): a read split by the budget still emits each new deal once, and the memory keeps its layout`, async () => {
			await start({ deals: 900, users: 5 }, {}, 1000);
			const runner = trigger({ event: 'newDeal' }, poller, 3500, 1);
			await runner.activate();
			await runner.drain();
			const added = [simulator.store.add('deals'), simulator.store.add('deals')];
			const emitted = (await runner.drain()).map((item) => item.json.id);
			expect(emitted).toEqual(added.map((deal) => deal.id));
			expect(emitted.every((id) => typeof id === 'string')).toBe(true);
			expect(Object.keys(runner.memory()).sort()).toEqual(['seen', 'signature']);
		});
	}
});

describe('waits that respect the budget', () => {
	test('a Retry-After longer than the budget ends the poll with a declared rate limit; no request before it has passed', async () => {
		await start({ deals: 300, users: 5 }, {}, 100);
		const runner = trigger({ resource: 'deal' }, 'memory', 10_000);
		await runner.activate();
		const added = simulator.store.add('deals');
		simulator.addFault({ kind: 'status', status: 429, onRequest: simulator.stats().apiRequests + 1, retryAfter: 30 });
		const started = clock.now();
		// The rate-limited poll returns normally, so that every n8n poller keeps the wait (issue 29);
		// the next poll before the wait has passed declares it to n8n's back-off.
		expect(await runner.tick()).toBeNull();
		const failed = await runner.tick().catch((error: unknown) => error as { message: string; failure?: unknown });
		expect((failed as { message: string }).message).toBe('Enable is rate-limiting requests (HTTP 429)');
		expect((failed as { failure?: unknown }).failure).toEqual({ cause: 'rate-limited', retryAfterMs: 30_000 });
		expect(clock.now() - started).toBeLessThan(10_000);
		const requests = simulator.stats().apiRequests;
		time.advance(20_000);
		expect(await runner.tick()).toBeNull();
		expect(simulator.stats().apiRequests).toBe(requests);
		time.advance(10_000);
		expect(changesOf(await runner.tick())).toEqual([`created:${added.id}`]);
	});

	test('a back-off that fits in the budget is waited out within the poll', async () => {
		await start({ deals: 300, users: 5 }, {}, 100);
		const runner = trigger({ resource: 'deal' }, 'memory', 30_000);
		await runner.activate();
		const added = simulator.store.add('deals');
		simulator.addFault({ kind: 'status', status: 503, onRequest: simulator.stats().apiRequests + 1 });
		expect(changesOf(await runner.tick())).toEqual([`created:${added.id}`]);
	});

	test('an unknown event fails with a declared configuration cause', async () => {
		await start({ deals: 5, users: 2 });
		const failed = await trigger({ resource: 'deal', event: 'renamed' }).tick().catch((error: unknown) => error as { message: string; failure?: unknown });
		expect(failed).toEqual(expect.objectContaining({ message: 'Unknown event "renamed"', failure: { cause: 'configuration-invalid' } }));
	});
});
