/**
 * Each way an adversary broke "each change exactly once" (issue 30), replayed deterministically in
 * a few steps: one page per poll where a read must span polls (1 s a request, a 1.4 s budget), the
 * collection changed between polls or between the pages of one read. Time is virtual.
 */
import type { IDataObject, INodeType } from 'n8n-workflow';

import { clock } from '../nodes/Enable/transport/clock';
import type { ResourceObject } from '../sandbox/data';
import { type EnableSimulator, type SimulatorOptions, startSimulator } from '../sandbox/simulator';
import { restoreClock, useVirtualClock, type VirtualClock } from './harness/clock';
import { changesOf, credentialFor, TestCredentialsHelper, TriggerRunner, type TriggerRunnerOptions } from './harness/n8n';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

let simulator: EnableSimulator;
let helper: TestCredentialsHelper;
let time: VirtualClock;
/** Runs before each page of deals is served (the query says which page). */
let onPage: ((query: URLSearchParams) => void) | undefined;
/** How long Enable takes to answer a request (virtual ms). */
let requestMs = 1000;

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * `deals` deals, pages of `pageSize`, 1 s a request. Every deal is stamped days ago, the first in
 * storage order the newest, so that newest first and storage order agree until something changes.
 */
async function start(deals: number, pageSize: number, options: SimulatorOptions = {}): Promise<ResourceObject[]> {
	time = useVirtualClock();
	simulator = await startSimulator({ counts: { deals, users: 3 }, maxPageSize: pageSize, ...options });
	helper = new TestCredentialsHelper(credentialFor(simulator.baseUrl));
	simulator.beforeApiRequest = (path, query) => {
		time.advance(requestMs);
		if (path === '/v1/deals' && !query.has('filter[id]')) onPage?.(query);
	};
	const list = [...simulator.store.list('deals')];
	list.forEach((deal, index) => simulator.store.update('deals', deal.id, { earningsModified: iso(clock.now() - (10 + index) * DAY) }));
	return list;
}

afterEach(async () => {
	onPage = undefined;
	requestMs = 1000;
	restoreClock();
	await simulator.close();
});

/** A change to a deal now, stamped by the clock (plus `offsetMs`). */
function touch(deal: ResourceObject, notes: string, offsetMs = 0): void {
	simulator.store.update('deals', deal.id, { notes, earningsModified: iso(clock.now() + offsetMs) });
}

function trigger(event: string, options: IDataObject = {}, runner: TriggerRunnerOptions = {}): TriggerRunner {
	return new TriggerRunner(helper, { resource: 'deal', event, options }, 3, { poller: 'memory', budgetMs: 1400, ...runner });
}

/**
 * Polls a minute apart until six polls in a row emit nothing (with a timestamp, the records within
 * the lookback are read again by every read, so a read may always span polls here); every change on the way.
 */
async function drain(runner: TriggerRunner, polls = 200): Promise<string[]> {
	const changes: string[] = [];
	let quiet = 0;
	for (let index = 0; index < polls && quiet < 6; index++) {
		const items = changesOf(await runner.tick());
		time.advance(MINUTE);
		changes.push(...items);
		quiet = items.length ? 0 : quiet + 1;
	}
	return changes;
}

const sorted = (changes: string[]) => [...changes].sort();
const cursorAt = (offset: number) => Buffer.from(String(offset)).toString('base64url');

test('1. a read split across polls, records changed between its polls: moved, not unsorted; nothing reported removed', async () => {
	const deals = await start(12, 3);
	const runner = trigger('anyChange', { timestampAttribute: 'earningsModified' });
	await runner.activate();
	await drain(runner);
	const [d0, d1, d2, d3, d4, d5] = deals;
	[d0, d1, d2, d3].forEach((deal, index) => touch(deal, `first ${index}`, index * 1000));
	// One page a poll: the first holds d3, d2, d1.
	expect(changesOf(await runner.tick())).toEqual([`updated:${d1.id}`, `updated:${d2.id}`, `updated:${d3.id}`]);
	expect(runner.unfinished()).toBe(true);
	touch(d4, 'between polls', 10_000);
	touch(d5, 'between polls', 11_000);
	// The next page starts with d2 and d1 again, pushed down by d4 and d5: they are read again, not taken for disorder.
	expect(sorted(await drain(runner))).toEqual(sorted([`updated:${d0.id}`, `updated:${d4.id}`, `updated:${d5.id}`]));
	expect(await drain(runner)).toEqual([]);
});

