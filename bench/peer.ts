/**
 * `npm run bench -- --peer`: why not the HTTP Request node? In one real n8n (2.41.1) against the
 * simulator, the same 20 000 deals three ways: the Enable node; HTTP Request with pagination +
 * Split Out + Edit Fields; HTTP Request with pagination + a Code node. Reports each workflow's
 * execution time (the sum of its nodes' times in n8n's run data, so n8n's start-up is not counted),
 * the records, how much a user configures, and whether the access token shows in the run data.
 * Writes bench/results/peer.json.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console -- development tooling, never published: it runs in Node, with its files, processes and console */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { startSimulator } from '../sandbox/simulator';
import { ensureN8n } from '../e2e/lib/host';
import { N8nInstance, packPackage, SANDBOX_CREDENTIAL as CREDENTIAL, type Workflow } from '../e2e/lib/instance';

const DEALS = Number(process.env.BENCH_PEER_DEALS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_PEER_ROUNDS ?? 2);

type Node = Workflow['nodes'][number];

/** Each workflow starts from a webhook that answers with the Check node's summary once the run is done. */
const trigger = (id: string): Node => ({
	id: `${id}-t`,
	name: 'Webhook',
	type: 'n8n-nodes-base.webhook',
	typeVersion: 2,
	position: [0, 0],
	webhookId: `0b1c2d3e-4f50-4a6b-8c7d-${id.padEnd(12, '0').slice(0, 12).replace(/[^0-9a-f]/gi, '0').toLowerCase()}`,
	parameters: { httpMethod: 'GET', path: `peer-${id.toLowerCase()}`, responseMode: 'lastNode', responseData: 'firstEntryJson', options: {} },
});

/** The same last node in every workflow: counts the ids and hashes their order (not counted as user effort). */
const CHECK_CODE =
	'const ids = $input.all().map((item) => String(item.json.id));\nlet hash = 0;\nfor (const id of ids) for (const char of id) hash = (hash * 31 + char.charCodeAt(0)) | 0;\nreturn [{ json: { count: ids.length, unique: new Set(ids).size, hash } }];';

function orderHash(ids: string[]): number {
	let hash = 0;
	for (const id of ids) for (const char of id) hash = (hash * 31 + char.charCodeAt(0)) | 0;
	return hash;
}

function chain(id: string, name: string, nodes: Node[]): Workflow {
	const check: Node = { id: `${id}-c`, name: 'Check', type: 'n8n-nodes-base.code', typeVersion: 2, position: [960, 0], parameters: { jsCode: CHECK_CODE } };
	const all = [trigger(id), ...nodes, check];
	const connections: Record<string, unknown> = {};
	for (let i = 0; i < all.length - 1; i++) connections[all[i].name] = { main: [[{ node: all[i + 1].name, type: 'main', index: 0 }]] };
	return { id, name, active: false, settings: { executionOrder: 'v1' }, nodes: all, connections };
}

const httpRequest = (baseUrl: string): Node => ({
	id: 'http',
	name: 'HTTP Request',
	type: 'n8n-nodes-base.httpRequest',
	typeVersion: 4.2,
	position: [240, 0],
	parameters: {
		url: `${baseUrl}/v1/deals?page[size]=1000`,
		authentication: 'predefinedCredentialType',
		nodeCredentialType: 'enableApi',
		options: {
			pagination: {
				pagination: {
					paginationMode: 'responseContainsNextURL',
					nextURL: '={{ $response.body.links.next }}',
					paginationCompleteWhen: 'other',
					completeExpression: '={{ !$response.body.links.next }}',
					limitPagesFetched: false,
				},
			},
			response: { response: { responseFormat: 'json' } },
		},
	},
	credentials: { enableApi: CREDENTIAL },
});

function workflows(baseUrl: string): Array<{ label: string; workflow: Workflow }> {
	return [
		{
			label: 'Enable node (Get Many, Return All)',
			workflow: chain('peerEnable', 'peer: Enable node', [
				{ id: 'e', name: 'Enable', type: 'n8n-nodes-enable.enable', typeVersion: 1, position: [240, 0], parameters: { resource: 'deal', operation: 'getAll', returnAll: true }, credentials: { enableApi: CREDENTIAL } },
			]),
		},
		{
			label: 'HTTP Request + Split Out + Edit Fields',
			workflow: chain('peerHttpSplit', 'peer: HTTP Request + Split Out + Edit Fields', [
				httpRequest(baseUrl),
				{ id: 's', name: 'Split Out', type: 'n8n-nodes-base.splitOut', typeVersion: 1, position: [480, 0], parameters: { fieldToSplitOut: 'data', options: {} } },
				{
					id: 'f',
					name: 'Edit Fields',
					type: 'n8n-nodes-base.set',
					typeVersion: 3.4,
					position: [720, 0],
					parameters: { mode: 'raw', jsonOutput: '={{ { id: $json.id, ...$json.attributes } }}', options: {} },
				},
			]),
		},
		{
			label: 'HTTP Request + Code',
			workflow: chain('peerHttpCode', 'peer: HTTP Request + Code', [
				httpRequest(baseUrl),
				{
					id: 'c',
					name: 'Code',
					type: 'n8n-nodes-base.code',
					typeVersion: 2,
					position: [480, 0],
					parameters: { jsCode: 'return $input.all().flatMap((page) => page.json.data.map((deal) => ({ json: { id: deal.id, ...deal.attributes } })));' },
				},
			]),
		},
	];
}

