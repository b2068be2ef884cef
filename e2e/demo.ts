/**
 * `npm run demo`: the Enable node in a real n8n against the local simulator, no Enable account
 * needed. Runs the example workflow "Get all Enable deals" and prints what came back.
 * `npm run demo -- --ui` (or `npm run dev`) starts the n8n editor with the node, the credential
 * and the example workflows loaded instead, until Ctrl-C.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions, no-console -- development tooling, never published: it runs in Node, with its files, processes and console */
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { type EnableSimulator, startSimulator } from '../sandbox/simulator';
import { CACHE_DIR, ensureN8n, freePort, HostError, stopChildrenOnExit } from './lib/host';
import { loadExamples, N8nInstance, nodeOutput, PACKAGE_ROOT, packPackage } from './lib/instance';

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

/** Prints a step, then its time; a step that runs longer prints a line every 2 s so nothing is silent. */
async function step<T>(label: string, work: () => Promise<T>): Promise<T> {
	const started = Date.now();
	process.stdout.write(`- ${label}...`);
	const ticker = setInterval(() => process.stdout.write(` ${Math.round((Date.now() - started) / 1000)}s`), 2000);
	try {
		const result = await work();
		process.stdout.write(` done (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
		return result;
	} finally {
		clearInterval(ticker);
	}
}

/** Every file below `dir`, sorted. */
function filesUnder(dir: string): string[] {
	if (!existsSync(dir)) return [];
	return readdirSync(dir, { recursive: true, withFileTypes: true })
		.filter((entry) => entry.isFile())
		.map((entry) => path.join(entry.parentPath, entry.name))
		.sort();
}

/** Whether a source of the package changed since dist was built (or dist is missing). */
function buildIsStale(): boolean {
	const built = path.join(PACKAGE_ROOT, 'dist', 'nodes', 'Enable', 'Enable.node.js');
	if (!existsSync(built)) return true;
	const sources = [
		...filesUnder(path.join(PACKAGE_ROOT, 'nodes')),
		...filesUnder(path.join(PACKAGE_ROOT, 'credentials')),
		...['package.json', 'tsconfig.json', 'tsconfig.build.json', 'gulpfile.js'].map((file) => path.join(PACKAGE_ROOT, file)),
	];
	const builtAt = statSync(built).mtimeMs;
	return sources.some((file) => statSync(file).mtimeMs > builtAt);
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex').slice(0, 16);

/**
 * What the demo's n8n folder holds, so that a repeat run only does what changed: each n8n command
 * is a start-up of several seconds, and a repeat demo needs just one (the execution).
 */
interface DemoStamp {
	package?: string;
	examples?: string;
	baseUrl?: string;
}

async function main(): Promise<void> {
	stopChildrenOnExit();
	const started = Date.now();
	if (buildIsStale()) {
		await step('Building the package (npm run build)', async () => {
			const code = await new Promise<number>((resolve) =>
				spawn('npm', ['run', 'build', '--silent'], { cwd: PACKAGE_ROOT, stdio: ['ignore', 'ignore', 'inherit'] }).on('exit', (exit) => resolve(exit ?? 1)),
			);
			if (code !== 0) throw new Error('npm run build failed (its errors are above)');
		});
	}
	const host = await ensureN8n();
	const simulator = await step('Starting the Enable API simulator', startDemoSimulator);
	console.log(`  ${simulator.baseUrl}: 250 demo deals, 400 activity entries, 30 users, and the other collections`);

	// The demo's n8n user folder is kept between runs, in the cache beside n8n.
	const instance = await N8nInstance.open(host, path.join(CACHE_DIR, `demo-n8n-${host.version}`));
	const stampFile = path.join(instance.userFolder, 'demo-stamp.json');
	const stamp = (existsSync(stampFile) ? JSON.parse(readFileSync(stampFile, 'utf8')) : {}) as DemoStamp;
	const saveStamp = () => writeFileSync(stampFile, JSON.stringify(stamp));

	const packageHash = sha256(
		[path.join(PACKAGE_ROOT, 'package.json'), ...filesUnder(path.join(PACKAGE_ROOT, 'dist'))].map((file) => `${file}:${sha256(readFileSync(file))}`).join('\n'),
	);
	if (stamp.package !== packageHash) {
		const packDir = mkdtempSync(path.join(os.tmpdir(), 'n8n-nodes-enable-pack-'));
		try {
			const tarball = await step('Packing the package (npm pack)', async () => await packPackage(packDir));
			await step('Installing it in n8n with npm, as the README says', async () => await instance.installPackage(tarball));
		} finally {
			rmSync(packDir, { recursive: true, force: true });
		}
		stamp.package = packageHash;
		saveStamp();
	} else {
		console.log('- The package is unchanged since the last demo: already installed in its n8n');
	}
	if (stamp.baseUrl !== simulator.baseUrl) {
		await step('Importing the Enable API credential (one n8n start-up)', async () => await instance.importSandboxCredential(simulator.baseUrl));
		stamp.baseUrl = simulator.baseUrl;
		saveStamp();
	}
	const examples = loadExamples();
	const examplesHash = sha256(JSON.stringify(examples));
	if (stamp.examples !== examplesHash) {
		await step(`Importing the ${examples.length} example workflows (one n8n start-up)`, async () => await instance.importWorkflows(examples));
		stamp.examples = examplesHash;
		saveStamp();
	}

	if (UI) {
		const port = process.env.N8N_PORT ? Number(process.env.N8N_PORT) : 5678;
		const server = await instance.start(port).catch(async () => await instance.start(await freePort()));
		console.log(`\nn8n ${host.version} is running with n8n-nodes-enable: ${server.url}`);
		console.log('  1. Open it; the first time, create the owner account (any e-mail and password: it stays on this machine).');
		console.log('  2. Open the workflow "Get all Enable deals" and click "Execute workflow".');
		console.log('     The credential "Enable (sandbox)" points at the simulator; the other examples are there too.');
		console.log('Press Ctrl-C to stop n8n and the simulator.');
		await new Promise(() => undefined); // until Ctrl-C; the exit handler stops n8n
		return;
	}

	const runStarted = Date.now();
	const { ok, run, output } = await step('Running "Get all Enable deals" with n8n execute (n8n starts, runs, stops)', async () => await instance.execute('enableGetAllDeals'));
	const runSeconds = (Date.now() - runStarted) / 1000;
	const deals = nodeOutput(run, 'Enable');
	await simulator.close();
	if (!ok || !deals.length) {
		throw new Error(`the workflow failed: ${run?.data?.resultData?.error?.message ?? output.trim().split('\n').slice(-5).join(' ')}`);
	}
	console.log(`\n"Get all Enable deals" ran in a real n8n ${host.version}: ${deals.length} deals, ${new Set(deals.map((d) => d.id)).size} unique ids`);
	console.log(`${table(deals.slice(0, 8), ['id', 'reference', 'dealType', 'startDate', 'endDate', 'modifiedBy'])}`);
	console.log(`... and ${deals.length - 8} more.`);
	console.log(`n8n execute took ${runSeconds.toFixed(1)} s; the whole demo ${((Date.now() - started) / 1000).toFixed(1)} s (n8n and the demo's n8n folder are cached in ${CACHE_DIR}).`);
	console.log('Next: `npm run demo -- --ui` opens the n8n editor with the node, its credential and the examples.');
}

main().catch((error: unknown) => {
	console.error(`demo: ${error instanceof HostError || error instanceof Error ? error.message : String(error)}`);
	process.exit(1);
});
