/**
 * `npm run bench -- --peer`: why not the HTTP Request node? In one real n8n (2.41.1) against the
 * simulator, the same 20 000 deals three ways: the Enable node; HTTP Request with pagination +
 * Split Out + Edit Fields; HTTP Request with pagination + a Code node. Reports each workflow's
 * execution time (the sum of its nodes' times in n8n's run data, so n8n's start-up is not counted),
 * the records, how much a user configures, and whether the access token shows in the run data.
 * Writes bench/results/peer.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { startSimulator } from '../sandbox/simulator';
import { ensureN8n } from '../e2e/lib/host';
import { type ExecutionRun, N8nInstance, nodeOutput, packPackage, SANDBOX_CREDENTIAL as CREDENTIAL, type Workflow } from '../e2e/lib/instance';

const DEALS = Number(process.env.BENCH_PEER_DEALS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_PEER_ROUNDS ?? 2);

type Node = Workflow['nodes'][number];

const trigger = (id: string): Node => ({ id: `${id}-t`, name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} });

function chain(id: string, name: string, nodes: Node[]): Workflow {
	const all = [trigger(id), ...nodes];
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

function workflows(baseUrl: string): Array<{ label: string; workflow: Workflow; output: string }> {
	return [
		{
			label: 'Enable node (Get Many, Return All)',
			output: 'Enable',
			workflow: chain('peerEnable', 'peer: Enable node', [
				{ id: 'e', name: 'Enable', type: 'n8n-nodes-enable.enable', typeVersion: 1, position: [240, 0], parameters: { resource: 'deal', operation: 'getAll', returnAll: true }, credentials: { enableApi: CREDENTIAL } },
			]),
		},
		{
			label: 'HTTP Request + Split Out + Edit Fields',
			output: 'Edit Fields',
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
			output: 'Code',
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
	const nodes = workflow.nodes.slice(1);
	for (const node of nodes) {
		walk(node.parameters);
		if (node.credentials) values++;
	}
	return { nodes: nodes.length, values, expressions };
}

function executionMs(run: ExecutionRun | undefined): number {
	const runData = (run?.data?.resultData?.runData ?? {}) as Record<string, Array<{ executionTime?: number }>>;
	return Object.values(runData).reduce((sum, runs) => sum + (runs[0]?.executionTime ?? 0), 0);
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
	try {
		console.log(`Peer benchmark: ${DEALS} deals in n8n ${host.version}, ${ROUNDS} rounds, three workflows alternating`);
		await instance.importSandboxCredential(simulator.baseUrl);
		await instance.importWorkflows(cases.map((entry) => entry.workflow));
		for (let round = 0; round < ROUNDS; round++) {
			for (const entry of round % 2 ? [...cases].reverse() : cases) {
				const { ok, run, output } = await instance.execute(entry.workflow.id);
				if (!ok || !run) throw new Error(`${entry.label} failed: ${output.slice(-400)}`);
				const ids = nodeOutput(run, entry.output).map((item) => item.id);
				if (JSON.stringify(ids) !== JSON.stringify(expected)) throw new Error(`${entry.label} returned ${ids.length} records, expected ${expected.length} in order`);
				const ms = executionMs(run);
				const record = (results[entry.label] ??= { ms: [], records: ids.length, tokenInRunData: false, effort: effort(entry.workflow) });
				record.ms.push(ms);
				record.tokenInRunData ||= simulator.issuedTokens().some((token) => output.includes(token));
				console.log(`  round ${round + 1} ${entry.label.padEnd(40)} ${(ms / 1000).toFixed(2)} s`);
			}
		}
	} finally {
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
