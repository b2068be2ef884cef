/**
 * `npm run e2e:queue`: the packed package in n8n's distributed engine on this machine. Postgres
 * and Redis from the distribution's packages, n8n 2.x main with EXECUTIONS_MODE=queue and two
 * `n8n worker` processes sharing one user folder, and the simulator. Everything is started here
 * and stopped afterwards by process id.
 *
 * Checks: 40 webhook executions, 10 at a time, each with exactly the expected deals, run by both
 * workers, with at most one token request per worker (the stored token is shared through the
 * database); a token revoked mid-run heals without a refresh storm; the Enable Trigger (its polls
 * run on the main process) emits deals added while a worker is killed and restarted exactly once,
 * and nothing again after the main process restarts.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console -- development tooling, never published: it runs in Node, with its files, processes and console */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { type EnableSimulator, startSimulator } from '../sandbox/simulator';
import { assert, check, finish, waitFor } from './lib/checks';
import { ensureN8n, freePort, HostError, stopProcess } from './lib/host';
import { N8nInstance, packPackage, SANDBOX_CREDENTIAL as CREDENTIAL } from './lib/instance';
import { startServices } from './lib/services';

const ENABLE_TYPE = 'n8n-nodes-enable.enable';
const DEAL_TYPE = '02 - Growth Rebate';
const facts: Record<string, unknown> = {};

const webhookWorkflow = {
	id: 'queueDealsByType',
	name: 'queue: deals of a type',
	active: false,
	settings: { executionOrder: 'v1' },
	nodes: [
		{
			id: 'queueDealsByType-w',
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			position: [0, 0],
			webhookId: '0d6f3c2a-5b4e-4a9d-8c7b-6e5f4d3c2b1a',
			parameters: { httpMethod: 'GET', path: 'enable-deals', responseMode: 'lastNode', responseData: 'allEntries', options: {} },
		},
		{
			id: 'queueDealsByType-e',
			name: 'Enable',
			type: ENABLE_TYPE,
			typeVersion: 1,
			position: [240, 0],
			parameters: {
				resource: 'deal',
				operation: 'getAll',
				returnAll: true,
				filters: { filter: [{ attribute: 'dealType', value: '={{ $json.query.dealType }}' }] },
				options: { pageSize: 20 },
			},
			credentials: { enableApi: CREDENTIAL },
		},
	],
	connections: { Webhook: { main: [[{ node: 'Enable', type: 'main', index: 0 }]] } },
};

const triggerWorkflow = (inbox: string) => ({
	id: 'queueNewDeal',
	name: 'queue: new deal',
	active: false,
	settings: { executionOrder: 'v1' },
	nodes: [
		{
			id: 'queueNewDeal-t',
			name: 'New deal',
			type: 'n8n-nodes-enable.enableTrigger',
			typeVersion: 1,
			position: [0, 0],
			// Twelve per-minute crons at different seconds poll every 5 s.
			parameters: { event: 'newDeal', pollTimes: { item: Array.from({ length: 12 }, (_, i) => ({ mode: 'custom', cronExpression: `${i * 5} * * * * *` })) } },
			credentials: { enableApi: CREDENTIAL },
		},
		{
			id: 'queueNewDeal-h',
			name: 'Report',
			type: 'n8n-nodes-base.httpRequest',
			typeVersion: 4.2,
			position: [240, 0],
			parameters: { method: 'POST', url: inbox, sendBody: true, specifyBody: 'json', jsonBody: '={{ JSON.stringify($json) }}', options: {} },
		},
	],
	connections: { 'New deal': { main: [[{ node: 'Report', type: 'main', index: 0 }]] } },
});

