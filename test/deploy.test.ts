/**
 * The Docker files (issues 23 and 29). No Docker engine runs on the machine that tests this
 * package, so they are held here to what can be checked without one: the Dockerfile passes
 * dockerfilelint, builds the package from this checkout (npm ci, build, npm pack in a first stage)
 * and installs that tarball outside n8n's data volume, never the name from the npm registry; its
 * build context lets through every file the build reads and nothing else; the image's entrypoint
 * script, run with sh, links the package where n8n 2.41 finds community packages and leaves a
 * hand-installed copy alone; the compose file builds that image and keeps n8n's data in a volume.
 * (The MCP e2e loads the package into a real n8n through the same script.)
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

	/** The Dockerfile without its comments: what Docker runs. */
	const instructions = dockerfile
		.split('\n')
		.filter((line) => !line.trimStart().startsWith('#'))
		.join('\n');
	const stages = instructions.split(/^(?=FROM )/m).filter((stage) => stage.startsWith('FROM '));
	/** A stage's RUN instructions, each with its continuation lines joined. */
	const runs = (stage: string) => (stage.match(/^RUN (?:[^\n]*\\\n)*[^\n]*$/gm) ?? []).map((run) => run.replace(/\s*\\\n\s*/g, ' '));

	test('a first stage builds this checkout and packs it with npm pack, as npm publish would', () => {
		expect(stages).toHaveLength(2);
		const [build] = stages;
		expect(build).toMatch(/^FROM node:24-alpine AS package$/m);
		expect(build).toContain('COPY package.json package-lock.json ./');
		expect(runs(build)).toEqual([
			'RUN npm ci --no-audit --no-fund --ignore-scripts',
			'RUN npm run build && mkdir /pack && npm pack --pack-destination /pack && mv /pack/n8n-nodes-enable-*.tgz /pack/n8n-nodes-enable.tgz',
		]);
		// The lock file is copied before the sources, so that a source change reuses the npm ci layer.
		expect(build.indexOf('COPY package.json package-lock.json ./')).toBeLessThan(build.indexOf('RUN npm ci'));
		expect(build.indexOf('RUN npm ci')).toBeLessThan(build.indexOf('COPY . .'));
	});

	test("installs that tarball outside n8n's data volume, and starts through the script that links it in", () => {
		const image = stages[1];
		expect(image).toContain('COPY --from=package /pack/n8n-nodes-enable.tgz /tmp/n8n-nodes-enable.tgz');
		expect(image).toMatch(/^ARG ENABLE_PACKAGE=\/tmp\/n8n-nodes-enable\.tgz$/m);
		const [install] = runs(image);
		expect(install).toBe(
			'RUN mkdir -p /opt/n8n-nodes-enable && cd /opt/n8n-nodes-enable && npm install --omit=dev --no-audit --no-fund --ignore-scripts "${ENABLE_PACKAGE}" && rm /tmp/n8n-nodes-enable.tgz && chown -R node:node /opt/n8n-nodes-enable',
		);
		expect(install).not.toContain('/home/node/.n8n');
		expect(image).toContain('COPY --chmod=0755 deploy/enable-entrypoint.sh /enable-entrypoint.sh');
		expect(image).toMatch(/^ENTRYPOINT \["tini", "--", "\/enable-entrypoint\.sh"\]$/m);
		expect(image).toMatch(/^USER node$/m);
	});

	test('installs nothing of this package from the npm registry (the name is not published yet)', () => {
		expect(instructions).not.toMatch(/n8n-nodes-enable@/);
		for (const run of runs(instructions)) {
			for (const install of run.match(/npm (?:install|i|add)\b[^&]*/g) ?? []) expect(install).not.toMatch(/\sn8n-nodes-enable(?:\s|"|$)/);
		}
		// The README's switch to the published package, once it exists, is this one line.
		expect(dockerfile).toContain('set ENABLE_PACKAGE below to n8n-nodes-enable@<version>');
	});
});

describe('deploy/Dockerfile.dockerignore (the build context BuildKit sends for deploy/Dockerfile)', () => {
	const rules = read('deploy/Dockerfile.dockerignore')
		.split('\n')
		.map((line) => line.trim())
		.filter((line) => line && !line.startsWith('#'));

	/** Whether the build receives `file`: the last rule that matches it decides (the forms this file uses: *, path, !path, !dir/). */
	const sent = (file: string) => {
		let included = true;
		for (const rule of rules) {
			const pattern = rule.replace(/^!/, '');
			if (pattern === '*' || file === pattern || (pattern.endsWith('/') && file.startsWith(pattern))) included = rule.startsWith('!');
		}
		return included;
	};
	const tracked = execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' }).trim().split('\n');

	test('sends every file the build reads: the lock file, the TypeScript configurations, the gulp file, the sources and icons, README, LICENSE and the entrypoint', () => {
		const build = JSON.parse(read('tsconfig.build.json')) as { extends: string; include: string[] };
		const needed = ['package.json', 'package-lock.json', 'tsconfig.build.json', build.extends.replace(/^\.\//, ''), 'gulpfile.js', 'README.md', 'LICENSE', 'deploy/enable-entrypoint.sh'];
		const roots = build.include.map((glob) => glob.split('/')[0]);
		const sources = tracked.filter((file) => roots.some((dir) => file.startsWith(`${dir}/`)));
		expect(sources.length).toBeGreaterThan(20);
		expect([...needed, ...sources].filter((file) => !sent(file))).toEqual([]);
	});

	test('sends nothing else: no node_modules, dist, tests, tooling or local files', () => {
		for (const file of ['node_modules/typescript/package.json', 'dist/nodes/Enable/Enable.node.js', 'test/deploy.test.ts', 'e2e/run.ts', 'sandbox/simulator.ts', '.git/HEAD', '.env', 'deploy/Dockerfile']) {
			expect([file, sent(file)]).toEqual([file, false]);
		}
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

test('deploy/docker-compose.yml runs the image built from this checkout with its data in a volume and a required encryption key', () => {
	const compose = parse(read('deploy/docker-compose.yml')) as { services: Record<string, { build?: { context?: string; dockerfile?: string; args?: Record<string, string> }; environment?: Record<string, string>; volumes?: string[]; ports?: string[] }> };
	expect(Object.keys(compose.services)).toEqual(['n8n']);
	const n8n = compose.services.n8n;
	expect(n8n.build).toEqual({ context: '..', dockerfile: 'deploy/Dockerfile', args: { N8N_VERSION: '${N8N_VERSION:-2.41.1}' } });
	expect(n8n.volumes).toEqual(['n8n_data:/home/node/.n8n']);
	expect(n8n.environment?.N8N_ENCRYPTION_KEY).toMatch(/^\$\{N8N_ENCRYPTION_KEY:\?/);
	expect(n8n.ports).toEqual(['5678:5678']);
});
