/** Runs one side in a fresh process (bench/side-worker.ts) and reads its one-line result. */
/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- development tooling, never published: it runs in Node, with its files, processes and console */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

import type { SideSpec } from './sides';

const run = promisify(execFile);

export interface SideResult {
	ms: number;
	records: number;
	uniqueIds: number;
	baselineRssMb: number;
	peakRssMb: number;
}

export async function measureSide(spec: SideSpec, env: NodeJS.ProcessEnv = process.env): Promise<SideResult> {
	const { stdout } = await run(
		process.execPath,
		['-r', path.join(__dirname, '..', 'tools', 'register-ts.js'), path.join(__dirname, 'side-worker.ts'), JSON.stringify(spec)],
		{ maxBuffer: 1 << 20, env },
	);
	return JSON.parse(stdout.trim().split('\n').pop() as string) as SideResult;
}

export const median = (values: number[]) => {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
