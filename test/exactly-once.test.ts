/**
 * The Enable Trigger (version 3) against an adversary: seeded random runs, each a collection that
 * changes between polls AND between the pages of one read (creates, updates, removals, records
 * entering and leaving a filtered view, late and skewed timestamps, a record stamped days ahead),
 * read in pages of 3 to 25, under poll budgets that split reads, with 503s, 429s with Retry-After,
 * expired page links, hard restarts of n8n, Enable's sort honoured, ignored or refused (and switched
 * mid-run), on each of n8n's three pollers (test/harness/n8n.ts). Every item the trigger emits is
 * replayed into a mirror and checked against the collection's own history: a report must show a
 * state the record really went through after the one reported last (no duplicate, no false
 * removal, no update that changed nothing). After the run, with the collection quiet and a full
 * check done, the mirror must equal the collection.
 *
 * RANDOM_RUNS (default 6) and RANDOM_SEED (the first seed, default 1) run more: `RANDOM_RUNS=500
 * npx jest test/exactly-once.test.ts`. A failure names its seed; `RANDOM_SEED=<seed> RANDOM_RUNS=1`
 * runs that one again. RANDOM_RESULTS=<file> writes a summary of the runs there.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- development tooling, never published: it reads its run count from the environment and writes its summary */
import { writeFileSync } from 'node:fs';

import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { clock } from '../nodes/Enable/transport/clock';
import { createRandom, type ResourceObject } from '../sandbox/data';
import { type EnableSimulator, startSimulator } from '../sandbox/simulator';
import { restoreClock, useVirtualClock, type VirtualClock } from './harness/clock';
import { credentialFor, type PollerModel, pollTimeoutMs, TestCredentialsHelper, TriggerRunner } from './harness/n8n';

// Six by default keep npm test quick and still meet all three pollers, the New, Any Change and
// Removed events, and a sort honoured, ignored and refused; CI runs the next 150 seeds as well.
const RUNS = Number(process.env.RANDOM_RUNS ?? 6);
const FIRST_SEED = Number(process.env.RANDOM_SEED ?? 1);

const GROWTH = '02 - Growth Rebate';
const OTHER_TYPE = '01 - Guaranteed Rebate';
const MINUTE = 60_000;

type Event = 'anyChange' | 'newOrUpdated' | 'new' | 'removed';

interface Scenario {
	seed: number;
	event: Event;
	timestamp: boolean;
	filtered: boolean;
	track: boolean;
	startWith: 'changes' | 'everything';
	poller: PollerModel;
	budgetMs?: number;
	latencyMs: number;
	pageSize: number;
	deals: number;
	sort: 'honour' | 'ignore' | 'refuse';
	switchSort: boolean;
	/** Enable's clock minus n8n's. */
	skewMs: number;
	fullCheckHours: number;
	polls: number;
	/** A filtered view: whether Enable honours filter[id], and whether it matches a filter's value ignoring case. */
	idFilter: 'honour' | 'refuse' | 'ignore';
	filterMatch: 'exact' | 'ignore-case';
}

function scenarioOf(seed: number): Scenario {
	const random = createRandom(seed * 7919 + 17);
	const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)];
	const chance = (p: number) => random() < p;
	const event: Event = chance(0.65) ? 'anyChange' : pick(['newOrUpdated', 'new', 'removed'] as const);
	const split = chance(0.6);
	return {
		seed,
		event,
		timestamp: event !== 'removed' && chance(0.6),
		filtered: chance(0.35),
		track: event !== 'new' && event !== 'removed' && chance(0.3),
		startWith: event !== 'removed' && chance(0.6) ? 'everything' : 'changes',
		poller: pick(['restart', 'memory', 'durable'] as const),
		budgetMs: split ? 1_400 + Math.floor(random() * 6_000) : undefined,
		latencyMs: 200 + Math.floor(random() * 1_300),
		pageSize: 3 + Math.floor(random() * 23),
		deals: 8 + Math.floor(random() * 50),
		sort: chance(0.7) ? 'honour' : pick(['ignore', 'refuse'] as const),
		switchSort: chance(0.25),
		skewMs: Math.round((random() * 2 - 1) * 3 * MINUTE),
		fullCheckHours: pick([0.25, 0.5, 1]),
		polls: 35 + Math.floor(random() * 30),
		// Drawn last, so that every earlier choice of a seed stays as it was.
		idFilter: chance(0.3) ? pick(['refuse', 'ignore'] as const) : 'honour',
		filterMatch: chance(0.3) ? 'ignore-case' : 'exact',
	};
}

