/**
 * `npm run bench -- --wan`: the node over a real-network round trip. The simulator serves HTTPS
 * with a self-signed certificate (trusted by the measured processes only, via NODE_EXTRA_CA_CERTS)
 * behind a proxy that delays every chunk by half the round trip each way and counts connections.
 * Sides, alternating in fresh processes: A raw keep-alive loop (page size 100, the physical limit),
 * A2 raw loop with a new connection per request (n8n's floor), B the node with its defaults, B'
 * the node with Page Size 100; then N Gets one after another against the default concurrency.
 * Writes bench/results/wan.json.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions, no-console -- development tooling, never published: it runs in Node, with its files, processes and console */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { type EnableSimulator, type SimulatorOptions, startSimulator } from '../sandbox/simulator';
import { type LatencyProxy, startLatencyProxy } from './latency-proxy';
import { measureSide, median } from './measure';
import type { SideSpec } from './sides';

const RTT_MS = Number(process.env.BENCH_RTT_MS ?? 50);
const DEALS = Number(process.env.BENCH_WAN_DEALS ?? 10_000);
const GETS = Number(process.env.BENCH_GETS ?? 500);
const ROUNDS = Number(process.env.BENCH_WAN_ROUNDS ?? 2);

/** The simulator over HTTPS behind the latency proxy: what a measured process reaches, and how. */
export interface WanSimulator {
	simulator: EnableSimulator;
	proxy: LatencyProxy;
	/** The proxy's address: every request pays the round trip. */
	baseUrl: string;
	/** The simulator's own address, for administration without the round trip. */
	directUrl: string;
	/** The environment of the measured processes: they alone trust the self-signed certificate. */
	env: NodeJS.ProcessEnv;
	close: () => Promise<void>;
}

