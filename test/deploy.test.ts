/**
 * The Docker files (issue 23). No Docker engine runs on the machine that tests this package, so
 * they are held here to what can be checked without one: the Dockerfile passes dockerfilelint and
 * installs the package outside n8n's data volume; the image's entrypoint script, run with sh,
 * links it where n8n 2.41 finds community packages and leaves a hand-installed copy alone; the
 * compose file builds that image and keeps n8n's data in a volume. (The MCP e2e loads the package
 * into a real n8n through the same script.)
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions -- development tooling, never published: it runs in Node, with its files, processes and console */
import { execFileSync } from 'node:child_process';
import { copyFileSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { scanDirectoryForPackages } from 'n8n-core';
import { parse } from 'yaml';

const root = path.resolve(__dirname, '..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

let scratch: string;

beforeEach(() => {
	scratch = mkdtempSync(path.join(os.tmpdir(), 'enable-deploy-'));
});

afterEach(() => {
	rmSync(scratch, { recursive: true, force: true });
});

describe('deploy/Dockerfile', () => {
	const dockerfile = read('deploy/Dockerfile');

	test('passes dockerfilelint', () => {
		// eslint-disable-next-line @typescript-eslint/no-require-imports -- dockerfilelint has no types or ES module
		const { run } = require('dockerfilelint') as { run: (directory: string, content: string) => Array<{ title: string; line: number }> };
		expect(run(root, dockerfile)).toEqual([]);
	});

	test('builds on the n8n image of a chosen tag (2.x by default, 3.x by --build-arg)', () => {
		expect(dockerfile).toMatch(/^ARG N8N_VERSION=2\.41\.1$/m);
		expect(dockerfile).toMatch(/^FROM docker\.n8n\.io\/n8nio\/n8n:\$\{N8N_VERSION\}$/m);
		expect(dockerfile).toContain('--build-arg N8N_VERSION=3.0.0');
	});

	test("installs the package outside n8n's data volume, and starts through the script that links it in", () => {
		expect(dockerfile).toMatch(/cd \/opt\/n8n-nodes-enable\s+\\\s+&& npm install --omit=dev [^\n]*"n8n-nodes-enable@\$\{ENABLE_VERSION\}"/);
		const run = /^RUN [\s\S]*?[^\\]\n/m.exec(dockerfile)?.[0] ?? '';
		expect(run).toContain('npm install');
		expect(run).not.toContain('/home/node/.n8n');
		expect(dockerfile).toContain('COPY --chmod=0755 deploy/enable-entrypoint.sh /enable-entrypoint.sh');
		expect(dockerfile).toMatch(/^ENTRYPOINT \["tini", "--", "\/enable-entrypoint\.sh"\]$/m);
		expect(dockerfile).toMatch(/^USER node$/m);
		expect(read('.dockerignore').split('\n')).toEqual(expect.arrayContaining(['*', '!deploy/enable-entrypoint.sh']));
	});
});

describe('deploy/enable-entrypoint.sh', () => {
	/** A package folder standing in for the image's /opt/n8n-nodes-enable/node_modules/n8n-nodes-enable. */
	function imagePackage(): string {
		const dir = path.join(scratch, 'opt', 'node_modules', 'n8n-nodes-enable');
		mkdirSync(dir, { recursive: true });
		copyFileSync(path.join(root, 'package.json'), path.join(dir, 'package.json'));
		return dir;
	}

	const runScript = (userFolder: string, packageDir: string) =>
		execFileSync('sh', [path.join(root, 'deploy', 'enable-entrypoint.sh'), 'start', '--tunnel'], {
			env: { PATH: process.env.PATH, HOME: scratch, N8N_USER_FOLDER: userFolder, ENABLE_PACKAGE_DIR: packageDir, N8N_ENTRYPOINT: 'echo' },
			encoding: 'utf8',
		});

	test("links the image's package into the nodes folder, then starts n8n with the same arguments; again on every start", () => {
		const packageDir = imagePackage();
		const userFolder = path.join(scratch, 'home');
		expect(runScript(userFolder, packageDir).trim()).toBe('start --tunnel');
		const link = path.join(userFolder, '.n8n', 'nodes', 'node_modules', 'n8n-nodes-enable');
		expect(lstatSync(link).isSymbolicLink()).toBe(true);
		expect(readlinkSync(link)).toBe(packageDir);
		expect(runScript(userFolder, packageDir).trim()).toBe('start --tunnel');
		expect(readlinkSync(link)).toBe(packageDir);
	});

	test('n8n 2.41 finds the linked package where it looks for community packages', async () => {
		const userFolder = path.join(scratch, 'home');
		runScript(userFolder, imagePackage());
		const loaders = await scanDirectoryForPackages(path.join(userFolder, '.n8n', 'nodes', 'node_modules'));
		expect(loaders.map((loader) => loader.packageName)).toEqual(['n8n-nodes-enable']);
	});

	test('a copy installed in the volume by hand is left alone', () => {
		const userFolder = path.join(scratch, 'home');
		const own = path.join(userFolder, '.n8n', 'nodes', 'node_modules', 'n8n-nodes-enable');
		mkdirSync(own, { recursive: true });
		expect(runScript(userFolder, imagePackage())).toContain('using the copy installed in');
		expect(lstatSync(own).isSymbolicLink()).toBe(false);
	});
});

test('deploy/docker-compose.yml runs the built image with its data in a volume and a required encryption key', () => {
	const compose = parse(read('deploy/docker-compose.yml')) as { services: Record<string, { build?: { context?: string; dockerfile?: string; args?: Record<string, string> }; environment?: Record<string, string>; volumes?: string[]; ports?: string[] }> };
	expect(Object.keys(compose.services)).toEqual(['n8n']);
	const n8n = compose.services.n8n;
	expect(n8n.build).toEqual({ context: '..', dockerfile: 'deploy/Dockerfile', args: { N8N_VERSION: '${N8N_VERSION:-2.41.1}' } });
	expect(n8n.volumes).toEqual(['n8n_data:/home/node/.n8n']);
	expect(n8n.environment?.N8N_ENCRYPTION_KEY).toMatch(/^\$\{N8N_ENCRYPTION_KEY:\?/);
	expect(n8n.ports).toEqual(['5678:5678']);
});
