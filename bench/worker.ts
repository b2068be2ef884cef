/**
 * One measured run in a fresh process, so that each side's peak memory is its own.
 * Usage: worker.ts <raw|node> <baseUrl> [limit] — prints one JSON line.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-globals, no-console -- development tooling, never published: it runs in Node, with its files, processes and console */
import { DEMO_CLIENT } from '../sandbox/simulator';
import { credentialFor, runEnableNode, TestCredentialsHelper } from '../test/harness/n8n';
import { demoTokenForm } from './sides';

interface Outcome {
	side: string;
	ms: number;
	records: number;
	uniqueIds: number;
	baselineRssMb: number;
	peakRssMb: number;
}

/** A: the physical limit — Node's fetch, one token, follow links.next, keep every record. */
async function rawLoop(baseUrl: string): Promise<unknown[]> {
	const form = demoTokenForm();
	const tokenResponse = await fetch(`${baseUrl}/oauth2/token`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
		body: form,
	});
	const { access_token: accessToken } = (await tokenResponse.json()) as { access_token: string };
	const records: unknown[] = [];
	let next: string | undefined = `${baseUrl}/v1/deals?page[size]=100`;
	while (next) {
		const response = await fetch(next, { headers: { Authorization: `Bearer ${accessToken}`, Accept: 'application/vnd.api+json' } });
		const page = (await response.json()) as { data: unknown[]; links: { next?: string } };
		for (const record of page.data) records.push(record);
		next = page.links.next ? new URL(page.links.next, baseUrl).href : undefined;
	}
	return records;
}

/** B: the Enable node, Get Many / Return All, through n8n-core's WorkflowExecute. */
async function enableNode(baseUrl: string, limit?: number): Promise<unknown[]> {
	const helper = new TestCredentialsHelper(credentialFor(baseUrl, { ...DEMO_CLIENT, scopes: ['read:deals'] }));
	const parameters = limit
		? { resource: 'deal', operation: 'getAll', returnAll: false, limit, options: { pageSize: 100 } }
		: { resource: 'deal', operation: 'getAll', returnAll: true, options: { pageSize: 100 } };
	const result = await runEnableNode({ helper, parameters });
	if (result.error) throw new Error(result.error.message);
	return result.items.map((item) => item.json);
}

async function main(): Promise<void> {
	const [side, baseUrl, limit] = process.argv.slice(2);
	const baselineRssMb = process.memoryUsage().rss / 2 ** 20;
	const measure = async () => (side === 'raw' ? await rawLoop(baseUrl) : await enableNode(baseUrl, limit ? Number(limit) : undefined));
	// BENCH_WARM=1 (the loopback mode): one unmeasured run first, so every side is measured warm.
	if (process.env.BENCH_WARM === '1') await measure();
	const started = process.hrtime.bigint();
	const records = await measure();
	const ms = Number(process.hrtime.bigint() - started) / 1e6;
	const ids = new Set(records.map((record) => (record as { id: string }).id));
	const outcome: Outcome = {
		side,
		ms,
		records: records.length,
		uniqueIds: ids.size,
		baselineRssMb,
		peakRssMb: process.resourceUsage().maxRSS / 1024,
	};
	console.log(JSON.stringify(outcome));
}

main().catch((error: unknown) => {
	console.error(error instanceof Error ? error.message : String(error));
	process.exit(1);
});