test('2. a record deleted between two pages of one read: the record that shifted onto the page already read is not reported removed', async () => {
	const deals = await start(9, 3);
	const runner = trigger('anyChange', {}, { budgetMs: undefined });
	await runner.activate();
	const deleted = deals[1];
	const shifted = deals[3];
	onPage = (query) => {
		// Page 2 is asked for after page 1 (deals 0–2) was read: deal 1 goes, deal 3 moves onto page 1.
		if (query.get('page[cursor]') === cursorAt(3) && simulator.store.get('deals', deleted.id)) simulator.store.remove('deals', deleted.id);
	};
	// This read met deal 1 before it went, and not deal 3: deal 3 is looked up, found, and not reported.
	expect(await runner.tick()).toBeNull();
	expect(simulator.requestLog.some((entry) => entry.path === `/v1/deals/${shifted.id}` && entry.status === 200)).toBe(true);
	onPage = undefined;
	// The next read misses deal 1: looked up, gone, removed. Nothing else, ever.
	expect(await drain(runner)).toEqual([`removed:${deleted.id}`]);
	expect(await drain(runner)).toEqual([]);
});

test('3. a split read that skips a record after a deletion (offset paging): New reports it at the next read, once', async () => {
	await start(9, 3);
	const runner = trigger('new', { timestampAttribute: 'earningsModified' });
	await runner.activate();
	await drain(runner);
	// Two new deals stamped more than the lookback before the three newest.
	const added = [-30, -29, 0, 1, 2].map((minutes) => simulator.store.add('deals', { earningsModified: iso(clock.now() + minutes * MINUTE) }));
	// Page 1 of the sorted read: the three newest.
	expect(changesOf(await runner.tick())).toEqual([added[2], added[3], added[4]].map((deal) => `created:${deal.id}`));
	// Before page 2: one already read goes, so the record that was first on page 2 (added[1]) moves onto page 1.
	simulator.store.remove('deals', added[3].id);
	expect(sorted(await drain(runner))).toEqual(sorted([added[0], added[1]].map((deal) => `created:${deal.id}`)));
	expect(await drain(runner)).toEqual([]);
});

test('4. a read restarted by an expired link forgets what it read: a record changed since is reported at once', async () => {
	const deals = await start(12, 3);
	const runner = trigger('anyChange', { timestampAttribute: 'earningsModified' });
	await runner.activate();
	await drain(runner);
	const changed = deals.slice(0, 6);
	changed.forEach((deal, index) => touch(deal, `first ${index}`, index * 1000));
	// Page 1: the three newest (changed[5], [4], [3]).
	expect(changesOf(await runner.tick())).toHaveLength(3);
	// Read on page 1, changed again; a quarter of an hour later another changes, and the saved link expires.
	touch(changed[4], 'second change');
	time.advance(15 * MINUTE);
	touch(deals[8], 'a later change');
	simulator.expireCursors();
	const rest = await drain(runner);
	expect(sorted(rest)).toEqual(sorted([...changed.slice(0, 3), changed[4], deals[8]].map((deal) => `updated:${deal.id}`)));
	// Reported before any full check was due.
	expect(clock.now() - Number(runner.memory().full)).toBeLessThan(DAY);
});

test('5. a full check spanning more than the lookback: a change made behind it is reported by the next read, not the next full check', async () => {
	const deals = await start(60, 3);
	const runner = trigger('anyChange', { timestampAttribute: 'earningsModified', lookbackMinutes: 10, fullCheckHours: 1 });
	await runner.activate();
	await drain(runner);
	time.advance(61 * MINUTE);
	const [first] = deals;
	const far = deals[57];
	const changes: string[] = [];
	for (let poll = 0; poll < 40; poll++) {
		// During the full check, one page a minute: the first deal changes after its page was read;
		// thirteen minutes later a deal on the last page changes, before its page is read.
		if (poll === 1) touch(first, 'behind the read');
		if (poll === 14) touch(far, 'ahead of the read');
		changes.push(...changesOf(await runner.tick()));
		time.advance(MINUTE);
	}
	expect(sorted(changes)).toEqual(sorted([`updated:${first.id}`, `updated:${far.id}`]));
	// Reported within the hour, before the next full check was due.
	expect(Number(runner.memory().full)).toBeGreaterThan(clock.now() - 60 * MINUTE);
});

test('6. Enable ignores the sort while its first page happens to run newest first: found by the check, every new deal reported', async () => {
	await start(15, 5, { sort: 'ignore' });
	const runner = trigger('new', { timestampAttribute: 'earningsModified' });
	await runner.activate();
	await drain(runner);
	// Stored after the others, so on the last page of an unsorted listing.
	const added = [simulator.store.add('deals', { earningsModified: iso(clock.now()) }), simulator.store.add('deals', { earningsModified: iso(clock.now() + 1000) })];
	expect(sorted(await drain(runner))).toEqual(sorted(added.map((deal) => `created:${deal.id}`)));
	expect(runner.memory().nosort).toBeDefined();
});

