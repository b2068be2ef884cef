/**
 * One measured side in a fresh process. Usage: side-worker.ts '<SideSpec JSON>' — prints one JSON
 * line: time, records, unique ids, memory.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-globals, no-console -- development tooling, never published: it runs in Node, with its files, processes and console */
import { runSide, type SideSpec } from './sides';

async function main(): Promise<void> {
	const spec = JSON.parse(process.argv[2]) as SideSpec;
	const baselineRssMb = process.memoryUsage().rss / 2 ** 20;
	// BENCH_WARM=1 (the loopback mode): one unmeasured run first, so every side is measured warm.
	if (process.env.BENCH_WARM === '1') await runSide(spec);
	const started = process.hrtime.bigint();
	const records = await runSide(spec);
	const ms = Number(process.hrtime.bigint() - started) / 1e6;
	const ids = new Set(records.map((record) => (record as { id: string }).id));
	console.log(JSON.stringify({ ms, records: records.length, uniqueIds: ids.size, baselineRssMb, peakRssMb: process.resourceUsage().maxRSS / 1024 }));
}

main().catch((error: unknown) => {
	console.error(error instanceof Error ? error.message : String(error));
	process.exit(1);
});
