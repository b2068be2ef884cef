/**
 * One headless n8n instance in a temporary user folder, with this package installed the way a
 * user's community package is (a folder named n8n-nodes-enable under .n8n/nodes/node_modules,
 * holding package.json and dist/ only, so n8n-workflow comes from n8n itself).
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- development tooling, never published: it runs in Node, with its files, processes and console */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { credentialData, DEMO_CLIENT, type EnableSimulator } from '../../sandbox/simulator';
import { findLeaks } from '../../test/harness/secrets';
import type { ChildProcess } from 'node:child_process';

import { assert } from './checks';
import { freePort, type N8nHost, startProcess, stopProcess } from './host';

export const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');

/** The credential the example workflows reference, pointed at the simulator on import. */
export const SANDBOX_CREDENTIAL = { id: 'enable-sandbox', name: 'Enable (sandbox)' };

export type Workflow = {
	id: string;
	name: string;
	nodes: Array<{ name: string; type: string; parameters: Record<string, unknown>; [key: string]: unknown }>;
	connections: Record<string, unknown>;
	[key: string]: unknown;
};

/**
 * Fails when the sandbox credential's client secret, any token the simulator has issued, or any of
 * `extra` appears in `value` (n8n's output or log, an error, run data), each by its exact value:
 * an opaque token has no shape a pattern could find.
 */
export function assertNoLeak(simulator: Pick<EnableSimulator, 'issuedTokens'>, value: unknown, where: string, extra: Record<string, string> = {}): void {
	const leaks = findLeaks(value, { 'client secret': DEMO_CLIENT.clientSecret, 'access token': simulator.issuedTokens(), ...extra });
	assert(leaks.length === 0, `${leaks.join(', ')} appeared in ${where}`);
}

/** `npm pack` of the built package into `dir`; returns the tarball's path. */
export async function packPackage(dir: string): Promise<string> {
	const packed = await runToEnd('npm', ['pack', '--json', '--pack-destination', dir], { cwd: PACKAGE_ROOT, env: process.env });
	if (packed.code !== 0) throw new Error(`npm pack failed: ${packed.output.slice(-400)}`);
	const [{ filename }] = JSON.parse(packed.stdout) as Array<{ filename: string }>;
	return path.join(dir, filename);
}

