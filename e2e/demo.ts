/**
 * `npm run demo`: the Enable node in a real n8n against the local simulator, no Enable account
 * needed. Runs the example workflow "Get all Enable deals" and prints what came back.
 * `npm run demo -- --ui` (or `npm run dev`) starts the n8n editor with the node, the credential
 * and the example workflows loaded instead, until Ctrl-C.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { type EnableSimulator, startSimulator } from '../sandbox/simulator';
import { CACHE_DIR, ensureN8n, freePort, HostError, stopChildrenOnExit } from './lib/host';
import { loadExamples, N8nInstance, nodeOutput, packPackage } from './lib/instance';

const UI = process.argv.includes('--ui');

async function startDemoSimulator(): Promise<EnableSimulator> {
	const options = { counts: { deals: 250, activity: 400, users: 30 }, defaultPageSize: 50 };
	try {
		return await startSimulator({ ...options, port: 8787 });
	} catch {
		return await startSimulator(options); // 8787 is taken: any free port will do
	}
}

function table(rows: Array<Record<string, unknown>>, columns: string[]): string {
	const cells = rows.map((row) => columns.map((column) => String(row[column] ?? '')));
	const widths = columns.map((column, i) => Math.max(column.length, ...cells.map((row) => row[i].length)));
	const line = (values: string[]) => values.map((value, i) => value.padEnd(widths[i])).join('  ');
	return [line(columns), line(widths.map((width) => '-'.repeat(width))), ...cells.map(line)].join('\n');
}

async function main(): Promise<void> {
	stopChildrenOnExit();
	const started = Date.now();
	const host = await ensureN8n();
	const simulator = await startDemoSimulator();
	console.log(`Enable API simulator on ${simulator.baseUrl} (250 demo deals, 400 activity entries, 30 users)`);
	const packDir = mkdtempSync(path.join(os.tmpdir(), 'n8n-nodes-enable-pack-'));
	const instance = await N8nInstance.create(host, await packPackage(packDir));
	rmSync(packDir, { recursive: true, force: true });
	process.on('exit', () => instance.cleanup());
	await instance.importSandboxCredential(simulator.baseUrl);
	for (const example of loadExamples()) await instance.importWorkflow(example);

	if (UI) {
		const port = process.env.N8N_PORT ? Number(process.env.N8N_PORT) : 5678;
		const server = await instance.start(port).catch(async () => await instance.start(await freePort()));
		console.log(`\nn8n ${host.version} is running with n8n-nodes-enable: ${server.url}`);
		console.log('  1. Open it and create the owner account (any e-mail and password: it stays on this machine).');
		console.log('  2. Open the workflow "Get all Enable deals" and click "Execute workflow".');
		console.log('     The credential "Enable (sandbox)" points at the simulator; the other examples are there too.');
		console.log('Press Ctrl-C to stop n8n and the simulator.');
		await new Promise(() => undefined); // until Ctrl-C; the exit handler stops n8n
		return;
	}

	const runStarted = Date.now();
	const { ok, run, output } = await instance.execute('enableGetAllDeals');
	const runSeconds = (Date.now() - runStarted) / 1000;
	const deals = nodeOutput(run, 'Enable');
	await simulator.close();
	instance.cleanup();
	if (!ok || !deals.length) {
		throw new Error(`the workflow failed: ${run?.data?.resultData?.error?.message ?? output.trim().split('\n').slice(-5).join(' ')}`);
	}
	console.log(`\n"Get all Enable deals" ran in a real n8n ${host.version}: ${deals.length} deals, ${new Set(deals.map((d) => d.id)).size} unique ids`);
	console.log(`${table(deals.slice(0, 8), ['id', 'reference', 'dealType', 'startDate', 'endDate', 'modifiedBy'])}`);
	console.log(`... and ${deals.length - 8} more.`);
	console.log(`n8n execute took ${runSeconds.toFixed(1)} s; the whole demo ${((Date.now() - started) / 1000).toFixed(1)} s (n8n cached in ${CACHE_DIR}).`);
	console.log('Next: `npm run demo -- --ui` opens the n8n editor with the node, its credential and the examples.');
}

main().catch((error: unknown) => {
	console.error(`demo: ${error instanceof HostError || error instanceof Error ? error.message : String(error)}`);
	process.exit(1);
});