/** What a record looks like to a mirror: its attributes, in a stable form. */
function contentOf(attributes: IDataObject): string {
	return JSON.stringify(Object.keys(attributes).sort().map((name) => [name, attributes[name]]));
}

/** The attributes an emitted item carries (Simplify: flat attributes, relationships apart). */
function itemContent(json: IDataObject): string {
	const attributes: IDataObject = {};
	for (const [name, value] of Object.entries(json)) if (!['id', 'relationships', '_change', '_changed', '_previous'].includes(name)) attributes[name] = value;
	return contentOf(attributes);
}

/** Where the mirror stands on one record: the history position of its last report, and whether that left it present. */
interface Reported {
	position: number;
	present: boolean;
	content?: string;
	notes?: unknown;
}

class Run {
	readonly violations: string[] = [];

	/** Items replayed into the mirror. */
	replayed = 0;

	private readonly random: () => number;

	/** Each record's history of states in the view: its content, or null when deleted or out of the view. */
	private readonly history = new Map<string, Array<string | null>>();

	private readonly notesAt = new Map<string, unknown[]>();

	private readonly reported = new Map<string, Reported>();

	private readonly log: string[] = [];

	private changesMidRead = true;

	/**
	 * During a silent first read (Start With changes): records removed between its pages, which it
	 * may or may not have met. Its own random stream, so that the rest of a seed's run stays as it was.
	 */
	private removalsMidBaseline?: () => number;

	/** Records removed during the silent first read: their removal may or may not be reported. */
	private readonly removedInBaseline = new Set<string>();

	constructor(
		readonly scenario: Scenario,
		private readonly simulator: EnableSimulator,
		private readonly time: VirtualClock,
	) {
		this.random = createRandom(scenario.seed);
		for (const deal of simulator.store.list('deals')) this.observe(deal.id);
	}

	chance(p: number): boolean {
		return this.random() < p;
	}

	/** A whole number from 0 to below `below`. */
	upTo(below: number): number {
		return Math.floor(this.random() * below);
	}

	private inView(deal: ResourceObject | undefined): deal is ResourceObject {
		return Boolean(deal) && (!this.scenario.filtered || (deal as ResourceObject).attributes.dealType === GROWTH);
	}

	/** Appends the record's current state to its history when it changed. */
	private observe(id: string): void {
		const deal = this.simulator.store.get('deals', id);
		const state = this.inView(deal) ? contentOf(deal.attributes as IDataObject) : null;
		const history = this.history.get(id) ?? [];
		if (history.length && history[history.length - 1] === state) return;
		history.push(state);
		this.history.set(id, history);
		const notes = this.notesAt.get(id) ?? [];
		notes.push(deal?.attributes.notes);
		this.notesAt.set(id, notes);
	}

	/** A stamp by Enable's clock: now, or, now and then, late (before the lookback) or days ahead. */
	private stamp(): string {
		const now = clock.now() + this.scenario.skewMs;
		const roll = this.random();
		const at = roll < 0.06 ? now - (5 + this.random() * 20) * MINUTE : roll < 0.08 ? now + 2 * 24 * 60 * MINUTE : now;
		return new Date(at).toISOString();
	}

