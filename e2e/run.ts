/**
 * `npm run e2e`: the built package inside a real n8n (2.41.1 on Node 24 by default; N8N_VERSION
 * picks another, e.g. 1.123.x on this machine's Node 20), against the simulator. Imports an
 * Enable credential and the example workflows, runs them with `n8n execute`, and checks the
 * records, the token reuse between executions, and that n8n loads the node and credential types.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console -- development tooling, never published: it runs in Node, with its files, processes and console */
import { COLLECTIONS } from '../nodes/Enable/resources';
import type { CollectionName } from '../sandbox/data';
import { DIMENSIONS } from '../sandbox/reports';
import { credentialData, DEMO_CLIENT, type EnableSimulator, startSimulator } from '../sandbox/simulator';
import { assert, check, finish, results } from './lib/checks';
import { CACHE_DIR, ensureN8n, HostError } from './lib/host';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { assertNoLeak, type ExecutionRun, loadExamples, N8nInstance, nodeOutput, packPackage, SANDBOX_CREDENTIAL as CREDENTIAL, type Workflow } from './lib/instance';

const COUNTS = { deals: 137, activity: 64, users: 23 };
const ENABLE_TYPE = 'n8n-nodes-enable.enable';







/** A result `npm run figures` renders into the docs: e2e/results/<file>, committed from a local run (CI rewrites its own copy). */
function writeResult(file: string, value: unknown): void {
	const dir = path.join(__dirname, 'results');
	mkdirSync(dir, { recursive: true });
	writeFileSync(path.join(dir, file), `${JSON.stringify(value, null, 2)}\n`);
}

/** The version of the Node that runs n8n: this process's, or the cached Node 24 package's. */
function nodeVersionOf(node: string): string {
	if (node === process.execPath) return process.versions.node;
	try {
		return (JSON.parse(readFileSync(path.join(path.dirname(node), '..', 'package.json'), 'utf8')) as { version: string }).version;
	} catch {
		return 'unknown';
	}
}

/** The Start node of the e2e's own workflows. */
const manualTrigger = (id: string) => ({ id: `${id}-t`, name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} });

/** A manual trigger followed by a workflow's Enable action nodes, so any example can run headless. */
function enablePart(example: Workflow): Workflow {
	const enableNodes = example.nodes.filter((node) => node.type === ENABLE_TYPE);
	const chain = [manualTrigger(example.id), ...enableNodes];
	const connections: Record<string, unknown> = {};
	for (let i = 0; i < chain.length - 1; i++) {
		connections[chain[i].name] = { main: [[{ node: chain[i + 1].name, type: 'main', index: 0 }]] };
	}
	return { ...example, id: `${example.id}Part`.slice(0, 36), name: `${example.name} (Enable part)`, nodes: chain as Workflow['nodes'], connections, active: false };
}

/** One execution that runs many Enable nodes side by side, each fed by the Start node. */
function fanOutWorkflow(id: string, name: string, nodes: Array<{ name: string; parameters: Record<string, unknown>; extra?: Record<string, unknown> }>): Workflow {
	return {
		id,
		name,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			manualTrigger(id),
			...nodes.map((node, index) => ({
				id: `${id}-${index}`,
				name: node.name,
				type: ENABLE_TYPE,
				typeVersion: 1,
				position: [240, index * 120],
				parameters: node.parameters,
				credentials: { enableApi: CREDENTIAL },
				...node.extra,
			})),
		],
		connections: { Start: { main: [nodes.map((node) => ({ node: node.name, type: 'main', index: 0 }))] } },
	};
}

/** Start → one Enable node named "Enable". */
function manualWorkflow(id: string, name: string, parameters: Record<string, unknown>, extra: Record<string, unknown> = {}): Workflow {
	return fanOutWorkflow(id, name, [{ name: 'Enable', parameters, extra }]);
}

/** Runs a workflow with `n8n execute`; it must succeed, and neither its output nor its run data may hold the secret or a token. */
async function executeOk(instance: N8nInstance, simulator: EnableSimulator, workflowId: string): Promise<ExecutionRun> {
	const { ok, run, output } = await instance.execute(workflowId);
	const error = run?.data?.resultData?.error;
	assert(ok && run && !error, `n8n execute failed: ${error?.message ?? ''} ${error?.description ?? ''}\n${output.trim().slice(-800)}`);
	assertNoLeak(simulator, output, 'the output and run data of n8n execute');
	return run;
}

function expectRecords(records: Array<Record<string, unknown>>, expectedIds: string[], fields: string[]): void {
	const ids = records.map((record) => record.id as string);
	assert(ids.length === expectedIds.length, `expected ${expectedIds.length} records, got ${ids.length}`);
	assert(new Set(ids).size === ids.length, 'duplicate ids in the output');
	assert(JSON.stringify(ids) === JSON.stringify(expectedIds), 'the records differ from the simulator’s, or their order does');
	for (const field of fields) assert(records.every((record) => field in record), `a record lacks the field ${field}`);
}