test('7. New by a timestamp that moves on updates: an updated deal is never new again', async () => {
	const deals = await start(12, 3);
	const runner = trigger('new', { timestampAttribute: 'earningsModified' });
	await runner.activate();
	await drain(runner);
	touch(deals[7], 'updated');
	touch(deals[2], 'updated', 1000);
	const added = simulator.store.add('deals', { earningsModified: iso(clock.now() + 2000) });
	expect(await drain(runner)).toEqual([`created:${added.id}`]);
	touch(added, 'updated too', 5000);
	expect(await drain(runner)).toEqual([]);
});

test('8. a deal stamped days ahead: the watermark does not follow it; deals stamped right after it are reported', async () => {
	await start(12, 3);
	const runner = trigger('anyChange', { timestampAttribute: 'earningsModified' });
	await runner.activate();
	await drain(runner);
	const ahead = simulator.store.add('deals', { earningsModified: iso(clock.now() + 3 * DAY) });
	expect(await drain(runner)).toEqual([`created:${ahead.id}`]);
	const later = simulator.store.add('deals', { earningsModified: iso(clock.now()) });
	expect(await drain(runner)).toEqual([`created:${later.id}`]);
});

test('9. legacy poller, n8n restarted before the trigger first emitted: the changes made meanwhile are reported', async () => {
	const deals = await start(12, 3);
	const runner = trigger('anyChange', {}, { budgetMs: undefined, poller: 'memory' });
	await runner.activate();
	expect(await runner.tick()).toBeNull();
	touch(deals[4], 'while n8n was down');
	const added = simulator.store.add('deals');
	runner.crash();
	expect(sorted(changesOf(await runner.tick()))).toEqual(sorted([`updated:${deals[4].id}`, `created:${added.id}`]));
});

test('9b. durable scheduler, which keeps nothing of an activation poll that emitted nothing: the first scheduled poll still reports what changed since', async () => {
	const deals = await start(12, 3);
	const runner = trigger('anyChange', {}, { budgetMs: undefined, poller: 'durable' });
	await runner.activate();
	touch(deals[4], 'before the first scheduled poll');
	expect(changesOf(await runner.tick())).toEqual([`updated:${deals[4].id}`]);
});

test('10. removals under incremental reads: found before the next full check when Enable counts the view, and their ids leave the memory', async () => {
	const deals = await start(12, 3);
	const runner = trigger('anyChange', { timestampAttribute: 'earningsModified', fullCheckHours: 24 });
	await runner.activate();
	await drain(runner);
	time.advance(2 * 60 * MINUTE);
	for (const deal of deals.slice(0, 5)) simulator.store.remove('deals', deal.id);
	// The next sorted read sees Enable's count (meta.total) below what is remembered: a full check follows at once.
	expect(sorted(await drain(runner))).toEqual(sorted(deals.slice(0, 5).map((deal) => `removed:${deal.id}`)));
	expect(String(runner.memory().ids).split(',')).toHaveLength(7);
	expect(clock.now() - Number(runner.memory().full)).toBeLessThan(60 * MINUTE);
});

test('11. a record changed between two pages of one read, moved down by an older stamp: created, then updated, in that order', async () => {
	await start(12, 3);
	const runner = trigger('anyChange', { timestampAttribute: 'earningsModified' }, { budgetMs: undefined });
	await runner.activate();
	await drain(runner);
	const added = simulator.store.add('deals', { earningsModified: iso(clock.now()) });
	const others = [1, 2].map((second) => simulator.store.add('deals', { earningsModified: iso(clock.now() - second * 1000) }));
	onPage = (query) => {
		// Before page 2: the new deal changes, stamped late (before the others), so it moves onto page 2.
		if (query.has('page[cursor]') && simulator.store.get('deals', added.id)?.attributes.notes !== 'late change') {
			simulator.store.update('deals', added.id, { notes: 'late change', earningsModified: iso(clock.now() - 60 * MINUTE) });
		}
	};
	simulator.store.add('deals', { earningsModified: iso(clock.now() - 3000) });
	const changes = changesOf(await runner.tick());
	expect(changes.filter((change) => change.endsWith(added.id))).toEqual([`created:${added.id}`, `updated:${added.id}`]);
	expect(changes).toEqual(expect.arrayContaining(others.map((deal) => `created:${deal.id}`)));
});