	/** One random change to the deals. */
	change(): void {
		const { store } = this.simulator;
		const deals = store.list('deals');
		const someDeal = () => deals[Math.floor(this.random() * deals.length)];
		const roll = this.random();
		if (roll < 0.25 || deals.length < 4) {
			const dealType = this.scenario.filtered && this.chance(0.5) ? GROWTH : undefined;
			const added = store.add('deals', { earningsModified: this.stamp(), ...(dealType ? { dealType } : {}) });
			this.log.push(`+${added.id}`);
			this.observe(added.id);
		} else if (roll < 0.4) {
			const gone = someDeal();
			store.remove('deals', gone.id);
			this.log.push(`-${gone.id}`);
			this.observe(gone.id);
		} else if (roll < 0.55 && this.scenario.filtered) {
			const deal = someDeal();
			store.update('deals', deal.id, { dealType: deal.attributes.dealType === GROWTH ? OTHER_TYPE : GROWTH, earningsModified: this.stamp() });
			this.log.push(`~${deal.id}(type)`);
			this.observe(deal.id);
		} else {
			const deal = someDeal();
			// Now and then a change that does not move the timestamp: found by the next full check.
			const stampToo = this.chance(0.9) ? { earningsModified: this.stamp() } : {};
			store.update('deals', deal.id, { notes: `n${Math.floor(this.random() * 1e6)}`, ...stampToo });
			this.log.push(`~${deal.id}`);
			this.observe(deal.id);
		}
	}

	/**
	 * Before each request is served: its latency, and now and then a change while a read is under way.
	 * The trigger looks records up five at a time, so a lookup (by id, or the view narrowed to one
	 * id) costs a fifth of a page's latency on this clock, which only moves forward.
	 */
	beforeRequest(path: string, query: URLSearchParams): void {
		const isPage = path === '/v1/deals' && !query.has('filter[id]');
		this.time.advance(isPage ? this.scenario.latencyMs : Math.ceil(this.scenario.latencyMs / 5));
		if (isPage && this.changesMidRead && this.chance(0.12)) this.change();
		if (isPage && this.removalsMidBaseline && this.removalsMidBaseline() < 0.15) this.removeInBaseline();
	}

	/** A removal while the silent first read is under way (it hid records from that read before the settling read). */
	private removeInBaseline(): void {
		const deals = this.simulator.store.list('deals');
		if (deals.length < 4 || this.removedInBaseline.size * 4 >= deals.length) return;
		const gone = deals[Math.floor((this.removalsMidBaseline as () => number)() * deals.length)];
		this.simulator.store.remove('deals', gone.id);
		this.removedInBaseline.add(gone.id);
		this.log.push(`-${gone.id}(first read)`);
		this.observe(gone.id);
	}

	/** The silent first read: nothing changes but removals between its pages. */
	startBaseline(): void {
		this.changesMidRead = false;
		this.removalsMidBaseline = createRandom(this.scenario.seed * 31 + 5);
	}

	quiet(): void {
		this.changesMidRead = false;
	}

	resume(): void {
		this.changesMidRead = true;
	}

	/**
	 * The mirror starts as the view is (Start With changes: after the silent first read), with the
	 * records removed during that read still in it, as that read may have met them.
	 */
	seedMirror(): void {
		this.removalsMidBaseline = undefined;
		for (const [id, history] of this.history) {
			let position = history.length - 1;
			if (this.removedInBaseline.has(id)) while (position > 0 && history[position] === null) position--;
			const content = history[position];
			this.reported.set(id, { position, present: content !== null, content: content ?? undefined, notes: this.notesAt.get(id)?.[position] });
		}
	}

	private violation(text: string): void {
		this.violations.push(`${text} (changes so far: ${this.log.slice(-12).join(' ')})`);
	}