export async function startWanSimulator(options: SimulatorOptions, roundTripMs = RTT_MS): Promise<WanSimulator> {
	const certDir = mkdtempSync(path.join(os.tmpdir(), 'enable-bench-tls-'));
	const keyFile = path.join(certDir, 'key.pem');
	const certFile = path.join(certDir, 'cert.pem');
	execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
	const simulator = await startSimulator({ ...options, tls: { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') } });
	const simulatorPort = Number(new URL(simulator.baseUrl).port);
	const proxy = await startLatencyProxy(simulatorPort, roundTripMs);
	return {
		simulator,
		proxy,
		baseUrl: `https://localhost:${proxy.port}`,
		directUrl: `https://localhost:${simulatorPort}`,
		env: { ...process.env, NODE_EXTRA_CA_CERTS: certFile },
		close: async () => {
			await proxy.close();
			await simulator.close();
			rmSync(certDir, { recursive: true, force: true });
		},
	};
}

export async function runWanBenchmark(): Promise<void> {
	const wan = await startWanSimulator({ counts: { deals: Math.max(DEALS, GETS), activity: 0 }, defaultPageSize: 100, maxPageSize: 1000, cacheResponses: true });
	const { simulator, proxy, baseUrl, env } = wan;
	const loadBefore = os.loadavg();

	const sides: Record<string, SideSpec> = {
		'A raw keep-alive, page 100': { side: 'raw', baseUrl, pageSize: 100, keepAlive: true },
		'A2 raw new connection per request, page 100': { side: 'raw', baseUrl, pageSize: 100, keepAlive: false },
		'B Enable node, defaults': { side: 'node', baseUrl, parameters: { resource: 'deal', operation: 'getAll', returnAll: true } },
		"B' Enable node, Page Size 100": { side: 'node', baseUrl, parameters: { resource: 'deal', operation: 'getAll', returnAll: true, options: { pageSize: 100 } } },
	};
	const expected = simulator.store.list('deals').length;
	const samples: Record<string, Array<{ ms: number; connections: number; tokens: number; pages: number; records: number }>> = {};
	console.log(`WAN benchmark: ${expected} deals over HTTPS with a ${RTT_MS} ms round trip, ${ROUNDS} rounds, sides alternating`);
	for (let round = 0; round < ROUNDS; round++) {
		const order = Object.keys(sides);
		if (round % 2) order.reverse();
		for (const name of order) {
			simulator.resetStats();
			proxy.resetConnections();
			const result = await measureSide(sides[name], env);
			if (result.records !== expected || result.uniqueIds !== expected) throw new Error(`${name} returned ${result.records} records (${result.uniqueIds} unique), expected ${expected}`);
			const sample = { ms: result.ms, connections: proxy.connections(), tokens: simulator.stats().tokenRequests, pages: simulator.totalPageRequests(), records: result.records };
			(samples[name] ??= []).push(sample);
			console.log(`  round ${round + 1} ${name.padEnd(46)} ${(sample.ms / 1000).toFixed(2).padStart(6)} s  ${String(sample.connections).padStart(4)} connections`);
		}
	}

	// N Gets from a sheet of ids: one after another (Parallel Requests 1) against the default.
	const ids = simulator.store.list('deals').slice(0, GETS).map((record) => ({ id: record.id }));
	const gets = async (concurrency?: number) => {
		simulator.resetStats();
		proxy.resetConnections();
		const options = concurrency === undefined ? {} : { concurrency };
		const result = await measureSide({ side: 'node', baseUrl, inputItems: ids, parameters: { resource: 'deal', operation: 'get', dealId: '={{ $json.id }}', options } }, env);
		if (result.records !== GETS) throw new Error(`Gets returned ${result.records} records, expected ${GETS}`);
		console.log(`  ${GETS} Gets, Parallel Requests ${concurrency ?? 'default (5)'}: ${(result.ms / 1000).toFixed(2)} s, ${proxy.connections()} connections`);
		return { ms: result.ms, connections: proxy.connections(), tokens: simulator.stats().tokenRequests };
	};
	const sequential = await gets(1);
	const concurrent = await gets();

	await wan.close();

	const summary = Object.fromEntries(
		Object.entries(samples).map(([name, list]) => [
			name,
			{
				medianMs: median(list.map((s) => s.ms)),
				minMs: Math.min(...list.map((s) => s.ms)),
				maxMs: Math.max(...list.map((s) => s.ms)),
				connections: list.map((s) => s.connections),
				tokenRequests: list.map((s) => s.tokens),
				pageRequests: list.map((s) => s.pages),
				records: list.map((s) => s.records),
			},
		]),
	);
	const m = (name: string) => summary[name].medianMs;
	const ratios = {
		nodeDefaultsOverRawKeepAlive: m('B Enable node, defaults') / m('A raw keep-alive, page 100'),
		nodeDefaultsOverN8nFloor: m('B Enable node, defaults') / m('A2 raw new connection per request, page 100'),
		nodePage100OverN8nFloor: m("B' Enable node, Page Size 100") / m('A2 raw new connection per request, page 100'),
		getsSequentialOverConcurrent: sequential.ms / concurrent.ms,
	};
	const result = {
		date: new Date().toISOString(),
		roundTripMs: RTT_MS,
		deals: expected,
		rounds: ROUNDS,
		machine: { cpus: os.cpus().length, loadAverageBefore: loadBefore, loadAverageAfter: os.loadavg() },
		sides: summary,
		gets: { count: GETS, sequential, concurrentDefault: concurrent },
		ratios,
	};
	mkdirSync(path.join(__dirname, 'results'), { recursive: true });
	writeFileSync(path.join(__dirname, 'results', 'wan.json'), `${JSON.stringify(result, null, 2)}\n`);
	const goal = (ok: boolean) => (ok ? 'met' : 'NOT met');
	console.log(`\nB (defaults) / A (raw keep-alive, page 100): ${ratios.nodeDefaultsOverRawKeepAlive.toFixed(2)}   goal ≤ 0.5 ${goal(ratios.nodeDefaultsOverRawKeepAlive <= 0.5)}`);
	console.log(`B (defaults) / A2 (n8n's floor, page 100):   ${ratios.nodeDefaultsOverN8nFloor.toFixed(2)}`);
	console.log(`B' (page 100) / A2 (n8n's floor, page 100):  ${ratios.nodePage100OverN8nFloor.toFixed(2)}   goal ≤ 1.05 ${goal(ratios.nodePage100OverN8nFloor <= 1.05)}`);
	console.log(`${GETS} Gets, sequential / default concurrency: ${ratios.getsSequentialOverConcurrent.toFixed(2)}×   goal ≥ 4 ${goal(ratios.getsSequentialOverConcurrent >= 4)}`);
	const tokensOk = Object.values(summary).every((s) => s.tokenRequests.every((n) => n === 1)) && sequential.tokens === 1 && concurrent.tokens === 1;
	const overFetch = Object.values(summary).every((s) => s.records.every((n) => n === expected));
	console.log(`Every run: 1 token request ${tokensOk ? 'yes' : 'NO'}; exactly ${expected} records, none over-fetched ${overFetch ? 'yes' : 'NO'}`);
	console.log(`Load average before/after: ${loadBefore.map((l) => l.toFixed(2)).join(' ')} / ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (${os.cpus().length} cores)`);
	console.log('Written to bench/results/wan.json');
}