test('12. a record removed between two pages of the first read: the record it pushed onto the page already read is never reported created', async () => {
	const deals = await start(9, 3);
	const runner = trigger('anyChange', {}, { budgetMs: undefined });
	const [, removed, , skipped] = deals;
	onPage = (query) => {
		// Page 2 of the baseline is asked for after page 1 (deals 0-2) was read: deal 3 moves onto page 1, unread.
		if (query.get('page[cursor]') === cursorAt(3) && simulator.store.get('deals', removed.id)) simulator.store.remove('deals', removed.id);
	};
	// The baseline missed deal 3; the settling read, in the same poll, records it and finds deal 1 gone.
	const changes = changesOf(await runner.activate());
	onPage = undefined;
	changes.push(...(await drain(runner)));
	expect(changes).toEqual([`removed:${removed.id}`]);
	expect(changes).not.toContain(`created:${skipped.id}`);
});

test('13. a poll n8n abandons at its timeout: the change it found comes with a later poll, once', async () => {
	const deals = await start(12, 3);
	const runner = trigger('anyChange', {}, { poller: 'durable', budgetMs: 30_000 });
	await runner.activate();
	await drain(runner);
	touch(deals[1], 'found by an abandoned poll');
	onPage = (query) => {
		// The last page answers after 40 s: the poll ends past n8n's timeout (37.5 s for a 30 s budget).
		if (query.get('page[cursor]') === cursorAt(9)) time.advance(40_000);
	};
	expect(await runner.tick()).toBeNull();
	expect(runner.abandoned).toBe(1);
	onPage = undefined;
	expect(await drain(runner)).toEqual([`updated:${deals[1].id}`]);
	expect(await drain(runner)).toEqual([]);
});

test('14. n8n 1.x gives no budget: a poll keeps to n8n\'s default 5 minutes, and every change comes once', async () => {
	const deals = await start(60, 3);
	requestMs = 20_000;
	const runner = trigger('anyChange', {}, { poller: 'memory', budgetMs: undefined, noBudget: true });
	await runner.activate();
	const longest = { ms: 0 };
	const timed = async () => {
		const started = clock.now();
		const items = changesOf(await runner.tick());
		longest.ms = Math.max(longest.ms, clock.now() - started);
		return items;
	};
	const drainTimed = async () => {
		const changes: string[] = [];
		for (let quiet = 0, poll = 0; quiet < 3 && poll < 50; poll++) {
			const items = await timed();
			changes.push(...items);
			quiet = items.length || runner.unfinished() ? 0 : quiet + 1;
		}
		return changes;
	};
	await drainTimed();
	[deals[2], deals[30], deals[59]].forEach((deal, index) => touch(deal, `changed ${index}`));
	expect(sorted(await drainTimed())).toEqual(sorted([deals[2], deals[30], deals[59]].map((deal) => `updated:${deal.id}`)));
	// A read of 20 pages takes 400 s: it is split, each poll within 5 minutes and one more answer.
	expect(longest.ms).toBeLessThanOrEqual(5 * MINUTE + requestMs);
});

test('15. two n8n mains poll the workflow by turns: a change one reported is not reported again by the other', async () => {
	const deals = await start(6, 3);
	// The second main: its own copy of the package (and of what the trigger keeps in its process), on the same clock.
	let secondMain: INodeType | undefined;
	jest.isolateModules(() => {
		// eslint-disable-next-line @typescript-eslint/no-require-imports -- inside isolateModules: a second copy of the package, as another process loads it
		const isolatedClock = (require('../nodes/Enable/transport/clock') as typeof import('../nodes/Enable/transport/clock')).clock;
		isolatedClock.now = () => clock.now();
		isolatedClock.sleep = async (ms, signal) => await clock.sleep(ms, signal);
		// eslint-disable-next-line @typescript-eslint/no-require-imports -- as above
		secondMain = new (require('../nodes/Enable/EnableTrigger.node') as typeof import('../nodes/Enable/EnableTrigger.node')).EnableTrigger();
	});
	const workflowId = 'wf-two-mains';
	const first = trigger('anyChange', {}, { poller: 'restart', budgetMs: undefined, workflowId });
	const second = trigger('anyChange', {}, { poller: 'restart', budgetMs: undefined, workflowId, nodeType: secondMain });
	await first.activate();
	// The first main polls twice and finds nothing: n8n's database keeps the activation's memory.
	expect(await first.tick()).toBeNull();
	expect(await first.tick()).toBeNull();
	// The leadership moves: the second main reads the same database, and reports the change.
	second.saved = first.saved;
	touch(deals[2], 'reported by the second main');
	expect(changesOf(await second.tick())).toEqual([`updated:${deals[2].id}`]);
	// Back to the first main, which still holds its own later copy of the memory: the database's is newer.
	first.saved = second.saved;
	expect(await first.tick()).toBeNull();
});

