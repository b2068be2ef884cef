/**
 * The e2e scripts' check helper (e2e/lib/checks.ts) cannot let a failure exit 0 (issue 29): each
 * case runs a tiny script that uses the helper as the e2e scripts do, in a child process with the
 * same TypeScript loader (`node -r ./tools/register-ts.js`), and reads its exit code. The first case
 * is how `npm run e2e:mcp` used to exit 0 when n8n failed to start: the first check failed and
 * main() returned before `finish`.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions -- development tooling, never published: it runs in Node, with its files, processes and console */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '..');
let scratch: string;

/** Each case's script (main()'s body), by name. */
const SCRIPTS: Record<string, string> = {
	'early-return': `
	let server: string | undefined;
	await check('n8n starts', async () => {
		throw new Error('n8n start exited (1)');
	});
	if (!server) return;
	await check('the checks that need n8n', () => assert(server, 'no server'));
	finish('early return', started);`,
	'all-pass': `
	await check('one', () => assert(1 + 1 === 2, 'arithmetic'));
	await check('two', async () => {
		await new Promise((resolve) => setImmediate(resolve));
	});
	finish('all pass', started);`,
	'one-fails': `
	await check('one', () => assert(false, 'wrong'));
	await check('two', () => undefined);
	finish('one fails', started);`,
	'no-finish': `
	await check('one', () => undefined);
	if (Date.now() > 0) return;
	finish('never reached', started);`,
	'exit-zero': `
	await check('one', () => assert(false, 'wrong'));
	finish('exit zero', started);
	process.exit(0);`,
};

/** Every script runs at once, each in its own child process: most of each one's time is loading TypeScript. */
const runs = new Map<string, Promise<{ code: number | null; output: string }>>();

beforeAll(() => {
	scratch = mkdtempSync(path.join(os.tmpdir(), 'enable-e2e-checks-'));
	for (const [name, body] of Object.entries(SCRIPTS)) runs.set(name, runScript(name, body));
});

afterAll(async () => {
	await Promise.allSettled(runs.values());
	rmSync(scratch, { recursive: true, force: true });
});

const ran = async (name: string) => await (runs.get(name) as Promise<{ code: number | null; output: string }>);

/** Writes `body` as main() of a script importing the helper, runs it, and returns its exit code and output. */
async function runScript(name: string, body: string): Promise<{ code: number | null; output: string }> {
	const file = path.join(scratch, `${name}.ts`);
	const helper = path.join(root, 'e2e', 'lib', 'checks');
	writeFileSync(
		file,
		[
			`import { assert, check, finish } from ${JSON.stringify(helper)};`,
			'async function main(): Promise<void> {',
			'	const started = Date.now();',
			body,
			'}',
			// The e2e scripts' own ending: only a thrown error exits 1 by itself.
			"main().catch((error: unknown) => { console.error(String(error)); process.exit(1); });",
			'',
		].join('\n'),
	);
	const child = spawn(process.execPath, ['-r', './tools/register-ts.js', file], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
	let output = '';
	child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
	child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
	const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
	return { code, output };
}

test('a check fails and the script returns early, before finish: the exit code is not 0', async () => {
	const { code, output } = await ran('early-return');
	expect(output).toContain('✗ n8n starts');
	expect(output).toContain('The run ended before its summary: 0 passed, 1 failed');
	expect(code).toBe(1);
});

test('every check passes and the script reaches finish: exit code 0', async () => {
	const { code, output } = await ran('all-pass');
	expect(output).toContain('2 passed, 0 failed');
	expect(output).not.toContain('ended before its summary');
	expect(code).toBe(0);
});

test('a check fails and the run reaches finish: exit code 1', async () => {
	const { code, output } = await ran('one-fails');
	expect(output).toContain('1 passed, 1 failed');
	expect(code).toBe(1);
});

test('every check so far passed but the script returns before finish: the exit code is not 0', async () => {
	const { code, output } = await ran('no-finish');
	expect(output).toContain('The run ended before its summary: 1 passed, 0 failed');
	expect(code).toBe(1);
});

test('a check fails and the script then calls process.exit(0): the exit code is still 1', async () => {
	const { code } = await ran('exit-zero');
	expect(code).toBe(1);
});