async function main(): Promise<void> {
	const started = Date.now();
	const host = await ensureN8n();
	const packDir = mkdtempSync(path.join(os.tmpdir(), 'n8n-nodes-enable-pack-'));
	const tarball = await packPackage(packDir);
	console.log(`e2e: n8n ${host.version} on ${host.node === process.execPath ? `Node ${process.version}` : 'Node 24'}, package ${path.basename(tarball)} installed with npm as the README says`);
	// Opaque tokens: a leaked token cannot hide behind the node's JWT redaction, and the leak checks look for each by its exact value.
	const simulator: EnableSimulator = await startSimulator({ counts: COUNTS, defaultPageSize: 25, tokenFormat: 'opaque' });
	const instance = await N8nInstance.create(host, tarball);
	rmSync(packDir, { recursive: true, force: true });
	const deals = () => simulator.store.list('deals').map((record) => record.id);
	try {
		await check('n8n imports an Enable credential (encrypted with the instance key)', async () => {
			await instance.importSandboxCredential(simulator.baseUrl);
		});

		const examples = loadExamples();
		await check(`n8n imports the ${examples.length} example workflows`, async () => {
			await instance.importWorkflows(examples);
		});

		const getAll = examples.find((example) => example.name === 'Get all Enable deals');
		await check('example "Get all Enable deals": every deal once, with the deal fields, in one token', async () => {
			assert(getAll, 'the example is missing');
			simulator.resetStats();
			const run = await executeOk(instance, simulator, getAll.id);
			expectRecords(nodeOutput(run, 'Enable'), deals(), ['id', 'dealType', 'startDate', 'endDate', 'reference', 'relationships']);
			assert(simulator.stats().tokenRequests === 1, `expected 1 token request, got ${simulator.stats().tokenRequests}`);
			assert(simulator.totalPageRequests() === Math.ceil(COUNTS.deals / 100), `unexpected page requests: ${simulator.totalPageRequests()}`);
		});

		await check('a second execution reuses the token n8n stored (no new token request)', async () => {
			assert(getAll, 'the example is missing');
			simulator.resetStats();
			const run = await executeOk(instance, simulator, getAll.id);
			expectRecords(nodeOutput(run, 'Enable'), deals(), ['id']);
			assert(simulator.stats().tokenRequests === 0, `expected no token request, got ${simulator.stats().tokenRequests}`);
		});

		await check('the token endpoint fails twice (503) after a revocation: the node retries the token request and gets every deal', async () => {
			assert(getAll, 'the example is missing');
			simulator.resetStats();
			simulator.revokeAllTokens();
			simulator.addFault({ kind: 'status', status: 503, onRequest: 1, times: 2, target: 'token' });
			try {
				const run = await executeOk(instance, simulator, getAll.id);
				expectRecords(nodeOutput(run, 'Enable'), deals(), ['id']);
				assert(simulator.stats().tokenRequests === 3, `expected 3 token requests (2 refused, 1 issued), got ${simulator.stats().tokenRequests}`);
			} finally {
				simulator.clearFaults();
			}
		});

		for (const example of examples.filter((e) => e !== getAll && e.nodes.some((node) => node.type === ENABLE_TYPE))) {
			await check(`example "${example.name}" (its Enable part) runs`, async () => {
				const part = enablePart(example);
				await instance.importWorkflow(part);
				const run = await executeOk(instance, simulator, part.id);
				const last = part.nodes[part.nodes.length - 1];
				assert(nodeOutput(run, last.name).length > 0, `${last.name} returned nothing`);
			});
		}

		const workflows: Array<[string, Workflow, (run: ExecutionRun) => void]> = [
			[
				'activity: Get Many with a limit across pages, sorted',
				manualWorkflow('e2eActivity', 'e2e activity', { resource: 'activity', operation: 'getAll', limit: 30, options: { pageSize: 7, sort: '-date' } }),
				(run) => {
					const expected = [...simulator.store.list('activity')]
						.sort((a, b) => String(b.attributes.date).localeCompare(String(a.attributes.date)))
						.slice(0, 30)
						.map((record) => record.id);
					expectRecords(nodeOutput(run, 'Enable'), expected, ['id', 'date', 'action', 'description', 'userName']);
				},
			],
			[
				'users: Return All',
				manualWorkflow('e2eUsers', 'e2e users', { resource: 'user', operation: 'getAll', returnAll: true, options: {} }),
				(run) => expectRecords(nodeOutput(run, 'Enable'), simulator.store.list('users').map((r) => r.id), ['id', 'name', 'email', 'username', 'enabled']),
			],
			[
				'deal: Get one by id, raw JSON:API (Simplify off)',
				manualWorkflow('e2eDeal', 'e2e deal', { resource: 'deal', operation: 'get', dealId: simulator.store.list('deals')[5].id, simplify: false }),
				(run) => {
					const [record] = nodeOutput(run, 'Enable');
					assert(record?.id === simulator.store.list('deals')[5].id && record.type === 'deals' && typeof record.attributes === 'object', `unexpected record ${JSON.stringify(record)}`);
				},
			],
			[
				'Continue On Fail: an unknown id yields { error } and the run succeeds',
				manualWorkflow('e2eMissing', 'e2e missing', { resource: 'deal', operation: 'get', dealId: 'Nope' }, { onError: 'continueRegularOutput' }),
				(run) => {
					const [record] = nodeOutput(run, 'Enable');
					assert(record?.error === 'The deal "Nope" was not found in Enable', `unexpected output ${JSON.stringify(record)}`);
				},
			],
		];
		for (const [name, workflow, verify] of workflows) {
			await check(name, async () => {
				await instance.importWorkflow(workflow);
				verify(await executeOk(instance, simulator, workflow.id));
			});
		}

		await check('all 13 collections (Get Many and Get), Include Related and the deal-earnings report, in one execution', async () => {
			const record = (path: string) => simulator.store.list(path as CollectionName)[1];
			const nodes: Array<{ name: string; parameters: Record<string, unknown> }> = COLLECTIONS.flatMap((collection) => [
				{ name: `Many ${collection.value}`, parameters: { resource: collection.value, operation: 'getAll', limit: 7, options: {} } },
				{ name: `One ${collection.value}`, parameters: { resource: collection.value, operation: 'get', [collection.idParameter]: record(collection.path).id } },
			]);
			nodes.push(
				{ name: 'Deals with partner', parameters: { resource: 'deal', operation: 'getAll', limit: 20, options: { include: ['tradingPartner', 'owner'] } } },
				{ name: 'Deal earnings', parameters: { resource: 'report', operation: 'dealEarnings', viewBy: ['DM01'], options: {} } },
			);
			const workflow = fanOutWorkflow('e2eEverything', 'e2e every collection', nodes);
			await instance.importWorkflow(workflow);
			simulator.resetStats();
			const run = await executeOk(instance, simulator, workflow.id);
			const problems: string[] = [];
			for (const collection of COLLECTIONS) {
				const expected = simulator.store.list(collection.path as CollectionName).slice(0, 7).map((entry) => entry.id);
				const many = nodeOutput(run, `Many ${collection.value}`).map((entry) => entry.id);
				if (JSON.stringify(many) !== JSON.stringify(expected)) problems.push(`${collection.path} Get Many: ${JSON.stringify(many)}`);
				const [one] = nodeOutput(run, `One ${collection.value}`);
				if (one?.id !== record(collection.path).id) problems.push(`${collection.path} Get: ${JSON.stringify(one)}`);
			}
			for (const deal of nodeOutput(run, 'Deals with partner')) {
				const partner = (deal.relationships as { tradingPartner?: { id?: string; name?: string } }).tradingPartner;
				const expected = simulator.store.get('trading-partners', String(partner?.id));
				if (!partner?.name || partner.name !== expected?.attributes.name) problems.push(`deal ${String(deal.id)} has no included trading partner`);
			}
			const rows = nodeOutput(run, 'Deal earnings');
			const expectedRows = COUNTS.deals * DIMENSIONS.DM01.items.length;
			if (rows.length !== expectedRows) problems.push(`report: ${rows.length} rows, expected ${expectedRows}`);
			if ((rows[0]?.items as Array<{ name?: string }> | undefined)?.[0]?.name !== DIMENSIONS.DM01.items[0]) problems.push(`report row: ${JSON.stringify(rows[0])}`);
			if ((simulator.stats().reportRequests.poll ?? 0) < 3) problems.push('the report job was not polled until done');
			assert(problems.length === 0, problems.join('\n'));
			assert(simulator.stats().tokenRequests === 0, `expected the stored token to be reused, got ${simulator.stats().tokenRequests} token requests`);
		});

		await check('Account → Check Access: one item per collection and the report, each reachable with the demo credential (table below)', async () => {
			const workflow = manualWorkflow('e2eCheckAccess', 'e2e check access', { resource: 'account', operation: 'checkAccess', options: {} });
			await instance.importWorkflow(workflow);
			const checks = nodeOutput(await executeOk(instance, simulator, workflow.id), 'Enable');
			assert(checks.length === COLLECTIONS.length + 1, `${checks.length} items`);
			assert(checks.every((entry) => entry.status === 'ok'), `not every collection is ok: ${JSON.stringify(checks.filter((entry) => entry.status !== 'ok'))}`);
			const cell = (value: unknown) => (value === null || value === undefined ? '–' : Array.isArray(value) ? String(value.length) : String(value));
			console.log('      | collection | path | status | HTTP | scope used | attributes | relationships | page of 1000 served | sorted | include |');
			for (const entry of checks) {
				const sorted = entry.sortHonoured === null ? '–' : `${String(entry.sortHonoured)} (${String(entry.sortAttribute)})`;
				const included = entry.includeHonoured === null ? '–' : `${String(entry.includeHonoured)} (${String(entry.includeTried)})`;
				const page = entry.pageSizeHonoured === false && entry.pageSizeCappedTo !== undefined ? `false (capped to ${String(entry.pageSizeCappedTo)})` : cell(entry.pageSizeHonoured);
				console.log(`      | ${cell(entry.collection)} | ${cell(entry.path)} | ${cell(entry.status)} | ${cell(entry.httpStatus)} | ${cell(entry.scopeUsed)} | ${cell(entry.attributes)} | ${cell(entry.relationships)} | ${page} | ${sorted} | ${included} |`);
			}
			writeResult('access.json', { date: new Date().toISOString(), n8n: host.version, collections: checks });
		});

		await check('speed: a refused default page size falls back; 12 Gets run in parallel keep their order and pairedItem', async () => {
			simulator.configure({ oversizedPage: 'refuse', maxPageSize: 100 });
			// Slow answers, so that parallel requests overlap visibly at the simulator.
			simulator.addFault({ kind: 'slow', delayMs: 150 });
			try {
				const workflow: Workflow = {
					id: 'e2eSpeed',
					name: 'e2e page size and parallel Gets',
					active: false,
					settings: { executionOrder: 'v1' },
					nodes: [
						manualTrigger('e2eSpeed'),
						{ id: 'e2eSpeed-m', name: 'Many', type: ENABLE_TYPE, typeVersion: 1, position: [240, 0], parameters: { resource: 'deal', operation: 'getAll', returnAll: true }, credentials: { enableApi: CREDENTIAL } },
						{ id: 'e2eSpeed-l', name: 'Twelve', type: 'n8n-nodes-base.limit', typeVersion: 1, position: [480, 0], parameters: { maxItems: 12, keep: 'lastItems' } },
						{ id: 'e2eSpeed-g', name: 'Each', type: ENABLE_TYPE, typeVersion: 1, position: [720, 0], parameters: { resource: 'deal', operation: 'get', dealId: '={{ $json.id }}' }, credentials: { enableApi: CREDENTIAL } },
					],
					connections: {
						Start: { main: [[{ node: 'Many', type: 'main', index: 0 }]] },
						Many: { main: [[{ node: 'Twelve', type: 'main', index: 0 }]] },
						Twelve: { main: [[{ node: 'Each', type: 'main', index: 0 }]] },
					},
				};
				await instance.importWorkflow(workflow);
				simulator.resetStats();
				const run = await executeOk(instance, simulator, workflow.id);
				expectRecords(nodeOutput(run, 'Many'), deals(), ['id']);
				const sizes = simulator.requestLog.filter((entry) => entry.path === '/v1/deals').map((entry) => entry.query['page[size]']);
				assert(sizes[0] === '1000' && sizes.slice(1).every((size) => size === '100'), `page sizes asked: ${sizes.join(', ')}`);
				const wanted = deals().slice(-12);
				expectRecords(nodeOutput(run, 'Each'), wanted, ['id']);
				const paired = (run.data?.resultData?.runData?.Each?.[0]?.data?.main?.[0] ?? []) as Array<{ pairedItem?: { item: number } }>;
				assert(JSON.stringify(paired.map((item) => item.pairedItem?.item)) === JSON.stringify(wanted.map((_, index) => index)), 'pairedItem does not follow the input order');
				assert(simulator.stats().peakConcurrentApiRequests > 1, 'the Gets did not run in parallel');
			} finally {
				simulator.configure({ oversizedPage: 'cap' });
				simulator.clearFaults();
			}
		});

		for (const [outcome, expected] of [
			['failed', /^Enable's deal earnings report failed \(job \w+, status "Failed"\)$/],
			['never', /^Enable's deal earnings report was not ready after 6 s \(job \w+, status "Pending"\)$/],
		] as const) {
			await check(`report: a job that ${outcome === 'failed' ? 'fails' : 'never finishes'} ends with a message naming the job`, async () => {
				simulator.reports.configure({ outcome });
				try {
					const workflow = manualWorkflow(`e2eReport${outcome}`, `e2e report ${outcome}`, { resource: 'report', operation: 'dealEarnings', viewBy: [], options: { maxWaitMinutes: 0.1 } }, { onError: 'continueRegularOutput' });
					await instance.importWorkflow(workflow);
					const [output] = nodeOutput(await executeOk(instance, simulator, workflow.id), 'Enable');
					assert(expected.test(String(output?.error)), `unexpected output ${JSON.stringify(output)}`);
				} finally {
					simulator.reports.configure({ outcome: 'done' });
				}
			});
		}

		await check('HTTP Request with the Enable API credential reaches an endpoint the node does not wrap', async () => {
			const workflow: Workflow = {
				id: 'e2eHttpRequest',
				name: 'e2e HTTP Request with the Enable credential',
				active: false,
				settings: { executionOrder: 'v1' },
				nodes: [
					manualTrigger('e2eHttpRequest'),
					{
						id: 'e2eHttpRequest-h',
						name: 'Enable dimensions',
						type: 'n8n-nodes-base.httpRequest',
						typeVersion: 4.2,
						position: [240, 0],
						parameters: {
							url: `${simulator.baseUrl}/v1/dimensions`,
							authentication: 'predefinedCredentialType',
							nodeCredentialType: 'enableApi',
							options: { response: { response: { responseFormat: 'json' } } },
						},
						credentials: { enableApi: CREDENTIAL },
					},
				],
				connections: { Start: { main: [[{ node: 'Enable dimensions', type: 'main', index: 0 }]] } },
			};
			await instance.importWorkflow(workflow);
			simulator.resetStats();
			const { ok, run, output } = await instance.execute(workflow.id);
			assert(ok && run, `n8n execute failed: ${output.slice(-600)}`);
			const [document] = nodeOutput(run, 'Enable dimensions');
			const ids = (document?.data as Array<{ id: string }> | undefined)?.map((entry) => entry.id);
			assert(JSON.stringify(ids) === JSON.stringify(Object.keys(DIMENSIONS)), `unexpected answer ${JSON.stringify(document)}`);
			const authorized = simulator.requestLog.filter((entry) => entry.path === '/v1/dimensions' && entry.hadAuthorization && entry.status === 200);
			assert(authorized.length === 1, 'the request did not carry the Bearer token');
			assertNoLeak(simulator, output, 'the output and run data of n8n execute');
		});

		await check('HTTP Request with the Enable API credential against another host: refused with both hosts named, and that host receives nothing', async () => {
			const reached: string[] = [];
			const elsewhere = http.createServer((req, res) => {
				reached.push(`${req.method} ${req.url} ${req.headers.authorization ? 'with' : 'without'} Authorization`);
				res.end('{}');
			});
			await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
			try {
				const otherHost = `127.0.0.1:${(elsewhere.address() as AddressInfo).port}`;
				const workflow: Workflow = {
					id: 'e2eHttpElsewhere',
					name: 'e2e HTTP Request with the Enable credential to another host',
					active: false,
					settings: { executionOrder: 'v1' },
					nodes: [
						manualTrigger('e2eHttpElsewhere'),
						{
							id: 'e2eHttpElsewhere-h',
							name: 'Elsewhere',
							type: 'n8n-nodes-base.httpRequest',
							typeVersion: 4.2,
							position: [240, 0],
							parameters: { url: `http://${otherHost}/collect`, authentication: 'predefinedCredentialType', nodeCredentialType: 'enableApi', options: {} },
							credentials: { enableApi: CREDENTIAL },
						},
					],
					connections: { Start: { main: [[{ node: 'Elsewhere', type: 'main', index: 0 }]] } },
				};
				await instance.importWorkflow(workflow);
				const { ok, output } = await instance.execute(workflow.id);
				assert(!ok, 'the request to another host succeeded');
				assert(output.includes(`The Enable credential only sends its token to ${new URL(simulator.baseUrl).host}, not to ${otherHost}`), `message not shown:\n${output.slice(-600)}`);
				assert(reached.length === 0, `the other host received: ${reached.join('; ')}`);
				assertNoLeak(simulator, output, 'the output of n8n execute');
			} finally {
				elsewhere.closeAllConnections();
				await new Promise((resolve) => elsewhere.close(resolve));
			}
		});

		await check('a redirect from Enable to another origin: the Enable node refuses it naming both origins, the HTTP Request node does not carry the token there, and that origin receives nothing with it', async () => {
			const reached: string[] = [];
			const elsewhere = http.createServer((req, res) => {
				reached.push(`${req.method} ${req.url} ${req.headers.authorization ? 'with' : 'without'} Authorization`);
				res.setHeader('Content-Type', 'application/vnd.api+json');
				res.end('{"data":[]}');
			});
			await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
			const elsewherePort = (elsewhere.address() as AddressInfo).port;
			const simulatorUrl = new URL(simulator.baseUrl);
			// In front of the simulator: every deal listing answers 302 to another origin; the rest (the token request) goes through.
			const front = http.createServer((req, res) => {
				if (req.method === 'GET' && (req.url ?? '').startsWith('/v1/deals')) {
					res.writeHead(302, { Location: `http://localhost:${elsewherePort}/v1/deals` });
					res.end();
					return;
				}
				const forward = http.request({ host: simulatorUrl.hostname, port: simulatorUrl.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
					res.writeHead(answer.statusCode ?? 502, answer.headers);
					answer.pipe(res);
				});
				req.pipe(forward);
			});
			await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
			const frontUrl = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
			const redirected = { id: 'e2eRedirectCred', name: 'Enable via a redirecting front' };
			try {
				await instance.importCredentials([{ ...redirected, type: 'enableApi', data: credentialData(frontUrl) }]);
				const node = manualWorkflow('e2eRedirectNode', 'e2e Enable node redirected elsewhere', { resource: 'deal', operation: 'getAll', limit: 5 });
				for (const entry of node.nodes) if (entry.type === 'n8n-nodes-enable.enable') entry.credentials = { enableApi: redirected };
				const viaHttpRequest: Workflow = {
					id: 'e2eRedirectHttp',
					name: 'e2e HTTP Request redirected elsewhere',
					active: false,
					settings: { executionOrder: 'v1' },
					nodes: [
						manualTrigger('e2eRedirectHttp'),
						{
							id: 'e2eRedirectHttp-h',
							name: 'Deals',
							type: 'n8n-nodes-base.httpRequest',
							typeVersion: 4.2,
							position: [240, 0],
							parameters: { url: `${frontUrl}/v1/deals`, authentication: 'predefinedCredentialType', nodeCredentialType: 'enableApi', options: {} },
							credentials: { enableApi: redirected },
						},
					],
					connections: { Start: { main: [[{ node: 'Deals', type: 'main', index: 0 }]] } },
				};
				await instance.importWorkflows([node, viaHttpRequest]);
				const byNode = await instance.execute(node.id);
				assert(!byNode.ok, 'the Enable node followed the redirect to another origin');
				assert(byNode.output.includes(`redirects to another origin (http://localhost:${elsewherePort}); n8n did not follow it`), `message not shown:\n${byNode.output.slice(-800)}`);
				assert(byNode.output.includes(`The credential's Base URL is ${frontUrl}`), `the Base URL is not named:\n${byNode.output.slice(-800)}`);
				const byHttpRequest = await instance.execute(viaHttpRequest.id);
				// n8n refuses the redirect to a host the credential does not allow, before sending anything there.
				assert(!byHttpRequest.ok, 'the HTTP Request node followed the redirect to another origin');
				assert(reached.length === 0, `the other origin received: ${reached.join('; ')}`);
				assertNoLeak(simulator, `${byNode.output}\n${byHttpRequest.output}`, 'the output of n8n execute');
			} finally {
				for (const server of [front, elsewhere]) {
					server.closeAllConnections();
					await new Promise((resolve) => server.close(resolve));
				}
			}
		});

		await check('a failing run shows the actionable message (404) and exits non-zero', async () => {
			const workflow = manualWorkflow('e2eFail', 'e2e fail', { resource: 'deal', operation: 'get', dealId: 'Nope' });
			await instance.importWorkflow(workflow);
			const { ok, output } = await instance.execute(workflow.id);
			assert(!ok, 'the execution should have failed');
			assert(output.includes('The deal \\"Nope\\" was not found in Enable') || output.includes('The deal "Nope" was not found in Enable'), `message not shown:\n${output.slice(-600)}`);
			assertNoLeak(simulator, output, 'the output and error of the failed n8n execute');
		});

		const triggerWorkflow = {
			id: 'e2eTrigger',
			name: 'e2e Enable Trigger',
			active: false,
			settings: { executionOrder: 'v1' },
			nodes: [
				{
					id: 'e2eTrigger-t',
					name: 'New deal',
					type: 'n8n-nodes-enable.enableTrigger',
					typeVersion: 1,
					position: [0, 0],
					// n8n refuses one cron faster than a minute; twelve per-minute crons poll every 5 s.
					parameters: {
						event: 'newDeal',
						options: { include: ['tradingPartner'] },
						pollTimes: { item: Array.from({ length: 12 }, (_, i) => ({ mode: 'custom', cronExpression: `${i * 5} * * * * *` })) },
					},
					credentials: { enableApi: CREDENTIAL },
				},
				{
					id: 'e2eTrigger-h',
					name: 'Report',
					type: 'n8n-nodes-base.httpRequest',
					typeVersion: 4.2,
					position: [240, 0],
					parameters: {
						method: 'POST',
						url: `${simulator.baseUrl}/_admin/inbox`,
						sendBody: true,
						specifyBody: 'json',
						jsonBody: '={{ JSON.stringify($json) }}',
						options: {},
					},
				},
			],
			connections: { 'New deal': { main: [[{ node: 'Report', type: 'main', index: 0 }]] } },
		};
		const cancelWorkflow = {
			id: 'e2eCancelReport',
			name: 'e2e report to cancel',
			active: false,
			settings: { executionOrder: 'v1' },
			nodes: [
				{
					id: 'e2eCancelReport-w',
					name: 'Webhook',
					type: 'n8n-nodes-base.webhook',
					typeVersion: 2,
					position: [0, 0],
					webhookId: '5f0c9d7e-2b1a-4c3d-9e8f-7a6b5c4d3e2f',
					parameters: { httpMethod: 'GET', path: 'e2e-cancel-report', responseMode: 'onReceived', options: {} },
				},
				{
					id: 'e2eCancelReport-e',
					name: 'Enable',
					type: ENABLE_TYPE,
					typeVersion: 1,
					position: [240, 0],
					parameters: { resource: 'report', operation: 'dealEarnings', viewBy: [], options: { maxWaitMinutes: 5 } },
					credentials: { enableApi: CREDENTIAL },
				},
			],
			connections: { Webhook: { main: [[{ node: 'Enable', type: 'main', index: 0 }]] } },
		};
		await check('workflows with the Enable Trigger and with a webhook import and are published (activated)', async () => {
			await instance.importWorkflows([triggerWorkflow, cancelWorkflow]);
			for (const id of [triggerWorkflow.id, cancelWorkflow.id]) await instance.publish(id);
		});

		simulator.resetStats();
		let server: Awaited<ReturnType<N8nInstance['start']>> | undefined;
		let cookie = '';
		await check('n8n start comes up with the package loaded', async () => {
			server = await instance.start();
			cookie = await N8nInstance.signIn(server.url);
		});
		try {
			if (server) {
				const url = server.url;
				const log = server.log;
				await check('n8n lists the node, trigger, tool and credential types, with no load warning', async () => {
					const get = async (route: string) => (await (await fetch(`${url}${route}`, { headers: { Cookie: cookie } })).json()) as Array<{ name: string }>;
					const nodeTypes = (await get('/types/nodes.json')).map((type) => type.name);
					const credentialTypes = (await get('/types/credentials.json')).map((type) => type.name);
					for (const expected of [ENABLE_TYPE, 'n8n-nodes-enable.enableTrigger', 'n8n-nodes-enable.enableTool']) {
						assert(nodeTypes.includes(expected), `${expected} is not among n8n's ${nodeTypes.length} node types`);
					}
					assert(credentialTypes.includes('enableApi'), 'enableApi is not among the credential types');
					const complaints = log()
						.split(CACHE_DIR)
						.join('<cache>')
						.split('\n')
						.filter((line) => /n8n-nodes-enable|enableApi|Enable\.node|EnableTrigger/i.test(line) && /warn|error|fail|could not/i.test(line));
					assert(complaints.length === 0, `load warnings:\n${complaints.join('\n')}`);
				});

				await check("n8n's credential tester (the Test button) passes good credentials and shows our message for bad ones", async () => {
					const test = async (clientSecret: string) => {
						const response = await fetch(`${url}/rest/credentials/test`, {
							method: 'POST',
							headers: { 'Content-Type': 'application/json', Cookie: cookie },
							body: JSON.stringify({ credentials: { ...CREDENTIAL, type: 'enableApi', data: { ...credentialData(simulator.baseUrl), clientSecret } } }),
						});
						return ((await response.json()) as { data: { status: string; message: string } }).data;
					};
					const good = await test(DEMO_CLIENT.clientSecret);
					assert(good.status === 'OK', `the credential test failed for good credentials: ${good.message}`);
					// The saved credential holds a token by now: a wrong secret typed over it must still fail.
					const tokenRequests = simulator.stats().tokenRequests;
					const saved = await test('not-the-secret-either');
					assert(
						saved.status === 'Error' && saved.message === 'Enable rejected the Client ID, Client Secret or Dealtrack Registration ID',
						`a wrong secret over a stored token tested as ${JSON.stringify(saved)}`,
					);
					assert(simulator.stats().tokenRequests > tokenRequests, 'the test did not ask Enable for a token with the secret on screen');
					const bad = await test('not-the-secret');
					assert(
						bad.status === 'Error' && bad.message === 'Enable rejected the Client ID, Client Secret or Dealtrack Registration ID',
						`unexpected credential test answer: ${JSON.stringify(bad)}`,
					);
					// A busy token endpoint: the Test button says so at once instead of retrying for a minute.
					simulator.resetStats();
					simulator.addFault({ kind: 'status', status: 503, onRequest: 1, target: 'token' });
					const started = Date.now();
					const busy = await test(DEMO_CLIENT.clientSecret).finally(() => simulator.clearFaults());
					const seconds = (Date.now() - started) / 1000;
					assert(
						busy.status === 'Error' && busy.message === "Enable's token endpoint answered HTTP 503 (busy or unavailable): try again in a minute",
						`a 503 from the token endpoint tested as ${JSON.stringify(busy)}`,
					);
					assert(simulator.stats().tokenRequests === 1 && seconds < 5, `the test asked ${simulator.stats().tokenRequests} times over ${seconds} s`);
				});

				await check('Enable Trigger in a running n8n: each new deal starts the workflow exactly once', async () => {
					const waitFor = async (what: string, condition: () => boolean, seconds: number) => {
						const deadline = Date.now() + seconds * 1000;
						while (!condition()) {
							assert(Date.now() < deadline, `timed out waiting for ${what}`);
							await new Promise((resolve) => setTimeout(resolve, 250));
						}
					};
					// The activation poll records the deals that exist; wait for it and one scheduled poll.
					await waitFor('the activation poll', () => (simulator.stats().pageRequests['/v1/deals'] ?? 0) >= 2, 60);
					const first = simulator.store.add('deals', { reference: 'E2E-1' });
					const second = simulator.store.add('deals', { reference: 'E2E-2' });
					await waitFor('two deals in the workflow', () => simulator.inbox.length >= 2, 60);
					const third = simulator.store.add('deals', { reference: 'E2E-3' });
					await waitFor('the third deal', () => simulator.inbox.length >= 3, 60);
					// Several more polls: nothing may arrive twice.
					const polls = simulator.stats().pageRequests['/v1/deals'] ?? 0;
					await waitFor('three more polls', () => (simulator.stats().pageRequests['/v1/deals'] ?? 0) >= polls + 3, 60);
					const received = simulator.inbox.map((entry) => (entry as { id: string }).id);
					assert(
						JSON.stringify(received) === JSON.stringify([first.id, second.id, third.id]),
						`received ${JSON.stringify(received)}, expected ${JSON.stringify([first.id, second.id, third.id])}`,
					);
					// Include Related on the trigger: each deal arrives with its trading partner's name.
					for (const entry of simulator.inbox as Array<{ relationships?: { tradingPartner?: { id?: string; name?: string } } }>) {
						const partner = entry.relationships?.tradingPartner;
						assert(
							partner?.name !== undefined && partner.name === simulator.store.get('trading-partners', String(partner.id))?.attributes.name,
							`a deal arrived without its trading partner: ${JSON.stringify(entry.relationships)}`,
						);
					}
				});

				await check('report: stopping the execution in n8n stops the polling at once', async () => {
					simulator.reports.configure({ outcome: 'never' });
					try {
						const before = simulator.stats().reportRequests.start ?? 0;
						const fired = await fetch(`${url}/webhook/e2e-cancel-report`);
						assert(fired.ok, `the webhook answered HTTP ${fired.status}`);
						const deadline = Date.now() + 60_000;
						while ((simulator.stats().reportRequests.poll ?? 0) < 1 || (simulator.stats().reportRequests.start ?? 0) <= before) {
							assert(Date.now() < deadline, 'the report was never polled');
							await new Promise((resolve) => setTimeout(resolve, 200));
						}
						const listed = (await (
							await fetch(`${url}/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId: cancelWorkflow.id }))}`, { headers: { Cookie: cookie } })
						).json()) as { data: { results: Array<{ id: string; status: string }> } };
						const running = listed.data.results.find((execution) => execution.status === 'running' || execution.status === 'new');
						assert(running, `no running execution: ${JSON.stringify(listed.data.results)}`);
						const stopped = await fetch(`${url}/rest/executions/${running.id}/stop`, { method: 'POST', headers: { Cookie: cookie, 'Content-Type': 'application/json' }, body: '{}' });
						assert(stopped.ok, `stop answered HTTP ${stopped.status}: ${await stopped.text()}`);
						const pollsAtStop = simulator.stats().reportRequests.poll ?? 0;
						await new Promise((resolve) => setTimeout(resolve, 4000));
						const pollsAfter = (simulator.stats().reportRequests.poll ?? 0) - pollsAtStop;
						assert(pollsAfter <= 1, `the job was polled ${pollsAfter} more times after the stop`);
					} finally {
						simulator.reports.configure({ outcome: 'done' });
					}
				});

				await check("no access token and no client secret in n8n's log or in any execution n8n stored (each looked for by its exact value)", async () => {
					assertNoLeak(simulator, log(), "n8n start's log");
					const get = async (route: string) => await (await fetch(`${url}${route}`, { headers: { Cookie: cookie } })).text();
					const ids = new Set<string>();
					for (let query = 'limit=100'; ; ) {
						const page = JSON.parse(await get(`/rest/executions?${query}`)) as { data?: { results: Array<{ id: string }>; nextCursor?: string | null } };
						assert(page.data, `n8n did not list its executions: ${JSON.stringify(page).slice(0, 300)}`);
						const fresh = page.data.results.map((execution) => execution.id).filter((id) => !ids.has(id));
						if (!fresh.length) break;
						for (const id of fresh) ids.add(id);
						// The next page: n8n 2.x hands out a cursor, 1.x pages by the last id.
						if (page.data.nextCursor) query = `limit=100&cursor=${encodeURIComponent(page.data.nextCursor)}`;
						else if (!('nextCursor' in page.data) && page.data.results.length === 100) query = `limit=100&lastId=${fresh[fresh.length - 1]}`;
						else break;
					}
					assert(ids.size > 0, 'n8n lists no execution');
					for (const id of ids) assertNoLeak(simulator, await get(`/rest/executions/${id}`), `execution ${id} as n8n stored it`);
				});
			}
		} finally {
			await server?.stop();
		}
	} finally {
		await simulator.close();
		instance.cleanup();
	}
	finish(`e2e (n8n ${host.version})`, started);
	const failed = results.filter((result) => result.error).length;
	writeResult(`compat-${host.version}.json`, { date: new Date().toISOString(), n8n: host.version, node: nodeVersionOf(host.node), passed: results.length - failed, failed });
}

main().catch((error: unknown) => {
	console.error(error instanceof HostError ? `e2e: ${error.message}` : `e2e: ${error instanceof Error ? error.stack : String(error)}`);
	process.exit(1);
});
