/**
 * `npm run bench`: the Enable node (B) against a raw fetch loop (A) and a loop through n8n's own
 * httpRequestWithAuthentication (C, what any node pays) over the same 100 000 deals, served from
 * precomputed pages so the clients' cost shows, run alternately in fresh processes and reported as
 * ratios of medians (never a bare time: this machine is shared). Also checks that Limit 10 costs
 * one page request and that two executions share one token. Writes bench/results/latest.json.
 * `npm run bench -- --wan`: the same over HTTPS with a network round trip (bench/wan.ts);
 * `-- --peer` against the HTTP Request node in a real n8n (bench/peer.ts); `-- --poll` the trigger's
 * polls, full reads against incremental ones and under n8n's poll budget (bench/poll.ts).
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console -- development tooling, never published: it runs in Node, with its files, processes and console */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { DEMO_CLIENT, startSimulator } from '../sandbox/simulator';
import { credentialFor, runEnableNode, TestCredentialsHelper } from '../test/harness/n8n';
import { measureSide, median } from './measure';
import { runPeerBenchmark } from './peer';
import { runPollBenchmark } from './poll';
import { runWanBenchmark } from './wan';

const run = promisify(execFile);
const DEALS = Number(process.env.BENCH_DEALS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const WORKER = path.join(__dirname, 'worker.ts');

interface Measured {
	ms: number;
	records: number;
	uniqueIds: number;
	baselineRssMb: number;
	peakRssMb: number;
	tokenRequests: number;
	pageRequests: number;
}


async function main(): Promise<void> {
	// Pages are served from bodies computed once: the server's share is small, so the clients' own cost shows.
	const simulator = await startSimulator({ counts: { deals: DEALS, activity: 0, users: 10 }, defaultPageSize: 100, maxPageSize: 100, cacheResponses: true });
	// Each side is measured warm: its process runs it once unmeasured first (the worker's BENCH_WARM).
	process.env.BENCH_WARM = '1';
	const RUNS_PER_PROCESS = 2;
	const measure = async (side: 'raw' | 'node' | 'floor'): Promise<Measured> => {
		simulator.resetStats();
		let outcome: Measured;
		if (side === 'floor') {
			outcome = (await measureSide({ side: 'floor', baseUrl: simulator.baseUrl, pageSize: 100 })) as Measured;
		} else {
			const { stdout } = await run(process.execPath, ['-r', path.join(__dirname, '..', 'tools', 'register-ts.js'), WORKER, side, simulator.baseUrl], {
				maxBuffer: 1 << 20,
			});
			outcome = JSON.parse(stdout.trim().split('\n').pop() as string) as Measured;
		}
		// Per run: the process ran the side twice (warm-up, then measured).
		const stats = simulator.stats();
		return { ...outcome, tokenRequests: stats.tokenRequests / RUNS_PER_PROCESS, pageRequests: simulator.totalPageRequests() / RUNS_PER_PROCESS };
	};
	const label = { raw: 'A raw fetch   ', floor: "C n8n's helper", node: 'B Enable node ' };

	console.log(`Enable node benchmark: ${DEALS} deals, page size 100, ${ROUNDS} rounds after a warm-up, A, C and B alternating, each measured warm in its own process`);
	for (const side of ['raw', 'floor', 'node'] as const) await measure(side);
	const samples: Record<'raw' | 'node' | 'floor', Measured[]> = { raw: [], node: [], floor: [] };
	for (let round = 0; round < ROUNDS; round++) {
		const order: Array<'raw' | 'node' | 'floor'> = round % 2 ? ['node', 'floor', 'raw'] : ['raw', 'floor', 'node'];
		for (const side of order) {
			const sample = await measure(side);
			if (sample.records !== DEALS || sample.uniqueIds !== DEALS) throw new Error(`${side} returned ${sample.records} records (${sample.uniqueIds} unique), expected ${DEALS}`);
			samples[side].push(sample);
			process.stdout.write(`  round ${round + 1} ${label[side]}: ${(DEALS / (sample.ms / 1000)).toFixed(0)} records/s\n`);
		}
	}

	// Limit 10 must cost exactly one page request; two executions must share one token.
	simulator.resetStats();
	const helper = new TestCredentialsHelper(credentialFor(simulator.baseUrl, { ...DEMO_CLIENT, scopes: ['read:deals'] }));
	const limited = await runEnableNode({ helper, parameters: { resource: 'deal', operation: 'getAll', limit: 10 } });
	const limitPages = simulator.totalPageRequests();
	await runEnableNode({ helper, parameters: { resource: 'deal', operation: 'getAll', limit: 10 } });
	const sharedTokenRequests = simulator.stats().tokenRequests;
	await simulator.close();

	const summarise = (list: Measured[]) => ({
		medianMs: median(list.map((s) => s.ms)),
		minMs: Math.min(...list.map((s) => s.ms)),
		maxMs: Math.max(...list.map((s) => s.ms)),
		recordsPerSecond: DEALS / (median(list.map((s) => s.ms)) / 1000),
		peakRssMb: median(list.map((s) => s.peakRssMb)),
		rssGrowthMb: median(list.map((s) => s.peakRssMb - s.baselineRssMb)),
		tokenRequests: list.map((s) => s.tokenRequests),
		pageRequests: list.map((s) => s.pageRequests),
	});
	const a = summarise(samples.raw);
	const b = summarise(samples.node);
	const c = summarise(samples.floor);
	const result = {
		date: new Date().toISOString(),
		deals: DEALS,
		rounds: ROUNDS,
		A_rawFetch: a,
		B_enableNode: b,
		C_n8nHelperLoop: c,
		machine: { cpus: os.cpus().length, loadAverageAtEnd: os.loadavg() },
		ratios: {
			wallTimeBOverA: b.medianMs / a.medianMs,
			wallTimeBOverC: b.medianMs / c.medianMs,
			wallTimeCOverA: c.medianMs / a.medianMs,
			peakRssBOverA: b.peakRssMb / a.peakRssMb,
			rssGrowthBOverA: b.rssGrowthMb / a.rssGrowthMb,
		},
		limit10: { records: limited.items.length, pageRequests: limitPages },
		twoExecutionsTokenRequests: sharedTokenRequests,
	};
	mkdirSync(path.join(__dirname, 'results'), { recursive: true });
	writeFileSync(path.join(__dirname, 'results', 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);

	const row = (label: string, s: typeof a) =>
		`${label.padEnd(16)} ${`${(s.medianMs / 1000).toFixed(2)} s`.padStart(8)}  ${`${(s.minMs / 1000).toFixed(2)}–${(s.maxMs / 1000).toFixed(2)} s`.padStart(13)}  ${s.recordsPerSecond.toFixed(0).padStart(9)}  ${`${s.peakRssMb.toFixed(0)} MB`.padStart(8)}  ${`${s.rssGrowthMb.toFixed(0)} MB`.padStart(8)}  ${String(s.tokenRequests[0]).padStart(6)}  ${String(s.pageRequests[0]).padStart(5)}`;
	console.log(`\n${'side'.padEnd(16)} ${'median'.padStart(8)}  ${'min–max'.padStart(13)}  ${'records/s'.padStart(9)}  ${'peak RSS'.padStart(8)}  ${'growth'.padStart(8)}  tokens  pages`);
	console.log(row('A raw fetch', a));
	console.log(row("C n8n's helper", c));
	console.log(row('B Enable node', b));
	console.log(`\nB/C wall time (the node over a loop through n8n's own helper): ${result.ratios.wallTimeBOverC.toFixed(3)}   goal ≤ 1.10 ${result.ratios.wallTimeBOverC <= 1.1 ? 'met' : 'NOT met'}`);
	console.log(`C/A wall time (n8n's helper over raw fetch, as it is): ${result.ratios.wallTimeCOverA.toFixed(3)}`);
	console.log(`Load average at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (${os.cpus().length} cores)`);
	console.log(`B/A wall time (medians): ${result.ratios.wallTimeBOverA.toFixed(3)}, reported as it is`);
	console.log(`B/A peak RSS: ${result.ratios.peakRssBOverA.toFixed(2)} (growth over each process's start: ${result.ratios.rssGrowthBOverA.toFixed(2)})   goal ≤ 2 ${result.ratios.peakRssBOverA <= 2 ? 'met' : 'NOT met'}`);
	console.log(`Limit 10: ${result.limit10.records} records in ${result.limit10.pageRequests} page request(s)   goal 1 ${result.limit10.pageRequests === 1 ? 'met' : 'NOT met'}`);
	console.log(`Two executions in a row: ${sharedTokenRequests} token request(s)   goal 1 ${sharedTokenRequests === 1 ? 'met' : 'NOT met'}`);
	const tokenCountsOk = [...a.tokenRequests, ...b.tokenRequests, ...c.tokenRequests].every((n) => n === 1);
	const pageCountsOk = [...a.pageRequests, ...b.pageRequests, ...c.pageRequests].every((n) => n === Math.ceil(DEALS / 100));
	console.log(`Every run: 1 token request ${tokenCountsOk ? 'yes' : 'NO'}, ${Math.ceil(DEALS / 100)} page requests ${pageCountsOk ? 'yes' : 'NO'}`);
	console.log('Written to bench/results/latest.json');
}

const mode = process.argv.includes('--wan')
	? runWanBenchmark()
	: process.argv.includes('--peer')
		? runPeerBenchmark()
		: process.argv.includes('--poll')
			? runPollBenchmark()
			: main();
mode.catch((error: unknown) => {
	console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
	process.exit(1);
});