test('16. a sort check that outlasts the poll: the pass waits for every answer, the next poll asks only the rest, and an ignored sort is found', async () => {
	const deals = await start(14, 3, { sort: 'ignore' });
	// Stored first, three deals stamped alike: a page of them runs oldest first and newest first at once.
	deals.slice(0, 3).forEach((deal) => simulator.store.update('deals', deal.id, { earningsModified: iso(clock.now() - 40 * DAY) }));
	deals.slice(11).forEach((deal) => simulator.store.update('deals', deal.id, { earningsModified: iso(clock.now() - 50 * DAY) }));
	const runner = trigger('new', { timestampAttribute: 'earningsModified', fullCheckHours: 24 });
	await runner.activate();
	await drain(runner);
	time.advance(25 * 60 * MINUTE);
	// The next full check reads everything (a page a poll); then, before the sorted read, the five newest go.
	const checkedBefore = Number(runner.memory().full);
	const sortDistrustedBefore = Number(runner.memory().nosort);
	const during: string[] = [];
	for (let poll = 0; poll < 20 && Number(runner.memory().full) === checkedBefore; poll++) {
		during.push(...changesOf(await runner.tick()));
		time.advance(MINUTE);
	}
	expect(Number(runner.memory().full)).toBeGreaterThan(checkedBefore);
	const gone = deals.slice(3, 8);
	gone.forEach((deal) => simulator.store.remove('deals', deal.id));
	const logFrom = simulator.requestLog.length;
	let polls = 0;
	for (; polls < 20 && Number(runner.memory().nosort) === sortDistrustedBefore; polls++) {
		during.push(...changesOf(await runner.tick()));
		time.advance(MINUTE);
	}
	expect(Number(runner.memory().nosort)).toBeGreaterThan(sortDistrustedBefore);
	// The oldest-first page, the sorted page, then the eight newest looked up over two polls, each once:
	// five gone, then three still there (Enable did not sort).
	expect(polls).toBe(4);
	const lookups = (deal: ResourceObject) => simulator.requestLog.slice(logFrom).filter((entry) => entry.path === `/v1/deals/${deal.id}`).length;
	expect(deals.slice(3, 11).map(lookups)).toEqual(Array.from({ length: 8 }, () => 1));
	expect([...during, ...(await drain(runner))]).toEqual([]);
	// A deal stored last, beyond the first page, is found.
	const added = simulator.store.add('deals', { earningsModified: iso(clock.now()) });
	expect(await drain(runner)).toEqual([`created:${added.id}`]);
});

test('17. a view whose filter Enable reads otherwise, without filter[id]: a record a read skipped is not removed, one that left is removed after two reads', async () => {
	const deals = await start(9, 3, { idFilter: 'ignore', filterMatch: 'ignore-case' });
	deals.forEach((deal) => simulator.store.update('deals', deal.id, { dealType: '02 - Growth Rebate' }));
	const view = { filters: { filter: [{ attribute: 'dealType', value: '02 - GROWTH REBATE' }] } };
	const runner = new TriggerRunner(helper, { resource: 'deal', event: 'anyChange', ...view }, 3, { poller: 'memory' });
	await runner.activate();
	await drain(runner);
	const [, removed, , skipped, , leaving] = deals;
	onPage = (query) => {
		if (query.get('page[cursor]') === cursorAt(3) && simulator.store.get('deals', removed.id)) simulator.store.remove('deals', removed.id);
	};
	// Deal 3, skipped by this read, is found by id but cannot be placed in the view here: nothing yet.
	expect(await runner.tick()).toBeNull();
	onPage = undefined;
	expect(await drain(runner)).toEqual([`removed:${removed.id}`]);
	// Deal 5 leaves the view: the first read that misses it cannot tell, the second says removed.
	simulator.store.update('deals', leaving.id, { dealType: '01 - Volume Rebate' });
	expect(changesOf(await runner.tick())).toEqual([]);
	expect(changesOf(await runner.tick())).toEqual([`removed:${leaving.id}`]);
	expect(await drain(runner)).toEqual([]);
	expect(String(runner.memory().ids).split(',')).toContain(skipped.id);
	// Enable's listings hold records the filter, read here exactly, leaves out; filter[id] was not honoured.
	expect(runner.memory()).toEqual(expect.objectContaining({ fd: 1, nif: 1 }));
});