async function runToEnd(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<{ code: number; stdout: string; output: string }> {
	const child = startProcess(command, args, options);
	let stdout = '';
	let output = '';
	child.stdout?.on('data', (chunk: Buffer) => {
		stdout += chunk.toString();
		output += chunk.toString();
	});
	child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
	const code = await new Promise<number>((resolve) => child.on('exit', (exitCode) => resolve(exitCode ?? 1)));
	return { code, stdout, output };
}

export function loadExamples(): Workflow[] {
	const dir = path.join(PACKAGE_ROOT, 'examples');
	return readdirSync(dir)
		.filter((file) => file.endsWith('.json'))
		.map((file) => JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Workflow);
}

export interface CliResult {
	code: number;
	stdout: string;
	stderr: string;
}

export interface StoredCredential {
	id: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
}

export class N8nInstance {
	private constructor(
		readonly host: N8nHost,
		readonly userFolder: string,
		private readonly brokerPort: number,
	) {}

	/**
	 * A fresh user folder with the package installed as the README tells a self-hosted user: the
	 * packed tarball, `npm install`ed in `.n8n/nodes` with the npm of the Node that runs n8n. The
	 * package's optional peer dependency keeps npm from pulling in a second n8n-workflow.
	 */
	static async create(host: N8nHost, tarball: string): Promise<N8nInstance> {
		const instance = await N8nInstance.open(host, mkdtempSync(path.join(os.tmpdir(), 'n8n-nodes-enable-')));
		await instance.installPackage(tarball);
		return instance;
	}

	/**
	 * A fresh user folder with the package laid out as deploy/Dockerfile lays it out: npm-installed
	 * in a folder of its own (the image's /opt/n8n-nodes-enable), then linked into `.n8n/nodes` by
	 * the image's own entrypoint script (deploy/enable-entrypoint.sh, run here with sh).
	 */
	static async createLikeImage(host: N8nHost, tarball: string): Promise<N8nInstance> {
		const instance = await N8nInstance.open(host, mkdtempSync(path.join(os.tmpdir(), 'n8n-nodes-enable-')));
		const imageDir = path.join(instance.userFolder, 'opt-n8n-nodes-enable');
		mkdirSync(imageDir, { recursive: true });
		const installed = await runToEnd('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--ignore-scripts', tarball], { cwd: imageDir, env: host.env });
		if (installed.code !== 0) throw new Error(`npm install of the packed package failed: ${installed.output.trim().slice(-600)}`);
		// The script ends by starting n8n; here it starts `true`, so it only links.
		const linked = await runToEnd('sh', [path.join(PACKAGE_ROOT, 'deploy', 'enable-entrypoint.sh')], {
			cwd: instance.userFolder,
			env: { ...host.env, N8N_USER_FOLDER: instance.userFolder, ENABLE_PACKAGE_DIR: path.join(imageDir, 'node_modules', 'n8n-nodes-enable'), N8N_ENTRYPOINT: 'true' },
		});
		if (linked.code !== 0) throw new Error(`deploy/enable-entrypoint.sh failed: ${linked.output.trim().slice(-400)}`);
		return instance;
	}

	/** An instance on an existing (or new) user folder, kept between runs by the demo. */
	static async open(host: N8nHost, userFolder: string): Promise<N8nInstance> {
		mkdirSync(userFolder, { recursive: true });
		return new N8nInstance(host, userFolder, await freePort());
	}

	/** `npm install <tarball>` in `.n8n/nodes`, and a check that nothing else came with it. */
	async installPackage(tarball: string): Promise<void> {
		const nodesDir = path.join(this.userFolder, '.n8n', 'nodes');
		mkdirSync(nodesDir, { recursive: true });
		const installed = await runToEnd('npm', ['install', '--no-audit', '--no-fund', tarball], { cwd: nodesDir, env: this.host.env });
		if (installed.code !== 0) throw new Error(`npm install of the packed package failed: ${installed.output.trim().slice(-600)}`);
		const modules = readdirSync(path.join(nodesDir, 'node_modules')).filter((name) => !name.startsWith('.'));
		if (modules.join(',') !== 'n8n-nodes-enable') {
			throw new Error(`npm install brought more than the package into .n8n/nodes: ${modules.join(', ')}`);
		}
	}

	env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
		return {
			...this.host.env,
			N8N_USER_FOLDER: this.userFolder,
			// eslint-disable-next-line @n8n/community-nodes/no-hardcoded-secrets -- the throw-away test instance's key
			N8N_ENCRYPTION_KEY: 'n8n-nodes-enable-e2e-fixed-key',
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_RUNNERS_BROKER_PORT: String(this.brokerPort),
			N8N_SECURE_COOKIE: 'false',
			DB_SQLITE_POOL_SIZE: '2',
			...this.sharedEnv,
			...extra,
		};
	}

	/** Settings every n8n process of this instance gets (queue mode: the database and Redis). */
	sharedEnv: NodeJS.ProcessEnv = {};

	/**
	 * Starts a long-running n8n process (`start`, `worker`) with its own task-runner broker port;
	 * `ready` resolves once `readyWhen` matches its output.
	 */
	async spawn(
		args: string[],
		extra: NodeJS.ProcessEnv,
		readyWhen: RegExp,
		options: { timeoutMs?: number; logFile?: string } = {},
	): Promise<{ child: ChildProcess; log: () => string }> {
		const timeoutMs = options.timeoutMs ?? 180_000;
		const child = startProcess(this.host.node, [this.host.n8nBin, ...args], {
			env: this.env({ N8N_RUNNERS_BROKER_PORT: String(await freePort()), ...extra }),
			cwd: this.userFolder,
			logFile: options.logFile,
		});
		let output = '';
		child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
		child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
		const deadline = Date.now() + timeoutMs;
		while (!readyWhen.test(output)) {
			if (child.exitCode !== null) throw new Error(`n8n ${args.join(' ')} exited (${child.exitCode}): ${output.trim().slice(-600)}`);
			if (Date.now() > deadline) {
				await stopProcess(child);
				throw new Error(`n8n ${args.join(' ')} was not ready within ${timeoutMs / 1000} s: ${output.trim().slice(-600)}`);
			}
			await new Promise((resolve) => setTimeout(resolve, 250));
		}
		return { child, log: () => output };
	}

	/** Runs one n8n command to completion. */
	async cli(args: string[], timeoutMs = 180_000): Promise<CliResult> {
		const child = startProcess(this.host.node, [this.host.n8nBin, ...args], { env: this.env(), cwd: this.userFolder });
		let stdout = '';
		let stderr = '';
		child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
		child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
		const timer = setTimeout(() => void stopProcess(child), timeoutMs);
		const code = await new Promise<number>((resolve) => child.on('exit', (exitCode) => resolve(exitCode ?? 1)));
		clearTimeout(timer);
		return { code, stdout, stderr };
	}

	private async importFile(kind: 'credentials' | 'workflow', content: unknown): Promise<void> {
		const file = path.join(this.userFolder, `import-${kind}-${Date.now()}.json`);
		writeFileSync(file, JSON.stringify(content));
		const result = await this.cli([`import:${kind}`, `--input=${file}`]);
		rmSync(file);
		if (result.code !== 0) throw new Error(`n8n import:${kind} failed: ${(result.stderr || result.stdout).trim().slice(-400)}`);
	}

	async importCredentials(credentials: StoredCredential[]): Promise<void> {
		await this.importFile('credentials', credentials);
	}

	async importWorkflow(workflow: Record<string, unknown>): Promise<void> {
		await this.importFile('workflow', workflow);
	}

	/** Publishes (activates) an imported workflow: `publish:workflow` on n8n 2.x, `update:workflow --active` where that fails (1.x). */
	async publish(id: string): Promise<void> {
		let result = await this.cli(['publish:workflow', `--id=${id}`]);
		if (result.code !== 0) result = await this.cli(['update:workflow', `--id=${id}`, '--active=true']);
		if (result.code !== 0) throw new Error(`could not publish ${id}: ${(result.stderr || result.stdout).trim().slice(-400)}`);
	}

	/** Imports many workflows with one n8n start-up (`import:workflow --separate`): each n8n command costs seconds. */
	async importWorkflows(workflows: Array<Record<string, unknown>>): Promise<void> {
		const dir = path.join(this.userFolder, `import-workflows-${Date.now()}`);
		mkdirSync(dir);
		workflows.forEach((workflow, index) => writeFileSync(path.join(dir, `${index}.json`), JSON.stringify(workflow)));
		const result = await this.cli(['import:workflow', '--separate', `--input=${dir}`]);
		rmSync(dir, { recursive: true, force: true });
		if (result.code !== 0) throw new Error(`n8n import:workflow failed: ${(result.stderr || result.stdout).trim().slice(-400)}`);
	}

	/** Imports the sandbox credential for the simulator at `baseUrl`. */
	async importSandboxCredential(baseUrl: string): Promise<void> {
		await this.importCredentials([{ ...SANDBOX_CREDENTIAL, type: 'enableApi', data: credentialData(baseUrl) }]);
	}

	/** `n8n execute --id`: the run JSON printed after the log lines, and whether n8n says it failed. */
	async execute(workflowId: string): Promise<{ ok: boolean; run: ExecutionRun | undefined; output: string }> {
		const result = await this.cli(['execute', `--id=${workflowId}`]);
		const run = runJsonIn(result.stdout);
		// n8n's exit code alone is not the run's outcome: under load `n8n execute` has exited 1 after
		// printing a run that succeeded. A run it printed decides; without one, the exit code does.
		const ok = run ? run.status === 'success' || (run.status === undefined && !run.data?.resultData?.error && result.code === 0) : result.code === 0;
		return { ok, run, output: `${result.stdout}\n${result.stderr}\n(n8n execute exited with ${result.code})` };
	}

	/** `n8n start` on a free port (with any extra settings); resolves once /healthz/readiness answers. */
	async start(port?: number, extra: NodeJS.ProcessEnv = {}): Promise<{ url: string; log: () => string; stop: () => Promise<void> }> {
		const httpPort = port ?? (await freePort());
		const child = startProcess(this.host.node, [this.host.n8nBin, 'start'], {
			env: this.env({ N8N_PORT: String(httpPort), N8N_LOG_LEVEL: 'info', ...extra }),
			cwd: this.userFolder,
		});
		let output = '';
		child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
		child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
		const url = `http://localhost:${httpPort}`;
		const deadline = Date.now() + 180_000;
		for (;;) {
			if (child.exitCode !== null) throw new Error(`n8n start exited (${child.exitCode}): ${output.trim().slice(-600)}`);
			try {
				const response = await fetch(`${url}/healthz/readiness`);
				if (response.ok) break;
			} catch {
				// not listening yet
			}
			if (Date.now() > deadline) {
				await stopProcess(child);
				throw new Error(`n8n did not become ready within 3 minutes: ${output.trim().slice(-600)}`);
			}
			await new Promise((resolve) => setTimeout(resolve, 500));
		}
		return { url, log: () => output, stop: async () => await stopProcess(child) };
	}

	/** Creates the owner account of a fresh instance and returns its session cookie. */
	static async signIn(url: string): Promise<string> {
		const setup = async () =>
			await fetch(`${url}/rest/owner/setup`, {
				method: 'POST',
				headers: { 'Content-Type': 'application/json' },
				// eslint-disable-next-line @n8n/community-nodes/no-hardcoded-secrets -- the throw-away test instance's owner
				body: JSON.stringify({ email: 'e2e@example.com', firstName: 'E2E', lastName: 'Tester', password: 'E2e-Password-123' }),
			});
		let response = await setup();
		// n8n 1.x reports ready a few seconds before its REST routes exist.
		for (let tries = 0; response.status === 404 && tries < 60; tries++) {
			await new Promise((resolve) => setTimeout(resolve, 1000));
			response = await setup();
		}
		const cookie = response.headers.get('set-cookie')?.split(';')[0];
		if (!response.ok || !cookie) throw new Error(`owner setup failed: HTTP ${response.status} ${await response.text()}`);
		return cookie;
	}

	cleanup(): void {
		rmSync(this.userFolder, { recursive: true, force: true });
	}
}

