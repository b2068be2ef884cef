/**
 * `npm run e2e:sync`: the Enable Trigger keeping things in sync inside a real n8n 2.41.1, on the
 * legacy poller and on the durable scheduler (with durable cursors):
 * - the Data Table mirror example (Any Change → upsert by id, delete on removal) holds exactly the
 *   simulator's deals after rounds of random adds, updates and removals, and a second feed on the
 *   same deals receives every change exactly once;
 * - the earnings → Slack example's trigger reports an earning's new amount with its previous one;
 * - with a 4 s poll timeout (2 s budget) and slow pages, no poll is abandoned, a read spans polls and
 *   every change arrives once; a 429 with Retry-After during a poll ends it, is saved as a failed
 *   execution, and no request reaches Enable before the Retry-After has passed.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console -- development tooling, never published: it runs in Node, with its files, processes and console */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { createRandom } from '../sandbox/data';
import { type EnableSimulator, type SimulatorOptions, startSimulator } from '../sandbox/simulator';
import { assert, check, finish, waitFor } from './lib/checks';
import { ensureN8n, HostError, N8N_VERSION, type N8nHost } from './lib/host';
import { loadExamples, N8nInstance, packPackage, type Workflow } from './lib/instance';

const DURABLE_SCHEDULER = {
	N8N_SCHEDULER_ENABLED: 'true',
	N8N_SCHEDULER_POLL_TRIGGERS_ENABLED: 'true',
	N8N_POLLER_DURABLE_CURSORS_ENABLED: 'true',
};
const TRIGGER_TYPE = 'n8n-nodes-enable.enableTrigger';
const INBOX_NODE = 'Report';

/** n8n refuses one cron faster than a minute; twelve per-minute crons poll every 5 s. */
const EVERY_FIVE_SECONDS = { item: Array.from({ length: 12 }, (_, i) => ({ mode: 'custom', cronExpression: `${i * 5} * * * * *` })) };

function example(id: string): Workflow {
	const found = loadExamples().find((workflow) => workflow.id === id);
	if (!found) throw new Error(`example ${id} is missing`);
	return structuredClone(found);
}

/** The example's trigger polls every 5 s. */
function pollingFast(workflow: Workflow): Workflow {
	for (const node of workflow.nodes) if (node.type === TRIGGER_TYPE) node.parameters.pollTimes = EVERY_FIVE_SECONDS;
	return workflow;
}

/** A trigger whose every item is POSTed to the simulator's inbox (one workflow per feed). */
function feedToInbox(id: string, simulator: EnableSimulator, trigger: Workflow['nodes'][number]): Workflow {
	return {
		id,
		name: `e2e ${id}`,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{ ...trigger, parameters: { ...trigger.parameters, pollTimes: EVERY_FIVE_SECONDS } },
			{
				id: `${id}-h`,
				name: INBOX_NODE,
				type: 'n8n-nodes-base.httpRequest',
				typeVersion: 4.2,
				position: [240, 0],
				parameters: { method: 'POST', url: `${simulator.baseUrl}/_admin/inbox`, sendBody: true, specifyBody: 'json', jsonBody: '={{ JSON.stringify($json) }}', options: {} },
			},
		],
		connections: { [trigger.name]: { main: [[{ node: INBOX_NODE, type: 'main', index: 0 }]] } },
	};
}

class Rest {
	constructor(
		readonly url: string,
		private readonly cookie: string,
	) {}