	/** Replays one poll's items into the mirror, checking each against the record's history. */
	replay(items: INodeExecutionData[] | null, label: string): void {
		this.replayed += items?.length ?? 0;
		for (const { json } of items ?? []) {
			const id = String(json.id);
			const change = String(json._change);
			const history = this.history.get(id);
			if (!history) {
				this.violation(`${label}: ${change} ${id}, a record that never existed`);
				continue;
			}
			const last = this.reported.get(id) ?? { position: -1, present: false };
			const content = change === 'removed' ? null : itemContent(json);
			const event = this.scenario.event;
			const find = (accept: (state: string | null, position: number) => boolean) => {
				for (let position = last.position + 1; position < history.length; position++) if (accept(history[position], position)) return position;
				return -1;
			};
			let position = -1;
			if (change === 'removed') {
				if (!last.present && event === 'anyChange') this.violation(`${label}: removed ${id}, which the mirror does not hold`);
				position = find((state) => state === null);
				if (position < 0) this.violation(`${label}: removed ${id}, which has not left the view since its last report`);
			} else if (change === 'created') {
				if (last.present && event === 'anyChange') this.violation(`${label}: created ${id}, which the mirror already holds`);
				const leftSince = (to: number) => last.position < 0 || !last.present || history.slice(last.position + 1, to).includes(null);
				position = find((state, at) => state === content && leftSince(at));
				if (position < 0) this.violation(`${label}: created ${id} with content it did not newly take since its last report`);
			} else if (change === 'updated') {
				if (!last.present && event === 'anyChange') this.violation(`${label}: updated ${id}, which the mirror does not hold`);
				if (last.content === content) this.violation(`${label}: updated ${id} with the content reported last (a change reported twice)`);
				position = find((state) => state === content);
				if (position < 0) this.violation(`${label}: updated ${id} to content it did not take since its last report`);
				if (this.scenario.track && last.present) {
					const previous = (json._previous as IDataObject | undefined)?.notes;
					const changedNotes = ((json._changed as string[] | undefined) ?? []).includes('notes');
					if (changedNotes && previous !== last.notes) this.violation(`${label}: updated ${id} says notes were ${JSON.stringify(previous)}, the mirror had ${JSON.stringify(last.notes)}`);
				}
			} else {
				this.violation(`${label}: unknown _change ${change} for ${id}`);
			}
			if (position >= 0) this.reported.set(id, { position, present: change !== 'removed', content: content ?? undefined, notes: this.notesAt.get(id)?.[position] });
		}
	}

	/** After a quiet full check: what the mirror must hold, by event. */
	converged(): void {
		const { event } = this.scenario;
		for (const [id, history] of this.history) {
			const now = history[history.length - 1];
			const mirror = this.reported.get(id);
			// Removed during the silent first read, never reported since: whether that read met it is open.
			if (this.removedInBaseline.has(id) && now === null && mirror?.present && !history.slice(mirror.position + 1).some((state) => state !== null)) continue;
			if (event === 'anyChange') {
				if (now === null && mirror?.present) this.violation(`end: ${id} is gone but the mirror holds it`);
				if (now !== null && (!mirror?.present || mirror.content !== now)) this.violation(`end: ${id} is ${mirror?.present ? 'out of date' : 'missing'} in the mirror`);
			} else if (event === 'newOrUpdated') {
				if (now !== null && mirror?.content !== now) this.violation(`end: ${id} was not reported as it is now`);
			} else if (event === 'new') {
				if (now !== null && !mirror) this.violation(`end: ${id} was never reported created`);
			} else if (now === null && mirror?.present) {
				this.violation(`end: ${id} left the view and was not reported removed`);
			}
		}
	}
}

/** The errors a poll may end with in these runs; anything else is a defect. */
function expectedFailure(error: unknown): boolean {
	const cause = (error as { failure?: { cause?: string } }).failure?.cause;
	return cause === 'rate-limited' || cause === 'temporarily-unavailable';
}

interface Played {
	violations: string[];
	polls: number;
	longestPollMs: number;
	replayed: number;
}

