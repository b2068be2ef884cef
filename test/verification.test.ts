/**
 * The claims of VERIFICATION.md that a machine can check: n8n's verification guidelines against
 * this package (no runtime dependencies, no environment or file-system access in shipped code, an
 * MIT licence, the community keyword, n8n's default lint configuration in strict mode).
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- development tooling, never published: it runs in Node, with its files, processes and console */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
const manifest = JSON.parse(read('package.json')) as {
	name: string;
	license: string;
	keywords: string[];
	dependencies?: Record<string, string>;
	peerDependencies?: Record<string, string>;
	files: string[];
	homepage: string;
	repository: { url: string };
	n8n: { strict: boolean; nodes: string[]; credentials: string[] };
};

function filesUnder(dir: string, extension: string): string[] {
	if (!existsSync(dir)) return [];
	return readdirSync(dir).flatMap((entry) => {
		const full = path.join(dir, entry);
		return statSync(full).isDirectory() ? filesUnder(full, extension) : full.endsWith(extension) ? [full] : [];
	});
}

/** The code n8n runs: the TypeScript it is built from, and the build when there is one. */
const shipped = [...filesUnder(path.join(root, 'nodes'), '.ts'), ...filesUnder(path.join(root, 'credentials'), '.ts'), ...filesUnder(path.join(root, 'dist'), '.js')];

test('the shipped code exists to check', () => {
	expect(shipped.filter((file) => file.endsWith('.ts')).length).toBeGreaterThan(20);
});

test.each([
	['environment variables', /\bprocess\s*\.\s*env\b|\bprocess\s*\[/],
	['the file system', /\bfrom\s+['"](node:)?fs(\/promises)?['"]|\brequire\(\s*['"](node:)?fs(\/promises)?['"]\s*\)/],
	['child processes', /\bfrom\s+['"](node:)?child_process['"]|\brequire\(\s*['"](node:)?child_process['"]\s*\)/],
	['the process object', /\bprocess\s*\.\s*(exit|cwd|argv|on)\b/],
])('no shipped file touches %s', (_what, pattern) => {
	const offending = shipped.filter((file) => pattern.test(readFileSync(file, 'utf8')));
	expect(offending.map((file) => path.relative(root, file))).toEqual([]);
});

test('no runtime dependencies; n8n-workflow is an (optional) peer', () => {
	expect(manifest.dependencies ?? {}).toEqual({});
	expect(Object.keys(manifest.peerDependencies ?? {})).toEqual(['n8n-workflow']);
});

test('an MIT licence, in package.json and LICENSE', () => {
	expect(manifest.license).toBe('MIT');
	expect(read('LICENSE').split('\n')[0]).toBe('MIT License');
});

test("a community package's name, keyword and n8n block", () => {
	expect(manifest.name).toMatch(/^n8n-nodes-/);
	expect(manifest.keywords).toContain('n8n-community-node-package');
	expect(manifest.files).toEqual(['dist']);
	for (const file of [...manifest.n8n.nodes, ...manifest.n8n.credentials]) expect(file).toMatch(/^dist\/.+\.js$/);
});

test("strict mode with n8n's default lint configuration, unchanged", () => {
	expect(manifest.n8n.strict).toBe(true);
	const template = readFileSync(path.join(root, 'node_modules', '@n8n', 'node-cli', 'dist', 'template', 'templates', 'shared', 'default', 'eslint.config.mjs'), 'utf8');
	const normalise = (text: string) => text.replace(/\s+/g, ' ').trim();
	expect(normalise(read('eslint.config.mjs'))).toBe(normalise(template));
});

test('the npm homepage and the repository are the same public GitHub repository', () => {
	const repository = manifest.repository.url.replace(/^git\+/, '').replace(/\.git$/, '');
	expect(repository).toMatch(/^https:\/\/github\.com\/[\w.-]+\/[\w.-]+$/);
	expect(manifest.homepage.startsWith(repository)).toBe(true);
});

test('VERIFICATION.md answers every guideline with evidence', () => {
	const verification = read('VERIFICATION.md');
	for (const guideline of ['n8n-node tool', 'Node types', 'Package source', 'No external dependencies', 'Proper documentation', 'environment variables or file system', 'best practices', 'English']) {
		expect(verification).toContain(guideline);
	}
});
