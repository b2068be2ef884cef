// `npm run scan`: n8n's own verification scanner (@n8n/scan-community-package, pinned) on the
// packed tarball and on the source tree, as n8n runs it: inline eslint-disable comments ignored.
// The scanner is installed once into a cache with --ignore-scripts (its preinstall demands pnpm).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const SCANNER_VERSION = '0.32.0';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cache = process.env.N8N_NODES_ENABLE_CACHE ?? path.join(os.homedir(), '.cache', 'n8n-nodes-enable');
const scannerHome = path.join(cache, `scanner-${SCANNER_VERSION}`);
const scannerModule = path.join(scannerHome, 'node_modules', '@n8n', 'scan-community-package', 'scanner', 'scanner.mjs');

if (!existsSync(scannerModule)) {
	console.log(`Installing @n8n/scan-community-package@${SCANNER_VERSION} into ${scannerHome} (once)`);
	mkdirSync(scannerHome, { recursive: true });
	writeFileSync(path.join(scannerHome, 'package.json'), '{ "name": "scanner-host", "private": true }\n');
	execFileSync('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', `@n8n/scan-community-package@${SCANNER_VERSION}`], {
		cwd: scannerHome,
		stdio: 'inherit',
	});
}
const { analyzePackage, SOURCE_FILE_PATTERNS } = await import(pathToFileURL(scannerModule).href);

const work = mkdtempSync(path.join(os.tmpdir(), 'n8n-nodes-enable-scan-'));
try {
	const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8' }));
	execFileSync('tar', ['-xzf', path.join(work, packed.filename), '-C', work]);
	const legs = [
		// The issue that found the .d.ts problem ran analyzePackage on the tarball with its default patterns.
		['packed tarball', await analyzePackage(path.join(work, 'package'))],
		['source tree', await analyzePackage(root, SOURCE_FILE_PATTERNS)],
	];
	let failed = false;
	for (const [leg, result] of legs) {
		console.log(`${result.passed ? '✓' : '✗'} scanner on the ${leg}${result.passed ? '' : `: ${result.message}`}`);
		if (!result.passed) {
			failed = true;
			if (result.details) console.log(result.details);
		}
	}
	process.exitCode = failed ? 1 : 0;
} finally {
	rmSync(work, { recursive: true, force: true });
}
