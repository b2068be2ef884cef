/**
 * `npm run bench -- --poll`: how the Enable Trigger's polls scale, over HTTPS with a 50 ms round
 * trip (the WAN bench's proxy). For 10 000 and 100 000 records: requests, seconds and memory bytes
 * of one poll after a few changes, reading everything (no Changed Since Attribute) against reading
 * newest first down to the watermark; then 100 000 deals under the poll budget of n8n's durable
 * scheduler at its default 45 s timeout (36 s), New or Updated at 50 ms and Any Change at 200 ms
 * (slow enough that a read spans polls): no poll outlasts the timeout, each change arrives once.
 * Each scenario runs in a fresh process. Writes bench/results/poll.json.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console -- development tooling, never published: it runs in Node, with its files, processes and console */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import type { IDataObject } from 'n8n-workflow';

import type { Change, PollScenario } from './poll-worker';
import { startWanSimulator } from './wan';

const run = promisify(execFile);
const SIZES = (process.env.BENCH_POLL_SIZES ?? '10000,100000').split(',').map(Number);
const BUDGET_DEALS = Number(process.env.BENCH_POLL_BUDGET_DEALS ?? 100_000);
/** n8n's default poll timeout is 45 s; the budget it gives a poll is that less 20 %. */
const POLL_TIMEOUT_MS = 45_000;
const BUDGET_MS = POLL_TIMEOUT_MS * 0.8;
const ROUND_TRIP_MS = 50;
const FAR_ROUND_TRIP_MS = 200;

async function inWorker<T>(scenario: PollScenario, env: NodeJS.ProcessEnv): Promise<T> {
	const { stdout } = await run(process.execPath, ['-r', path.join(__dirname, '..', 'tools', 'register-ts.js'), path.join(__dirname, 'poll-worker.ts'), JSON.stringify(scenario)], {
		maxBuffer: 1 << 24,
		env,
	});
	return JSON.parse(stdout.trim().split('\n').pop() as string) as T;
}

interface Steady {
	first: { ms: number; requests: number };
	poll: { ms: number; requests: number; emitted: number };
	stateBytes: number;
}

interface Row {
	records: number;
	event: string;
	read: string;
	requests: number;
	seconds: number;
	stateBytes: number;
	emitted: number;
	firstPoll: { requests: number; seconds: number };
}

export async function runPollBenchmark(): Promise<void> {
	const loadBefore = os.loadavg();
	const rows: Row[] = [];
	console.log(`Trigger poll benchmark: ${SIZES.join(' and ')} records over HTTPS with a ${ROUND_TRIP_MS} ms round trip; each scenario in a fresh process`);
	for (const size of SIZES) {
		const wan = await startWanSimulator({ counts: { activity: size, deals: size, users: 20 }, maxPageSize: 1000 }, ROUND_TRIP_MS);
		const later = (minutes: number) => new Date(Date.UTC(2031, 0, 1) + minutes * 60_000).toISOString();
		const deals = wan.simulator.store.list('deals');
		const scenarios: Array<[string, string, IDataObject, Change[]]> = [
			['New activity', 'every record', { resource: 'activity', event: 'new', options: { timestampAttribute: '' } }, []],
			['New activity', 'newest first (date)', { resource: 'activity', event: 'new', options: { timestampAttribute: 'date' } }, []],
			['New or Updated deal', 'every record', { resource: 'deal', event: 'newOrUpdated', options: {} }, []],
			['New or Updated deal', 'newest first (earningsModified)', { resource: 'deal', event: 'newOrUpdated', options: { timestampAttribute: 'earningsModified' } }, []],
		];
		for (const [event, read, parameters] of scenarios) {
			// Five new entries, or five deals whose earnings were recalculated: each scenario sees its own.
			const changes: Change[] =
				parameters.resource === 'activity'
					? Array.from({ length: 5 }, (_, index) => ({ method: 'POST' as const, path: 'activity', attributes: { date: later(rows.length * 10 + index) } }))
					: deals.slice(rows.length * 5, rows.length * 5 + 5).map((deal, index) => ({
							method: 'PATCH' as const,
							path: `deals/${deal.id}`,
							attributes: { earningsModified: `${later(rows.length * 10 + index).slice(0, 19)}.0000000+01:00`, notes: `Recalculated ${rows.length}` },
						}));
			const result = await inWorker<Steady>({ kind: 'steady', baseUrl: wan.baseUrl, directUrl: wan.directUrl, parameters, changes }, wan.env);
			if (result.poll.emitted !== 5) throw new Error(`${event}, ${read}: the poll emitted ${result.poll.emitted} items, expected 5`);
			const row: Row = {
				records: size,
				event,
				read,
				requests: result.poll.requests,
				seconds: result.poll.ms / 1000,
				stateBytes: result.stateBytes,
				emitted: result.poll.emitted,
				firstPoll: { requests: result.first.requests, seconds: result.first.ms / 1000 },
			};
			rows.push(row);
			console.log(`  ${String(size).padStart(6)} ${event.padEnd(20)} ${read.padEnd(32)} ${String(row.requests).padStart(4)} requests ${row.seconds.toFixed(2).padStart(7)} s ${String(row.stateBytes).padStart(9)} bytes`);
		}
		await wan.close();
	}

	const budgets: BudgetSummary[] = [];
	// The scenario over the same 50 ms network, then Any Change over a far one (200 ms),
	// where pages come slowly enough that a read cannot fit one poll and must resume.
	budgets.push(await underBudget('newOrUpdated', ROUND_TRIP_MS));
	budgets.push(await underBudget('anyChange', FAR_ROUND_TRIP_MS));
	const result = { date: new Date().toISOString(), roundTripMs: ROUND_TRIP_MS, machine: { cpus: os.cpus().length, loadAverageBefore: loadBefore, loadAverageAfter: os.loadavg() }, rows, budgets };
	mkdirSync(path.join(__dirname, 'results'), { recursive: true });
	writeFileSync(path.join(__dirname, 'results', 'poll.json'), `${JSON.stringify(result, null, 2)}\n`);
	console.log(`Load average before/after: ${loadBefore.map((l) => l.toFixed(2)).join(' ')} / ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (${os.cpus().length} cores)`);
	console.log('Written to bench/results/poll.json');
	if (budgets.some((budget) => budget.longestPollSeconds * 1000 >= POLL_TIMEOUT_MS || !budget.eachChangeOnce)) process.exitCode = 1;
}