/** What a user sets: nodes after the trigger, parameter values (leaves), and expressions among them. */
function effort(workflow: Workflow): { nodes: number; values: number; expressions: number } {
	let values = 0;
	let expressions = 0;
	const walk = (value: unknown) => {
		if (value && typeof value === 'object') {
			for (const child of Object.values(value as Record<string, unknown>)) walk(child);
			return;
		}
		values++;
		if (typeof value === 'string' && value.startsWith('=')) expressions++;
	};
	const nodes = workflow.nodes.slice(1, -1);
	for (const node of nodes) {
		walk(node.parameters);
		if (node.credentials) values++;
	}
	return { nodes: nodes.length, values, expressions };
}


export async function runPeerBenchmark(): Promise<void> {
	const host = await ensureN8n();
	const simulator = await startSimulator({ counts: { deals: DEALS, activity: 0 }, maxPageSize: 1000, absoluteLinks: true, cacheResponses: true });
	const packDir = mkdtempSync(path.join(os.tmpdir(), 'n8n-nodes-enable-pack-'));
	const instance = await N8nInstance.create(host, await packPackage(packDir));
	rmSync(packDir, { recursive: true, force: true });
	const expected = simulator.store.list('deals').map((deal) => deal.id);
	const cases = workflows(simulator.baseUrl);
	const results: Record<string, { ms: number[]; records: number; tokenInRunData: boolean; effort: ReturnType<typeof effort> }> = {};
	let server: Awaited<ReturnType<N8nInstance['start']>> | undefined;
	try {
		console.log(`Peer benchmark: ${DEALS} deals in n8n ${host.version}, ${ROUNDS} rounds, three workflows alternating (time from webhook call to answer)`);
		await instance.importSandboxCredential(simulator.baseUrl);
		await instance.importWorkflows(cases.map((entry) => entry.workflow));
		for (const entry of cases) {
			const published = await instance.cli(['publish:workflow', `--id=${entry.workflow.id}`]);
			if (published.code !== 0) throw new Error(`could not activate ${entry.workflow.id}: ${published.stderr.slice(-300)}`);
		}
		server = await instance.start();
		const cookie = await N8nInstance.signIn(server.url);
		const expectedHash = orderHash(expected);
		for (let round = 0; round < ROUNDS; round++) {
			for (const entry of round % 2 ? [...cases].reverse() : cases) {
				let started = process.hrtime.bigint();
				let answer = await fetch(`${server.url}/webhook/peer-${entry.workflow.id.toLowerCase()}`, { signal: AbortSignal.timeout(600_000) });
				// Right after start-up n8n may still be registering the webhooks of active workflows.
				for (let tries = 0; answer.status === 404 && tries < 30; tries++) {
					await new Promise((resolve) => setTimeout(resolve, 1000));
					started = process.hrtime.bigint();
					answer = await fetch(`${server.url}/webhook/peer-${entry.workflow.id.toLowerCase()}`, { signal: AbortSignal.timeout(600_000) });
				}
				const ms = Number(process.hrtime.bigint() - started) / 1e6;
				const summary = (await answer.json()) as { count?: number; unique?: number; hash?: number };
				if (summary.count !== DEALS || summary.unique !== DEALS || summary.hash !== expectedHash) {
					throw new Error(`${entry.label} returned ${JSON.stringify(summary)}, expected ${DEALS} unique deals in order`);
				}
				// The stored run data of this execution, searched for the access token as text.
				const listed = (await (
					await fetch(`${server.url}/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId: entry.workflow.id }))}`, { headers: { Cookie: cookie } })
				).json()) as { data: { results: Array<{ id: string }> } };
				const latest = listed.data.results.map((execution) => Number(execution.id)).sort((a, b) => b - a)[0];
				const stored = await (await fetch(`${server.url}/rest/executions/${latest}`, { headers: { Cookie: cookie } })).text();
				const record = (results[entry.label] ??= { ms: [], records: summary.count, tokenInRunData: false, effort: effort(entry.workflow) });
				record.ms.push(ms);
				record.tokenInRunData ||= simulator.issuedTokens().some((token) => stored.includes(token));
				console.log(`  round ${round + 1} ${entry.label.padEnd(40)} ${(ms / 1000).toFixed(2)} s`);
			}
		}
	} finally {
		await server?.stop();
		await simulator.close();
		instance.cleanup();
	}
	const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];
	const enable = median(results[cases[0].label].ms);
	const summary = Object.fromEntries(
		Object.entries(results).map(([label, result]) => [label, { ...result, medianMs: median(result.ms), enableOverThis: enable / median(result.ms) }]),
	);
	const output = { date: new Date().toISOString(), deals: DEALS, rounds: ROUNDS, n8n: host.version, machine: { cpus: os.cpus().length, loadAverageAtEnd: os.loadavg() }, workflows: summary };
	mkdirSync(path.join(__dirname, 'results'), { recursive: true });
	writeFileSync(path.join(__dirname, 'results', 'peer.json'), `${JSON.stringify(output, null, 2)}\n`);
	console.log('');
	for (const [label, result] of Object.entries(summary)) {
		console.log(
			`${label.padEnd(40)} Enable/this ${result.enableOverThis.toFixed(2)}  ${result.effort.nodes} node(s), ${result.effort.values} values, ${result.effort.expressions} expressions  token in run data: ${result.tokenInRunData ? 'YES' : 'no'}`,
		);
	}
	console.log(`Load average at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}. Written to bench/results/peer.json`);
}