/**
 * The run JSON `n8n execute` prints after its log lines: the object from the first line that opens
 * one to the brace that closes it (a log line may follow it, such as the task runner registering).
 */
function runJsonIn(stdout: string): ExecutionRun | undefined {
	const lines = stdout.split('\n');
	const first = lines.findIndex((line) => line.startsWith('{'));
	if (first < 0) return undefined;
	const text = lines.slice(first).join('\n');
	let depth = 0;
	let inString = false;
	for (let index = 0; index < text.length; index++) {
		const char = text[index];
		if (inString) {
			if (char === '\\') index++;
			else if (char === '"') inString = false;
			continue;
		}
		if (char === '"') inString = true;
		else if (char === '{') depth++;
		else if (char === '}' && --depth === 0) {
			try {
				return JSON.parse(text.slice(0, index + 1)) as ExecutionRun;
			} catch {
				return undefined;
			}
		}
	}
	return undefined;
}

/** The parts of n8n's run JSON that the e2e reads. */
export interface ExecutionRun {
	/** `success`, `error`, ...: n8n 2.x prints it; 1.x prints `finished`. */
	status?: string;
	finished?: boolean;
	data?: {
		resultData?: {
			error?: { message?: string; description?: string };
			runData?: Record<string, Array<{ data?: { main?: Array<Array<{ json: Record<string, unknown> }>> }; error?: { message?: string } }>>;
		};
	};
}

/** The items a node output in a run (first run, first output). */
export function nodeOutput(run: ExecutionRun | undefined, nodeName: string): Array<Record<string, unknown>> {
	return (run?.data?.resultData?.runData?.[nodeName]?.[0]?.data?.main?.[0] ?? []).map((item) => item.json);
}