async function play(scenario: Scenario): Promise<Played> {
	const time = useVirtualClock();
	const simulator = await startSimulator({
		counts: { deals: scenario.deals, users: 4 },
		maxPageSize: scenario.pageSize,
		seed: scenario.seed,
		sort: scenario.sort,
		idFilter: scenario.filtered ? scenario.idFilter : 'honour',
		filterMatch: scenario.filtered ? scenario.filterMatch : 'exact',
	});
	try {
		const run = new Run(scenario, simulator, time);
		simulator.beforeApiRequest = (path, query) => run.beforeRequest(path, query);
		const helper = new TestCredentialsHelper(credentialFor(simulator.baseUrl));
		const options: IDataObject = { startWith: scenario.startWith, fullCheckHours: scenario.fullCheckHours, lookbackMinutes: 10 };
		if (scenario.timestamp) options.timestampAttribute = 'earningsModified';
		if (scenario.track) options.trackAttributes = ['notes'];
		const parameters: IDataObject = { resource: 'deal', event: scenario.event, options };
		// Matching ignoring case, Enable lists the view for the value in capitals: the trigger's own
		// reading of the filter then disagrees with Enable's.
		const filterValue = scenario.filterMatch === 'ignore-case' ? GROWTH.toUpperCase() : GROWTH;
		if (scenario.filtered) parameters.filters = { filter: [{ attribute: 'dealType', value: filterValue }] };
		const runner = new TriggerRunner(helper, parameters, 3, { poller: scenario.poller, budgetMs: scenario.budgetMs });
		let longestPollMs = 0;
		let polls = 0;
		const poll = async (label: string) => {
			const started = clock.now();
			polls++;
			try {
				run.replay(await runner.tick(), label);
			} catch (error) {
				if (!expectedFailure(error)) run.violations.push(`${label}: the poll failed: ${(error as Error).message}`);
			}
			longestPollMs = Math.max(longestPollMs, clock.now() - started);
		};

		// The first complete read: with Start With changes, nothing but removals between its pages until
		// it is done; then the mirror is loaded as the view is, and what the read reported meanwhile (only
		// those removals may be) is replayed into it. (The durable scheduler keeps nothing of an
		// activation poll that emitted nothing: the first scheduled poll commits the first read.)
		if (scenario.startWith === 'changes') {
			run.startBaseline();
			const firstRead: Array<[INodeExecutionData[] | null, string]> = [[await runner.activate(), 'activation']];
			for (let guard = 0; (guard === 0 || runner.unfinished()) && guard < 200; guard++) {
				const started = clock.now();
				polls++;
				try {
					firstRead.push([await runner.tick(), 'first read']);
				} catch (error) {
					if (!expectedFailure(error)) run.violations.push(`first read: the poll failed: ${(error as Error).message}`);
				}
				longestPollMs = Math.max(longestPollMs, clock.now() - started);
				time.advance(MINUTE);
			}
			run.seedMirror();
			for (const [items, label] of firstRead) run.replay(items, label);
			run.resume();
		} else {
			try {
				run.replay(await runner.activate(), 'activation');
			} catch (error) {
				if (!expectedFailure(error)) run.violations.push(`activation failed: ${(error as Error).message}`);
			}
		}

		for (let index = 1; index <= scenario.polls; index++) {
			const changes = (run.chance(0.5) ? run.upTo(4) : 0) + (run.chance(0.4) ? 1 : 0);
			for (let i = 0; i < changes; i++) run.change();
			if (run.chance(0.04)) runner.crash();
			if (run.chance(0.03)) simulator.expireCursors();
			if (scenario.switchSort && run.chance(0.04)) simulator.configure({ sort: run.chance(0.5) ? 'honour' : run.chance(0.5) ? 'ignore' : 'refuse' });
			const next = simulator.stats().apiRequests + 1 + run.upTo(3);
			if (run.chance(0.05)) simulator.addFault({ kind: 'status', status: 503, onRequest: next });
			if (run.chance(0.04)) simulator.addFault({ kind: 'status', status: 429, onRequest: next, retryAfter: 5 + run.upTo(run.chance(0.5) ? 20 : 150) });
			await poll(`poll ${index}`);
			time.advance(MINUTE);
		}

		// Quiet: no change, no fault. The read under way ends (it may have started before the quiet);
		// then a full check falls due and runs, from its first page to its last, on a quiet collection.
		run.quiet();
		simulator.clearFaults();
		const quietPolls = async (until: () => boolean) => {
			for (let guard = 0; guard < 300 && !until(); guard++) {
				await poll(`quiet ${guard + 1}`);
				time.advance(MINUTE);
			}
		};
		await quietPolls(() => !runner.unfinished());
		time.advance(scenario.fullCheckHours * 60 * MINUTE + 3 * MINUTE);
		const checkFrom = clock.now();
		await quietPolls(() => !runner.unfinished() && Number(runner.memory().full) >= checkFrom);
		run.converged();
		// n8n abandons a poll at its timeout, of which the budget is what is left after a margin.
		if (scenario.budgetMs !== undefined && longestPollMs > pollTimeoutMs(scenario.budgetMs)) {
			run.violations.push(`a poll took ${longestPollMs} ms: n8n would have abandoned it (budget ${scenario.budgetMs} ms, timeout ${pollTimeoutMs(scenario.budgetMs)} ms)`);
		}
		return { violations: run.violations, polls, longestPollMs, replayed: run.replayed };
	} finally {
		restoreClock();
		await simulator.close();
	}
}