async function main(): Promise<void> {
	const started = Date.now();
	if (Number((process.env.N8N_VERSION ?? '2').split('.')[0]) < 2) throw new HostError('the queue-mode e2e runs n8n 2.x');
	const host = await ensureN8n();
	console.log(`e2e:queue: n8n ${host.version} in queue mode (main + 2 workers), Postgres and Redis`);
	const services = await startServices();
	console.log(`  Postgres on ${services.postgresPort}, Redis on ${services.redisPort}`);
	const simulator: EnableSimulator = await startSimulator({ counts: { deals: 150 }, defaultPageSize: 20 });
	const packDir = mkdtempSync(path.join(os.tmpdir(), 'n8n-nodes-enable-pack-'));
	const instance = await N8nInstance.create(host, await packPackage(packDir));
	rmSync(packDir, { recursive: true, force: true });
	instance.sharedEnv = { ...services.env, QUEUE_HEALTH_CHECK_ACTIVE: 'false', N8N_LOG_LEVEL: 'info' };
	const processes: Array<{ child: Awaited<ReturnType<N8nInstance['spawn']>>['child'] }> = [];
	// The n8n processes' logs, kept after the run for a failure's post-mortem.
	const logDir = mkdtempSync(path.join(os.tmpdir(), 'enable-queue-logs-'));
	console.log(`  n8n logs: ${logDir}`);
	try {
		await check('the credential and workflows import into Postgres, and the workflows are activated', async () => {
			await instance.importSandboxCredential(simulator.baseUrl);
			await instance.importWorkflows([webhookWorkflow, triggerWorkflow(`${simulator.baseUrl}/_admin/inbox`)]);
			for (const id of [webhookWorkflow.id, 'queueNewDeal']) await instance.publish(id);
		});

		const port = await freePort();
		const url = `http://localhost:${port}`;
		let started = 0;
		const logFile = (name: string) => path.join(logDir, `${++started}-${name}.log`);
		const startMain = async () => {
			console.log('  … starting n8n main (queue mode)');
			return await instance.spawn(['start'], { N8N_PORT: String(port) }, /Editor is now accessible/, { logFile: logFile('main') });
		};
		const startWorker = async () => {
			console.log('  … starting an n8n worker');
			return await instance.spawn(['worker', '--concurrency=10'], {}, /n8n worker is now ready/, { logFile: logFile('worker') });
		};
		simulator.resetStats();
		let mainProcess = await startMain();
		const workers = [await startWorker(), await startWorker()];
		processes.push(mainProcess, ...workers);
		await waitFor('n8n to answer', () => true, 1);
		for (let i = 0; i < 60; i++) {
			const answer = await fetch(`${url}/healthz/readiness`).catch(() => undefined);
			if (answer?.ok) break;
			await new Promise((resolve) => setTimeout(resolve, 500));
		}

		const expected = simulator.store
			.list('deals')
			.filter((deal) => deal.attributes.dealType === DEAL_TYPE)
			.map((deal) => deal.id);
		// Longer than the node's own request timeout (120 s, transport/request.ts) and a retry: an Enable
		// request that hangs ends in the node's answer (a success or its error), never in the check's abort.
		const RESPONSE_TIMEOUT_MS = 300_000;
		let slowestResponseMs = 0;
		const fire = async (count: number, parallel: number): Promise<string[]> => {
			const problems: string[] = [];
			for (let batch = 0; batch < count / parallel; batch++) {
				await Promise.all(
					Array.from({ length: parallel }, async () => {
						const sent = Date.now();
						try {
							const response = await fetch(`${url}/webhook/enable-deals?dealType=${encodeURIComponent(DEAL_TYPE)}`, { signal: AbortSignal.timeout(RESPONSE_TIMEOUT_MS) });
							const body = (await response.json().catch(() => undefined)) as Array<{ id: string }> | { id: string } | undefined;
							const ids = (Array.isArray(body) ? body : body ? [body] : []).map((item) => item.id);
							if (!response.ok || JSON.stringify(ids) !== JSON.stringify(expected)) {
								problems.push(`HTTP ${response.status}: ${ids.length} records${ids.length === expected.length ? ' (different ones)' : ''}, expected ${expected.length}`);
							}
						} catch (error) {
							problems.push(`no answer after ${Math.round((Date.now() - sent) / 1000)} s (${(error as Error).message})`);
						} finally {
							slowestResponseMs = Math.max(slowestResponseMs, Date.now() - sent);
						}
					}),
				);
			}
			facts.slowestResponseMs = slowestResponseMs;
			if (problems.length) {
				// What Enable saw, and what the workers said, for the post-mortem of a run on another machine.
				const statuses = simulator.requestLog.reduce<Record<string, number>>((counts, entry) => ({ ...counts, [entry.status]: (counts[entry.status] ?? 0) + 1 }), {});
				problems.push(`Enable's answers by status: ${JSON.stringify(statuses)}`);
				for (const [index, worker] of workers.entries()) {
					const errors = worker.log().split('\n').filter((line) => /error|timed? ?out|stalled/i.test(line)).slice(-5);
					if (errors.length) problems.push(`worker ${index + 1}: ${errors.join(' | ')}`);
				}
			}
			return problems;
		};
		const workerRuns = () => workers.map((worker) => (worker.log().match(/Worker started execution/g) ?? []).length);

		await check('40 webhook executions, 10 at a time: each has exactly the expected deals; both workers ran some; ≤ 1 token request per worker', async () => {
			const problems = await fire(40, 10);
			assert(problems.length === 0, `responses were wrong: ${problems.join('; ')}`);
			const runs = workerRuns();
			facts.expectedDealsPerResponse = expected.length;
			facts.executionsPerWorker = runs;
			facts.tokenRequestsFor40 = simulator.stats().tokenRequests;
			assert(runs.every((count) => count > 0), `not both workers ran executions: ${runs.join(' / ')}`);
			assert(runs[0] + runs[1] >= 40, `the workers logged ${runs[0] + runs[1]} executions, expected at least 40`);
			assert(simulator.stats().tokenRequests <= 2, `${simulator.stats().tokenRequests} token requests for 40 executions on 2 workers`);
		});

		await check('the simulator revokes the token mid-run: 40 more executions all succeed, the token requests stay bounded', async () => {
			simulator.resetStats();
			const revoke = (async () => {
				await waitFor('the run to be under way', () => simulator.stats().apiRequests >= 40, 60);
				simulator.revokeAllTokens();
			})();
			const problems = await fire(40, 10);
			await revoke;
			assert(problems.length === 0, `responses were wrong: ${problems.join('; ')}`);
			const stats = simulator.stats();
			facts.tokenRequestsAfterRevocation = stats.tokenRequests;
			facts.status401AfterRevocation = stats.statusCounts['401'] ?? 0;
			assert(stats.tokenRequests >= 1, 'no new token after the revocation: the check did not revoke anything');
			// Concurrent executions share a refresh within a worker; each worker may refresh once more
			// for executions that had read the old token from the database before it was replaced.
			assert(stats.tokenRequests <= 4, `${stats.tokenRequests} token requests after one revocation: a refresh storm`);
		});

		await check('Enable Trigger on the main process: deals added while a worker is killed and restarted arrive exactly once', async () => {
			await waitFor('the trigger to poll', () => (simulator.stats().pageRequests['/v1/deals'] ?? 0) > 0, 60);
			simulator.inbox.length = 0;
			const pollsNow = () => simulator.requestLog.filter((entry) => entry.path === '/v1/deals' && entry.query['page[size]'] === '1000').length;
			const first = simulator.store.add('deals', { reference: 'QUEUE-1' });
			await waitFor('the first new deal', () => simulator.inbox.length >= 1, 60);
			await stopProcess(workers[0].child);
			const whileDown = [simulator.store.add('deals', { reference: 'QUEUE-2' }), simulator.store.add('deals', { reference: 'QUEUE-3' })];
			await waitFor('the deals added while a worker was down', () => simulator.inbox.length >= 3, 60);
			workers[0] = await startWorker();
			processes.push(workers[0]);
			const afterRestart = simulator.store.add('deals', { reference: 'QUEUE-4' });
			await waitFor('the deal added after the restart', () => simulator.inbox.length >= 4, 60);
			const polls = pollsNow();
			await waitFor('three more polls', () => pollsNow() >= polls + 3, 60);
			const received = simulator.inbox.map((entry) => (entry as { id: string }).id);
			const wanted = [first, ...whileDown, afterRestart].map((deal) => deal.id);
			assert(JSON.stringify([...received].sort()) === JSON.stringify([...wanted].sort()) && received.length === 4, `received ${JSON.stringify(received)}, expected each of ${JSON.stringify(wanted)} once`);
		});

		await check('after the main process restarts, no deal is emitted again (the trigger state lives in Postgres)', async () => {
			const before = simulator.inbox.length;
			await stopProcess(mainProcess.child);
			mainProcess = await startMain();
			processes.push(mainProcess);
			const pollsAtStart = simulator.requestLog.filter((entry) => entry.path === '/v1/deals').length;
			await waitFor('four polls after the restart', () => simulator.requestLog.filter((entry) => entry.path === '/v1/deals').length >= pollsAtStart + 4, 90);
			assert(simulator.inbox.length === before, `${simulator.inbox.length - before} deals were emitted again after the restart`);
			const fresh = simulator.store.add('deals', { reference: 'QUEUE-5' });
			await waitFor('a deal added after the main restart', () => simulator.inbox.length >= before + 1, 60);
			await new Promise((resolve) => setTimeout(resolve, 11_000));
			const tail = simulator.inbox.slice(before).map((entry) => (entry as { id: string }).id);
			assert(JSON.stringify(tail) === JSON.stringify([fresh.id]), `after the restart the trigger emitted ${JSON.stringify(tail)}, expected only ${fresh.id}`);
		});
	} finally {
		for (const entry of processes.reverse()) await stopProcess(entry.child);
		await simulator.close();
		await services.stop();
		instance.cleanup();
	}
	console.log(`\nFacts: ${JSON.stringify(facts)}`);
	finish(`e2e:queue (n8n ${host.version})`, started);
}

main().catch((error: unknown) => {
	console.error(error instanceof HostError ? `e2e:queue: ${error.message}` : `e2e:queue: ${error instanceof Error ? error.stack : String(error)}`);
	process.exit(1);
});
