/**
 * One poll scenario of `npm run bench -- --poll`, in a fresh process that trusts the bench's
 * certificate. Usage: poll-worker.ts '<PollScenario JSON>' — prints one JSON line.
 * - `steady`: the trigger's first poll (recording what exists), then changes made through the
 *   simulator's admin interface, then one poll: its time, requests and the memory's size.
 * - `budget`: polls under a poll budget (the durable scheduler's, for a 45 s poll timeout) until a
 *   read completes, then after changes until they are all reported: each poll's time and pages.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-globals, no-console -- development tooling, never published: it runs in Node, with its files, processes and console */
import type { IDataObject } from 'n8n-workflow';

import { DEMO_CLIENT } from '../sandbox/simulator';
import { credentialFor, TestCredentialsHelper, TriggerRunner } from '../test/harness/n8n';

export interface Change {
	method: 'POST' | 'PATCH' | 'DELETE';
	/** Below /_admin/records/, e.g. `activity` or `deals/Hg7f`. */
	path: string;
	attributes?: IDataObject;
}

export type PollScenario =
	| { kind: 'steady'; baseUrl: string; directUrl: string; parameters: IDataObject; changes: Change[] }
	| { kind: 'budget'; baseUrl: string; directUrl: string; parameters: IDataObject; budgetMs: number; changes: Change[] };

async function admin(directUrl: string, change: Change): Promise<void> {
	const response = await fetch(`${directUrl}/_admin/records/${change.path}`, {
		method: change.method,
		headers: { 'Content-Type': 'application/json' },
		body: change.attributes ? JSON.stringify({ attributes: change.attributes }) : undefined,
	});
	if (!response.ok) throw new Error(`${change.method} ${change.path}: HTTP ${response.status}`);
}

async function apiRequests(directUrl: string): Promise<number> {
	return ((await (await fetch(`${directUrl}/_admin/stats`)).json()) as { apiRequests: number }).apiRequests;
}

async function measured<T>(directUrl: string, poll: () => Promise<T>): Promise<{ value: T; ms: number; requests: number }> {
	const before = await apiRequests(directUrl);
	const started = process.hrtime.bigint();
	const value = await poll();
	const ms = Number(process.hrtime.bigint() - started) / 1e6;
	return { value, ms, requests: (await apiRequests(directUrl)) - before };
}

async function main(): Promise<void> {
	const scenario = JSON.parse(process.argv[2]) as PollScenario;
	const helper = new TestCredentialsHelper(credentialFor(scenario.baseUrl, DEMO_CLIENT));
	if (scenario.kind === 'steady') {
		const runner = new TriggerRunner(helper, scenario.parameters, 3, { poller: 'memory' });
		const first = await measured(scenario.directUrl, async () => await runner.activate());
		for (const change of scenario.changes) await admin(scenario.directUrl, change);
		const next = await measured(scenario.directUrl, async () => await runner.tick());
		const stateBytes = Buffer.byteLength(JSON.stringify(runner.memory()));
		console.log(JSON.stringify({ first: { ms: first.ms, requests: first.requests }, poll: { ms: next.ms, requests: next.requests, emitted: next.value?.length ?? 0 }, stateBytes }));
		return;
	}
	const runner = new TriggerRunner(helper, scenario.parameters, 3, { poller: 'durable', budgetMs: scenario.budgetMs });
	const polls: Array<{ ms: number; requests: number; emitted: number }> = [];
	const poll = async () => {
		const { value, ms, requests } = await measured(scenario.directUrl, async () => await runner.tick());
		polls.push({ ms, requests, emitted: value?.length ?? 0 });
		return value ?? [];
	};
	do await poll();
	while (runner.unfinished());
	const baselinePolls = polls.length;
	for (const change of scenario.changes) await admin(scenario.directUrl, change);
	const emitted: string[] = [];
	do for (const item of await poll()) emitted.push(`${String(item.json._change)}:${String(item.json.id)}`);
	while (runner.unfinished());
	console.log(JSON.stringify({ polls, baselinePolls, emitted, stateBytes: Buffer.byteLength(JSON.stringify(runner.memory())) }));
}

main().catch((error: unknown) => {
	console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
	process.exit(1);
});