/** What the runs found, kept for the docs when RANDOM_RESULTS names a file (npm run figures reads test/results/exactly-once.json). */
const summary: Array<{ seed: number; event: Event; poller: PollerModel; split: boolean; timestamp: boolean; sort: string; polls: number; replayed: number; violations: number }> = [];

describe('exactly once, against a randomized collection', () => {
	for (let seed = FIRST_SEED; seed < FIRST_SEED + RUNS; seed++) {
		const scenario = scenarioOf(seed);
		const name = `seed ${seed}: ${scenario.event}${scenario.timestamp ? ' by earningsModified' : ''}${scenario.filtered ? `, a filtered view${scenario.idFilter === 'honour' ? '' : ` (filter[id] ${scenario.idFilter}d)`}${scenario.filterMatch === 'ignore-case' ? ' matched ignoring case' : ''}` : ''}, ${scenario.poller} poller${scenario.budgetMs ? `, ${scenario.budgetMs} ms budget` : ''}, pages of ${scenario.pageSize}, sort ${scenario.sort}${scenario.switchSort ? ' (switching)' : ''}`;
		test(name, async () => {
			const played = await play(scenario);
			const { event, poller, budgetMs, timestamp, sort, switchSort } = scenario;
			summary.push({ seed, event, poller, split: budgetMs !== undefined, timestamp, sort: switchSort ? `${sort}, switching` : sort, polls: played.polls, replayed: played.replayed, violations: played.violations.length });
			expect({ seed, scenario, violations: played.violations }).toEqual({ seed, scenario, violations: [] });
		});
	}

	afterAll(() => {
		const file = process.env.RANDOM_RESULTS;
		if (!file) return;
		const count = (key: 'event' | 'poller') => Object.fromEntries([...new Set(summary.map((run) => run[key]))].sort().map((value) => [value, summary.filter((run) => run[key] === value).length]));
		const result = {
			runs: summary.length,
			seeds: [FIRST_SEED, FIRST_SEED + RUNS - 1],
			failedSeeds: summary.filter((run) => run.violations).map((run) => run.seed),
			byEvent: count('event'),
			byPoller: count('poller'),
			splitByBudget: summary.filter((run) => run.split).length,
			byTimestamp: summary.filter((run) => run.timestamp).length,
			sortNotHonoured: summary.filter((run) => run.sort !== 'honour').length,
			polls: summary.reduce((sum, run) => sum + run.polls, 0),
			itemsReplayed: summary.reduce((sum, run) => sum + run.replayed, 0),
		};
		writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
	});
});