	async call<T>(method: string, route: string, body?: unknown): Promise<T> {
		const response = await fetch(`${this.url}/rest${route}`, {
			method,
			headers: { Cookie: this.cookie, 'Content-Type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await response.text();
		assert(response.ok, `${method} /rest${route} answered HTTP ${response.status}: ${text.slice(0, 300)}`);
		return (JSON.parse(text) as { data: T }).data;
	}
}

interface Running {
	instance: N8nInstance;
	rest: Rest;
	log: () => string;
	stop: () => Promise<void>;
}

async function startN8n(host: N8nHost, tarball: string, simulator: EnableSimulator, workflows: Workflow[], env: NodeJS.ProcessEnv): Promise<Running> {
	const instance = await N8nInstance.create(host, tarball);
	await instance.importSandboxCredential(simulator.baseUrl);
	await instance.importWorkflows(workflows);
	for (const workflow of workflows) await instance.publish(workflow.id);
	const server = await instance.start(undefined, env);
	const rest = new Rest(server.url, await N8nInstance.signIn(server.url));
	return {
		instance,
		rest,
		log: server.log,
		stop: async () => {
			await server.stop();
			instance.cleanup();
		},
	};
}

type Row = Record<string, unknown>;

const MIRRORED = ['reference', 'description', 'dealType', 'startDate', 'endDate', 'notes'] as const;

/** One round of random changes, each to a different deal: what the feed must report. */
function randomRound(simulator: EnableSimulator, random: () => number, round: number): string[] {
	const expected: string[] = [];
	const deals = [...simulator.store.list('deals')];
	const pick = () => deals.splice(Math.floor(random() * deals.length), 1)[0];
	for (let i = 0; i < 6; i++) {
		const deal = pick();
		// Each edit really changes the deal: an update that changes nothing is not a change.
		const otherType = deal.attributes.dealType === '04 - Marketing Fund' ? '01 - Guaranteed Rebate' : '04 - Marketing Fund';
		const edit = [{ notes: `Round ${round}: renegotiated (${i})` }, { description: `Renamed in round ${round} (${i})` }, { dealType: otherType }][i % 3];
		simulator.store.update('deals', deal.id, edit);
		expected.push(`updated:${deal.id}`);
	}
	for (let i = 0; i < 5; i++) {
		const deal = pick();
		simulator.store.remove('deals', deal.id);
		expected.push(`removed:${deal.id}`);
	}
	for (let i = 0; i < 6; i++) expected.push(`created:${simulator.store.add('deals', { reference: `SYNC-${round}-${i}` }).id}`);
	return expected;
}

async function mirrorChecks(label: string, host: N8nHost, tarball: string, env: NodeJS.ProcessEnv): Promise<void> {
	const simulator = await startSimulator({ counts: { deals: 60, earnings: 25, users: 8 } });
	const mirror = pollingFast(example('enableDealsDataTableMirror'));
	const audit = feedToInbox('e2eSyncAudit', simulator, mirror.nodes.find((node) => node.type === TRIGGER_TYPE) as Workflow['nodes'][number]);
	const earningsExample = example('enableEarningsChangedSlack');
	const earnings = feedToInbox('e2eSyncEarnings', simulator, earningsExample.nodes.find((node) => node.type === TRIGGER_TYPE) as Workflow['nodes'][number]);
	let running: Running | undefined;
	try {
		await check(`${label}: n8n starts with the mirror example, a second Any Change feed and the earnings example's trigger, all published`, async () => {
			running = await startN8n(host, tarball, simulator, [mirror, audit, earnings], env);
		});
		if (!running) return;
		const { rest } = running;
		const project = await rest.call<{ id: string }>('GET', '/projects/personal');
		const table = await rest.call<{ id: string }>('POST', `/projects/${project.id}/data-tables`, {
			name: 'Enable deals',
			columns: ['enableId', ...MIRRORED].map((name) => ({ name, type: 'string' })),
		});
		const rows = async () => (await rest.call<{ data: Row[] }>('GET', `/projects/${project.id}/data-tables/${table.id}/rows?take=1000`)).data;
		const converged = async () => {
			const stored = await rows();
			const expected = simulator.store.list('deals');
			if (stored.length !== expected.length) return false;
			const byId = new Map(stored.map((row) => [String(row.enableId), row]));
			return expected.every((deal) => MIRRORED.every((field) => String(byId.get(deal.id)?.[field] ?? '') === String(deal.attributes[field] ?? '')));
		};
		const inbox = () => simulator.inbox.map((entry) => entry as Row);
		const fed = () => inbox().filter((entry) => entry.dealType !== undefined || entry._change === 'removed').filter((entry) => entry.amount === undefined);

		await check(`${label}: "Load every deal once" fills the table; after 3 rounds of 17 random changes it holds exactly the simulator's deals`, async () => {
			// Each trigger's first poll records what exists; only then is the table loaded.
			await waitFor('the first polls', () => (simulator.stats().pageRequests['/v1/deals'] ?? 0) >= 4, 90);
			await rest.call('POST', `/workflows/${mirror.id}/run`, { triggerToStartFrom: { name: 'Load every deal once' } });
			await waitFor('the initial load', converged, 90);
			const random = createRandom(42);
			const expected: string[] = [];
			for (let round = 1; round <= 3; round++) {
				expected.push(...randomRound(simulator, random, round));
				await waitFor(`the table to hold the deals after round ${round}`, converged, 120);
			}
			const stored = await rows();
			assert(new Set(stored.map((row) => row.enableId)).size === stored.length, 'a deal has two rows');
			// The second feed on the same deals saw each change exactly once.
			// Then a few more polls, in which nothing may arrive again.
			await waitFor('every change in the second feed', () => fed().length >= expected.length, 60).catch(() => undefined);
			await new Promise((resolve) => setTimeout(resolve, 12_000));
			const received = fed().map((entry) => `${String(entry._change)}:${String(entry.id)}`);
			assert(JSON.stringify([...received].sort()) === JSON.stringify([...expected].sort()), `the feed received ${received.length} changes, expected ${expected.length}: ${received.filter((entry) => !expected.includes(entry)).join(', ')} extra; ${expected.filter((entry) => !received.includes(entry)).join(', ')} missing`);
		});

		await check(`${label}: the earnings example's trigger reports a changed amount with its previous value`, async () => {
			const earning = simulator.store.list('earnings')[3];
			const before = earning.attributes.amount;
			simulator.store.update('earnings', earning.id, { amount: 13_550 });
			await waitFor('the earning update', () => inbox().some((entry) => entry.id === earning.id), 60);
			const [update] = inbox().filter((entry) => entry.id === earning.id);
			assert(
				update._change === 'updated' && JSON.stringify(update._changed) === '["amount"]' && (update._previous as Row).amount === before && update.amount === 13_550,
				`unexpected item ${JSON.stringify(update)}`,
			);
			const partner = (update.relationships as Record<string, Row>).tradingPartner;
			assert(typeof partner?.name === 'string', 'the trading partner was not included');
		});

		await check(`${label}: no error in n8n's log about the Enable Trigger`, async () => {
			const problems = (running as Running)
				.log()
				.split('\n')
				.filter((line) => /Enable Trigger|enableTrigger|No bridge acquired|Poll exceeded/i.test(line) && /error|abandoned|fail/i.test(line));
			assert(problems.length === 0, problems.slice(0, 5).join('\n'));
		});
	} finally {
		await running?.stop();
		await simulator.close();
	}
}

async function budgetChecks(host: N8nHost, tarball: string): Promise<void> {
	const options: SimulatorOptions = { counts: { deals: 600, users: 5 }, maxPageSize: 100 };
	const simulator = await startSimulator(options);
	// Each page takes 0.7 s: a full read of 6 pages cannot fit in one 2 s budget.
	simulator.addFault({ kind: 'slow', delayMs: 700 });
	const trigger: Workflow['nodes'][number] = {
		id: 'e2eBudget-t',
		name: 'Deal changes',
		type: TRIGGER_TYPE,
		typeVersion: 3,
		position: [0, 0],
		parameters: { resource: 'deal', event: 'anyChange', filters: {}, options: {} },
		credentials: { enableApi: { id: 'enable-sandbox', name: 'Enable (sandbox)' } },
	};
	const workflow = feedToInbox('e2eBudget', simulator, trigger);
	let running: Running | undefined;
	const lastPages = () => simulator.requestLog.filter((entry) => entry.path === '/v1/deals' && entry.status === 200 && entry.query['page[cursor]'] === Buffer.from('500').toString('base64url')).length;
	try {
		await check('durable scheduler, 4 s poll timeout (2 s budget), pages of 0.7 s: n8n starts with the trigger published', async () => {
			running = await startN8n(host, tarball, simulator, [workflow], { ...DURABLE_SCHEDULER, N8N_SCHEDULER_POLL_TIMEOUT: '4' });
		});
		if (!running) return;
		const { rest } = running;
		await check('a read of 6 pages spans polls; no poll is abandoned; every change arrives once', async () => {
			// The activation poll reads everything; the scheduler's polls then read 2 pages each until the read completes.
			await waitFor('a complete read by the scheduled polls', () => lastPages() >= 2, 120);
			const [updated, removed] = simulator.store.list('deals').slice(300);
			simulator.store.update('deals', updated.id, { notes: 'changed while reading in parts' });
			simulator.store.remove('deals', removed.id);
			const added = [simulator.store.add('deals'), simulator.store.add('deals')];
			const expected = [`updated:${updated.id}`, `removed:${removed.id}`, ...added.map((deal) => `created:${deal.id}`)].sort();
			await waitFor('the four changes', () => simulator.inbox.length >= 4, 120);
			const reads = lastPages();
			await waitFor('two more complete reads', () => lastPages() >= reads + 2, 120);
			const received = simulator.inbox.map((entry) => `${String((entry as Row)._change)}:${String((entry as Row).id)}`).sort();
			assert(JSON.stringify(received) === JSON.stringify(expected), `received ${JSON.stringify(received)}, expected ${JSON.stringify(expected)}`);
			const abandoned = (running as Running).log().split('\n').filter((line) => line.includes('Poll exceeded its timeout and was abandoned'));
			assert(abandoned.length === 0, `${abandoned.length} polls were abandoned`);
		});

		await check('a 429 with Retry-After: 20 during a poll: the poll ends as a failed execution, nothing is sent before 20 s, then the change arrives', async () => {
			simulator.clearFaults();
			simulator.addFault({ kind: 'slow', delayMs: 700 });
			const before = simulator.inbox.length;
			simulator.addFault({ kind: 'status', status: 429, onRequest: simulator.stats().apiRequests + 1, retryAfter: 20 });
			const added = simulator.store.add('deals');
			await waitFor('the 429', () => simulator.requestLog.some((entry) => entry.status === 429), 60);
			const limitedAt = (simulator.requestLog.find((entry) => entry.status === 429) as { at: number }).at;
			await waitFor('the new deal', () => simulator.inbox.length > before, 120);
			const early = simulator.requestLog.filter((entry) => entry.path.startsWith('/v1/') && entry.at > limitedAt && entry.at < limitedAt + 19_500);
			assert(early.length === 0, `${early.length} requests reached Enable before its Retry-After had passed`);
			assert((simulator.inbox.at(-1) as Row).id === added.id, 'the new deal did not arrive');
			const failed = await rest.call<{ results: Array<{ id: string; status: string }> }>('GET', `/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId: workflow.id, status: ['error'] }))}`);
			assert(failed.results.length >= 1, 'the rate-limited poll was not saved as a failed execution');
		});
	} finally {
		await running?.stop();
		await simulator.close();
	}
}

async function main(): Promise<void> {
	const started = Date.now();
	if (Number(N8N_VERSION.split('.')[0]) < 2) throw new HostError(`e2e:sync needs n8n 2.41 (its Data Table node and durable scheduler); N8N_VERSION is ${N8N_VERSION}`);
	const host = await ensureN8n();
	const packDir = mkdtempSync(path.join(os.tmpdir(), 'n8n-nodes-enable-pack-'));
	const tarball = await packPackage(packDir);
	console.log(`e2e:sync: n8n ${host.version}, the legacy poller, then the durable scheduler with durable cursors`);
	try {
		await mirrorChecks('legacy poller', host, tarball, {});
		await mirrorChecks('durable scheduler', host, tarball, DURABLE_SCHEDULER);
		await budgetChecks(host, tarball);
	} finally {
		rmSync(packDir, { recursive: true, force: true });
	}
	finish(`e2e:sync (n8n ${host.version})`, started);
}

main().catch((error: unknown) => {
	console.error(error instanceof HostError ? `e2e:sync: ${error.message}` : `e2e:sync: ${error instanceof Error ? error.stack : String(error)}`);
	process.exit(1);
});