interface BudgetSummary {
	deals: number;
	event: 'newOrUpdated' | 'anyChange';
	roundTripMs: number;
	budgetMs: number;
	pollTimeoutMs: number;
	pollsForTheFirstRead: number;
	pollsForTheNextRead: number;
	longestPollSeconds: number;
	pagesPerPoll: number[];
	changesReported: string[];
	eachChangeOnce: boolean;
	stateBytes: number;
}

/** The deals read in full under the budget; then 2 added, 2 updated and 1 removed, read again. */
async function underBudget(event: 'newOrUpdated' | 'anyChange', roundTripMs: number): Promise<BudgetSummary> {
	const wan = await startWanSimulator({ counts: { deals: BUDGET_DEALS, users: 20 }, maxPageSize: 1000 }, roundTripMs);
	const store = wan.simulator.store.list('deals');
	const changes: Change[] = [
		{ method: 'POST', path: 'deals', attributes: { reference: 'BENCH-1' } },
		{ method: 'POST', path: 'deals', attributes: { reference: 'BENCH-2' } },
		{ method: 'PATCH', path: `deals/${store[10].id}`, attributes: { notes: 'changed' } },
		{ method: 'PATCH', path: `deals/${store[BUDGET_DEALS - 10].id}`, attributes: { notes: 'changed' } },
		{ method: 'DELETE', path: `deals/${store[BUDGET_DEALS / 2].id}` },
	];
	// New or Updated does not report removals; Any Change reports all five.
	const expected = { created: 2, updated: 2, removed: event === 'anyChange' ? 1 : 0 };
	const label = event === 'anyChange' ? 'Any Change' : 'New or Updated';
	console.log(`  ${BUDGET_DEALS} deals, ${label}, every record, ${roundTripMs} ms round trip, ${BUDGET_MS / 1000} s budget (the durable scheduler's for a 45 s poll timeout)...`);
	const outcome = await inWorker<{ polls: Array<{ ms: number; requests: number; emitted: number }>; baselinePolls: number; emitted: string[]; stateBytes: number }>(
		{ kind: 'budget', baseUrl: wan.baseUrl, directUrl: wan.directUrl, parameters: { resource: 'deal', event, options: {} }, budgetMs: BUDGET_MS, changes },
		wan.env,
	);
	await wan.close();
	const count = (change: string) => outcome.emitted.filter((item) => item.startsWith(`${change}:`)).length;
	const summary: BudgetSummary = {
		deals: BUDGET_DEALS,
		event,
		roundTripMs,
		budgetMs: BUDGET_MS,
		pollTimeoutMs: POLL_TIMEOUT_MS,
		pollsForTheFirstRead: outcome.baselinePolls,
		pollsForTheNextRead: outcome.polls.length - outcome.baselinePolls,
		longestPollSeconds: Math.max(...outcome.polls.map((poll) => poll.ms)) / 1000,
		pagesPerPoll: outcome.polls.map((poll) => poll.requests),
		changesReported: outcome.emitted,
		eachChangeOnce:
			new Set(outcome.emitted).size === outcome.emitted.length &&
			count('created') === expected.created &&
			count('updated') === expected.updated &&
			count('removed') === expected.removed,
		stateBytes: outcome.stateBytes,
	};
	console.log(
		`  read in ${summary.pollsForTheFirstRead} polls, then ${summary.pollsForTheNextRead}; longest poll ${summary.longestPollSeconds.toFixed(1)} s (timeout ${POLL_TIMEOUT_MS / 1000} s); pages per poll ${summary.pagesPerPoll.join(', ')}; ${outcome.emitted.length} changes reported (${count('created')} created, ${count('updated')} updated, ${count('removed')} removed), each once and as expected: ${summary.eachChangeOnce ? 'yes' : 'NO'}`,
	);
	return summary;
}
