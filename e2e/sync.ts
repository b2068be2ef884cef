/**
 * `npm run e2e:sync`: the Enable Trigger keeping things in sync inside a real n8n 2.41.1, on the
 * legacy poller and on the durable scheduler (durable cursors, N8N_SCHEDULER_POLL_TIMEOUT=4: a 2 s
 * budget per scheduled poll). One n8n per poller, several workflows with one trigger each, each
 * test on its own simulator (its own credential), so that latencies and faults stay apart:
 * (a) the one-branch Data Table mirror example (Any Change, Start With Everything) fills an EMPTY
 *     table, then holds exactly the simulator's deals after rounds of random adds, updates and
 *     removals, and a second Any Change feed (its own workflow) receives every change exactly once;
 * (b) rounds whose changes are made while a read is under way (slow pages, the changes applied
 *     between two pages of one read): the same;
 * (c) the nightly mirror check example (Slack swapped for the simulator's inbox, its repair branch
 *     enabled) reports exactly three rows corrupted through n8n's data-table REST API, repairs
 *     them, and a second run reports none;
 * (d) Start With Everything on 1 500 deals at 1.2 s a page (pages of 100), durable, 2 s budget:
 *     each deal once as created, then one update, one removal and one addition once each;
 * (e) Any Change on 1 500 deals in pages of 500 (a read spans polls), three deals removed a few
 *     seconds apart: exactly those three reported removed, nothing else;
 * (f) a 429 with Retry-After: 30 during a poll, on both pollers: no request to Enable before it
 *     has passed, the change made meanwhile arrives once afterwards, and (durable) the wait is
 *     declared as a failed execution that says rate-limiting;
 * and on both: the earnings example's trigger reports a changed amount with its previous value,
 * and no poll is abandoned ("Poll exceeded its timeout and was abandoned" never in n8n's log).
 * E2E_SYNC_ONLY=legacy or =durable runs one n8n only.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console -- development tooling, never published: it runs in Node, with its files, processes and console */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { createRandom } from '../sandbox/data';
import { credentialData, type EnableSimulator, type SimulatorOptions, startSimulator } from '../sandbox/simulator';
import { assert, check, finish, waitFor } from './lib/checks';
import { ensureN8n, HostError, N8N_VERSION, type N8nHost } from './lib/host';
import { loadExamples, N8nInstance, packPackage, type Workflow } from './lib/instance';

const DURABLE_SCHEDULER = {
	N8N_SCHEDULER_ENABLED: 'true',
	N8N_SCHEDULER_POLL_TRIGGERS_ENABLED: 'true',
	N8N_POLLER_DURABLE_CURSORS_ENABLED: 'true',
	// A 2 s budget per scheduled poll (timeout − max(20 %, 5 s), capped at half).
	N8N_SCHEDULER_POLL_TIMEOUT: '4',
};
const TRIGGER_TYPE = 'n8n-nodes-enable.enableTrigger';
const TABLE_NAME = 'Enable deals';
const MIRRORED = ['reference', 'description', 'dealType', 'startDate', 'endDate', 'notes'] as const;
const ABANDONED = 'Poll exceeded its timeout and was abandoned';

/** n8n refuses one cron faster than a minute; twelve per-minute crons poll every 5 s. */
const EVERY_FIVE_SECONDS = { item: Array.from({ length: 12 }, (_, i) => ({ mode: 'custom', cronExpression: `${i * 5} * * * * *` })) };

type Node = Workflow['nodes'][number];
type Row = Record<string, unknown>;

/** What the inbox receives from a feed: one POST per execution (per poll that emitted). */
interface Batch {
	sentAt: number;
	executionId?: string;
	items: Row[];
}

/** A simulator with the credential that reaches it. */
interface Source {
	simulator: EnableSimulator;
	credential: { id: string; name: string };
}

async function source(name: string, options: SimulatorOptions, slowMs = 0): Promise<Source> {
	const simulator = await startSimulator(options);
	if (slowMs) simulator.addFault({ kind: 'slow', delayMs: slowMs });
	return { simulator, credential: { id: `enable-${name}`, name: `Enable (${name})` } };
}

function example(id: string): Workflow {
	const found = loadExamples().find((workflow) => workflow.id === id);
	if (!found) throw new Error(`example ${id} is missing`);
	return structuredClone(found);
}

/** The example with its own id, its triggers polling every 5 s and its Enable nodes on the source's credential. */
function adapt(workflow: Workflow, id: string, from: Source): Workflow {
	workflow.id = id;
	workflow.name = `e2e ${id}`;
	for (const node of workflow.nodes) {
		if (node.type === TRIGGER_TYPE) node.parameters.pollTimes = EVERY_FIVE_SECONDS;
		if (node.type.startsWith('n8n-nodes-enable.')) node.credentials = { enableApi: from.credential };
	}
	return workflow;
}

/** A trigger whose every poll that emits is POSTed to the simulator's inbox as one batch. */
function feed(id: string, from: Source, parameters: Record<string, unknown>): Workflow {
	const trigger: Node = {
		id: `${id}-t`,
		name: 'Enable Trigger',
		type: TRIGGER_TYPE,
		typeVersion: 3,
		position: [0, 0],
		parameters: { filters: {}, ...parameters, pollTimes: EVERY_FIVE_SECONDS },
		credentials: { enableApi: from.credential },
	};
	return {
		id,
		name: `e2e ${id}`,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			trigger,
			{
				id: `${id}-h`,
				name: 'Report',
				type: 'n8n-nodes-base.httpRequest',
				typeVersion: 4.2,
				position: [240, 0],
				executeOnce: true,
				parameters: {
					method: 'POST',
					url: `${from.simulator.baseUrl}/_admin/inbox`,
					sendBody: true,
					specifyBody: 'json',
					jsonBody: '={{ JSON.stringify({ sentAt: $now.toMillis(), executionId: $execution.id, items: $input.all().map((item) => item.json) }) }}',
					options: {},
				},
			},
		],
		connections: { [trigger.name]: { main: [[{ node: 'Report', type: 'main', index: 0 }]] } },
	};
}

function batches(simulator: EnableSimulator): Batch[] {
	return (simulator.inbox as Batch[]).filter((entry) => Array.isArray(entry.items));
}

/** Every item a feed received, as `change:id`, in order. */
function events(simulator: EnableSimulator, from = 0): string[] {
	return batches(simulator)
		.slice(from)
		.flatMap((batch) => batch.items.map((item) => `${String(item._change)}:${String(item.id)}`));
}

/** Same multiset? Else what is extra and what is missing. */
function sameEvents(received: string[], expected: string[]): string | undefined {
	const count = (list: string[]) => list.reduce((map, entry) => map.set(entry, (map.get(entry) ?? 0) + 1), new Map<string, number>());
	const got = count(received);
	const want = count(expected);
	const extra: string[] = [];
	const missing: string[] = [];
	for (const [entry, n] of got) for (let i = want.get(entry) ?? 0; i < n; i++) extra.push(entry);
	for (const [entry, n] of want) for (let i = got.get(entry) ?? 0; i < n; i++) missing.push(entry);
	if (!extra.length && !missing.length) return undefined;
	const show = (list: string[]) => (list.length > 12 ? `${list.slice(0, 12).join(', ')} … (${list.length})` : list.join(', ') || 'none');
	return `received ${received.length}, expected ${expected.length}; extra: ${show(extra)}; missing: ${show(missing)}`;
}

/** Successful first-page requests of a collection (a read starting), each with its time. */
function readStarts(simulator: EnableSimulator, path = '/v1/deals'): number[] {
	return simulator.requestLog.filter((entry) => entry.path === path && entry.status === 200 && entry.query['page[cursor]'] === undefined && entry.query['filter[id]'] === undefined).map((entry) => entry.at);
}

/**
 * The polls each complete read took, from the simulator's side: its requests, grouped where they
 * are more than 2.5 s apart (polls come every 5 s).
 */
function pollsPerRead(simulator: EnableSimulator): number[] {
	const requests = simulator.requestLog.filter((entry) => entry.path.startsWith('/v1/')).map((entry) => entry.at);
	const starts = readStarts(simulator);
	const result: number[] = [];
	for (let i = 0; i + 1 < starts.length; i++) {
		const within = requests.filter((at) => at >= starts[i] && at < starts[i + 1]);
		result.push(within.reduce((groups, at, index) => groups + (index > 0 && at - within[index - 1] > 2500 ? 1 : 0), within.length ? 1 : 0));
	}
	return result;
}

function seconds(ms: number): string {
	return `${(ms / 1000).toFixed(1)} s`;
}

const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

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

	/** Publishes an imported workflow, as the editor's Publish button does. */
	async activate(id: string): Promise<void> {
		const { versionId } = await this.call<{ versionId: string }>('GET', `/workflows/${id}`);
		await this.call('POST', `/workflows/${id}/activate`, { versionId });
	}

	/** Runs a workflow from one of its triggers, as the editor does; resolves with the finished execution. */
	async run(id: string, trigger: string): Promise<Execution> {
		const { executionId } = await this.call<{ executionId: string }>('POST', `/workflows/${id}/run`, { triggerToStartFrom: { name: trigger } });
		let execution: Execution | undefined;
		await waitFor(`execution ${executionId} of ${id} to finish`, async () => {
			execution = await this.execution(executionId);
			return execution.finished || !['new', 'running', 'waiting'].includes(execution.status);
		}, 180);
		return execution as Execution;
	}

	async execution(id: string): Promise<Execution> {
		const response = await fetch(`${this.url}/rest/executions/${id}`, { headers: { Cookie: this.cookie } });
		const text = await response.text();
		assert(response.ok, `GET /rest/executions/${id} answered HTTP ${response.status}: ${text.slice(0, 300)}`);
		const { data } = JSON.parse(text) as { data: Omit<Execution, 'text'> };
		return { ...data, text };
	}

	async executions(workflowId: string, status?: string[]): Promise<Array<{ id: string; status: string }>> {
		const filter = encodeURIComponent(JSON.stringify({ workflowId, ...(status ? { status } : {}) }));
		return (await this.call<{ results: Array<{ id: string; status: string }> }>('GET', `/executions?filter=${filter}&limit=100`)).results;
	}
}

interface Execution {
	id: string;
	status: string;
	finished?: boolean;
	startedAt?: string;
	stoppedAt?: string;
	/** The whole answer, to search. */
	text: string;
}

/** The mirror's table, through n8n's data-table REST API. */
class Table {
	constructor(
		private readonly rest: Rest,
		private readonly base: string,
	) {}

	static async create(rest: Rest): Promise<Table> {
		const project = await rest.call<{ id: string }>('GET', '/projects/personal');
		const table = await rest.call<{ id: string }>('POST', `/projects/${project.id}/data-tables`, {
			name: TABLE_NAME,
			columns: ['enableId', ...MIRRORED].map((name) => ({ name, type: 'string' })),
		});
		return new Table(rest, `/projects/${project.id}/data-tables/${table.id}`);
	}

	/** Every row (n8n answers at most 250 a page). */
	async rows(): Promise<Row[]> {
		const rows: Row[] = [];
		for (;;) {
			const page = await this.rest.call<{ count: number; data: Row[] }>('GET', `${this.base}/rows?skip=${rows.length}&take=250`);
			rows.push(...page.data);
			if (!page.data.length || rows.length >= page.count) return rows;
		}
	}

	private static byId(enableId: string) {
		return { type: 'and', filters: [{ columnName: 'enableId', condition: 'eq', value: enableId }] };
	}

	async insert(row: Row): Promise<void> {
		await this.rest.call('POST', `${this.base}/insert`, { data: [row], returnType: 'count' });
	}

	async update(enableId: string, data: Row): Promise<void> {
		await this.rest.call('PATCH', `${this.base}/rows`, { filter: Table.byId(enableId), data });
	}

	async remove(enableId: string): Promise<void> {
		await this.rest.call('DELETE', `${this.base}/rows?filter=${encodeURIComponent(JSON.stringify(Table.byId(enableId)))}`);
	}

	/** How the table differs from the simulator's deals; undefined when it holds exactly them. */
	async differs(simulator: EnableSimulator): Promise<string | undefined> {
		const stored = await this.rows();
		const deals = simulator.store.list('deals');
		const byId = new Map<string, Row[]>();
		for (const row of stored) byId.set(String(row.enableId), [...(byId.get(String(row.enableId)) ?? []), row]);
		const problems: string[] = [];
		for (const [id, rows] of byId) if (rows.length > 1) problems.push(`${id} has ${rows.length} rows`);
		for (const deal of deals) {
			const row = byId.get(deal.id)?.[0];
			if (!row) problems.push(`${deal.id} missing`);
			else {
				const fields = MIRRORED.filter((field) => String(row[field] ?? '') !== String(deal.attributes[field] ?? ''));
				if (fields.length) problems.push(`${deal.id} differs in ${fields.join(', ')}`);
			}
		}
		const known = new Set(deals.map((deal) => deal.id));
		for (const id of byId.keys()) if (!known.has(id)) problems.push(`${id} is not in Enable`);
		return problems.length ? `${stored.length} rows for ${deals.length} deals: ${problems.slice(0, 8).join('; ')}${problems.length > 8 ? ' …' : ''}` : undefined;
	}
}

interface Running {
	rest: Rest;
	log: () => string;
	stop: () => Promise<void>;
}

/** A fresh n8n with the package, a credential per source and the workflows imported (none published yet). */
async function startN8n(host: N8nHost, tarball: string, sources: Source[], workflows: Workflow[], env: NodeJS.ProcessEnv): Promise<Running> {
	const instance = await N8nInstance.create(host, tarball);
	await instance.importCredentials(sources.map(({ simulator, credential }) => ({ ...credential, type: 'enableApi', data: credentialData(simulator.baseUrl) })));
	await instance.importWorkflows(workflows);
	const server = await instance.start(undefined, env);
	const rest = new Rest(server.url, await N8nInstance.signIn(server.url));
	return {
		rest,
		log: server.log,
		stop: async () => {
			await server.stop();
			instance.cleanup();
		},
	};
}

// -----------------------------------------------------------------------------------------------
// (a), (b): the mirror and a second feed, through rounds of changes.

/** One round of random changes, each to a different deal, between polls: what a feed must report. */
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

/** The offset a list request asks for (its page cursor), 0 for a first page. */
function offsetOf(query: URLSearchParams): number {
	const cursor = query.get('page[cursor]');
	if (cursor === null) return 0;
	const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
	return Number(decoded.includes(':') ? decoded.split(':')[1] : decoded);
}

/**
 * Changes made while a read is under way: when some read asks for its third page (pages of 10),
 * before it is answered, a deal already read and one not yet read are updated, one of each is
 * removed (the first shifts every later deal back by one, so that this read skips one), and two
 * are added. Resolves with what a feed must report, once the changes are made.
 */
async function changesDuringARead(simulator: EnableSimulator, round: number): Promise<string[]> {
	return await new Promise((resolve) => {
		simulator.beforeApiRequest = (path, query) => {
			if (path !== '/v1/deals' || offsetOf(query) !== 20) return;
			simulator.beforeApiRequest = undefined;
			const deals = simulator.store.list('deals');
			const [readUpdate, unreadUpdate, readRemoval, unreadRemoval] = [deals[3], deals[45], deals[8], deals[52]];
			simulator.store.update('deals', readUpdate.id, { notes: `Mid-read round ${round}: already read` });
			simulator.store.update('deals', unreadUpdate.id, { description: `Mid-read round ${round}: not yet read` });
			simulator.store.remove('deals', readRemoval.id);
			simulator.store.remove('deals', unreadRemoval.id);
			const added = [simulator.store.add('deals', { reference: `MID-${round}-0` }), simulator.store.add('deals', { reference: `MID-${round}-1` })];
			resolve([`updated:${readUpdate.id}`, `updated:${unreadUpdate.id}`, `removed:${readRemoval.id}`, `removed:${unreadRemoval.id}`, ...added.map((deal) => `created:${deal.id}`)]);
		};
	});
}

interface MirrorSetup {
	from: Source;
	mirror: Workflow;
	audit: Workflow;
}

function mirrorSetup(label: string, from: Source): MirrorSetup {
	return {
		from,
		mirror: adapt(example('enableDealsDataTableMirror'), `e2eMirror${label}`, from),
		// The second feed on the same deals, Start With Everything too: its first read is seen arrive.
		audit: feed(`e2eAudit${label}`, from, { resource: 'deal', event: 'anyChange', options: { startWith: 'everything' } }),
	};
}

async function mirrorChecks(label: string, running: Running, setup: MirrorSetup, table: Table, quietMs: number): Promise<boolean> {
	const { rest } = running;
	const { simulator } = setup.from;
	const initial = simulator.store.list('deals').map((deal) => `created:${deal.id}`);
	const expected = [...initial];
	let passed = 0;
	const converge = async (what: string, seconds: number) => {
		let last: string | undefined;
		await waitFor(what, async () => (last = await table.differs(simulator)) === undefined, seconds).catch((error: unknown) => {
			throw new Error(`${(error as Error).message}: ${last ?? ''}`);
		});
	};

	await check(`${label}: the one-branch mirror (Start With Everything) fills the EMPTY table with the ${initial.length} deals; the second Any Change feed receives each once as created`, async () => {
		assert((await table.rows()).length === 0, 'the table is not empty');
		const started = Date.now();
		await rest.activate(setup.audit.id);
		await rest.activate(setup.mirror.id);
		await converge('the initial load', 120);
		const loaded = Date.now() - started;
		await waitFor('the second feed\'s first read', () => events(simulator).length >= initial.length, 60);
		const problem = sameEvents(events(simulator), initial);
		assert(!problem, `the second feed: ${problem}`);
		const executions = await rest.executions(setup.mirror.id);
		console.log(`      initial load: ${seconds(loaded)} from publishing to a full table, ${executions.length} mirror execution(s); ${readStarts(simulator).length} reads of the deals so far`);
		passed++;
	});

	await check(`${label}: after 3 rounds of 17 random changes between polls the table holds exactly the simulator's deals`, async () => {
		const random = createRandom(42);
		for (let round = 1; round <= 3; round++) {
			const started = Date.now();
			expected.push(...randomRound(simulator, random, round));
			await converge(`the table to hold the deals after round ${round}`, 120);
			console.log(`      round ${round}: converged in ${seconds(Date.now() - started)}`);
		}
		passed++;
	});

	await check(`${label}: 2 rounds of changes made while a read is under way (between its pages 2 and 3: a deal read and one not yet read updated, one of each removed, two added): the table converges`, async () => {
		for (let round = 1; round <= 2; round++) {
			const started = Date.now();
			const made = changesDuringARead(simulator, round);
			const changes = await Promise.race([made, sleep(60_000).then(() => undefined)]);
			assert(changes, `no read reached its third page within 60 s (round ${round})`);
			expected.push(...changes);
			await converge(`the table to hold the deals after mid-read round ${round}`, 120);
			console.log(`      mid-read round ${round}: converged in ${seconds(Date.now() - started)}`);
		}
		passed++;
	});

	await check(`${label}: the second feed received every change exactly once (${expected.length - initial.length} changes after its ${initial.length} created), and nothing more in the reads after`, async () => {
		simulator.beforeApiRequest = undefined;
		await waitFor('every change in the second feed', () => events(simulator).length >= expected.length, 90).catch(() => undefined);
		// Then more reads, in which nothing may arrive again.
		await sleep(quietMs);
		const problem = sameEvents(events(simulator), expected);
		assert(!problem, problem as string);
		const stored = await table.rows();
		assert(new Set(stored.map((row) => row.enableId)).size === stored.length, 'a deal has two rows');
		const split = pollsPerRead(simulator).filter(Boolean);
		console.log(`      reads of the deals: ${readStarts(simulator).length}; polls per read (both triggers' requests together): ${[...new Set(split)].sort().join(', ')}`);
		passed++;
	});
	return passed === 4;
}

// -----------------------------------------------------------------------------------------------
// (c): the nightly mirror check.

function nightlySetup(from: Source, inbox: EnableSimulator): Workflow {
	const workflow = adapt(example('enableDealsMirrorNightlyCheck'), 'e2eNightlyCheck', from);
	for (const node of workflow.nodes) {
		// The repair branch, disabled in the example, is enabled here.
		if (node.name.startsWith('Repair:')) node.disabled = false;
		// Slack is the simulator's inbox here: the message's counts, ids and text.
		if (node.type === 'n8n-nodes-base.slack') {
			node.type = 'n8n-nodes-base.httpRequest';
			node.typeVersion = 4.2;
			delete node.credentials;
			node.parameters = { method: 'POST', url: `${inbox.baseUrl}/_admin/inbox`, sendBody: true, specifyBody: 'json', jsonBody: '={{ JSON.stringify($json) }}', options: {} };
		}
	}
	return workflow;
}

interface Report {
	inEnableOnly: string[];
	inTableOnly: string[];
	different: string[];
	same: number;
	text: string;
}

async function nightlyChecks(running: Running, workflow: Workflow, table: Table, from: Source, inbox: EnableSimulator): Promise<void> {
	const { rest } = running;
	const { simulator } = from;
	const trigger = workflow.nodes.find((node) => node.type === 'n8n-nodes-base.scheduleTrigger')?.name as string;
	const runCheck = async (): Promise<{ report: Report; ms: number }> => {
		const before = inbox.inbox.length;
		const execution = await rest.run(workflow.id, trigger);
		assert(execution.status === 'success', `the nightly check's execution ${execution.id} ended ${execution.status}: ${execution.text.slice(0, 600)}`);
		await waitFor('the report', () => inbox.inbox.length > before, 30);
		await sleep(1000);
		assert(inbox.inbox.length === before + 1, `${inbox.inbox.length - before} messages instead of one`);
		const ms = execution.startedAt && execution.stoppedAt ? Date.parse(execution.stoppedAt) - Date.parse(execution.startedAt) : Number.NaN;
		return { report: inbox.inbox[before] as Report, ms };
	};
	const sorted = (list: string[]) => JSON.stringify([...list].sort());

	await check('legacy poller, (c) the nightly check: one row deleted, one added, one altered through the data-table REST API; it reports exactly those three in one message and repairs them', async () => {
		assert((await table.differs(simulator)) === undefined, 'the table was not in sync before the corruption');
		const deals = simulator.store.list('deals');
		const [deleted, altered] = [deals[10], deals[20]];
		const extra = 'E2E-EXTRA';
		await table.remove(deleted.id);
		await table.insert({ enableId: extra, reference: 'NOT-IN-ENABLE', description: 'added by hand', dealType: '', startDate: '', endDate: '', notes: '' });
		await table.update(altered.id, { notes: 'edited by hand in the table' });
		const { report, ms } = await runCheck();
		console.log(`      report (${seconds(ms)} for ${deals.length} deals): ${JSON.stringify(report.text)}`);
		assert(sorted(report.inEnableOnly) === sorted([deleted.id]), `in Enable only: ${JSON.stringify(report.inEnableOnly)}, expected ${deleted.id}`);
		assert(sorted(report.inTableOnly) === sorted([extra]), `in the table only: ${JSON.stringify(report.inTableOnly)}, expected ${extra}`);
		assert(sorted(report.different) === sorted([altered.id]), `different: ${JSON.stringify(report.different)}, expected ${altered.id}`);
		assert(report.same === deals.length - 2, `same: ${report.same}, expected ${deals.length - 2}`);
		for (const line of [`In Enable only (1): ${deleted.id}`, `In the table only (1): ${extra}`, `Different (1): ${altered.id}`, '3 to repair']) {
			assert(report.text.includes(line), `the message lacks "${line}": ${report.text}`);
		}
		const left = await table.differs(simulator);
		assert(left === undefined, `not repaired: ${left}`);
	});

	await check('legacy poller, (c) a second run of the nightly check reports none', async () => {
		const { report, ms } = await runCheck();
		console.log(`      report (${seconds(ms)}): ${JSON.stringify(report.text)}`);
		const total = simulator.store.list('deals').length;
		assert(report.inEnableOnly.length + report.inTableOnly.length + report.different.length === 0 && report.same === total, `reported ${JSON.stringify(report)}`);
		assert(report.text.includes('0 to repair') && report.text.includes(`${total} rows match`), `the message: ${report.text}`);
	});
}

// -----------------------------------------------------------------------------------------------
// The earnings example's trigger.

function earningsSetup(label: string, from: Source): Workflow {
	const trigger = example('enableEarningsChangedSlack').nodes.find((node) => node.type === TRIGGER_TYPE) as Node;
	return feed(`e2eEarnings${label}`, from, trigger.parameters);
}

async function earningsChecks(label: string, running: Running, workflow: Workflow, from: Source): Promise<void> {
	const { simulator } = from;
	await check(`${label}: the earnings example's trigger reports a changed amount with its previous value`, async () => {
		await running.rest.activate(workflow.id);
		// Its first read records the earnings; a second read has started once it is done.
		await waitFor('the earnings trigger\'s first reads', () => readStarts(simulator, '/v1/earnings').length >= 2, 90);
		const earning = simulator.store.list('earnings')[3];
		const before = earning.attributes.amount;
		simulator.store.update('earnings', earning.id, { amount: 13_550 });
		await waitFor('the earning update', () => events(simulator).length > 0, 60);
		const items = batches(simulator).flatMap((batch) => batch.items);
		assert(items.length === 1, `${items.length} items: ${JSON.stringify(items).slice(0, 300)}`);
		const [update] = items;
		assert(
			update.id === earning.id && update._change === 'updated' && JSON.stringify(update._changed) === '["amount"]' && (update._previous as Row).amount === before && update.amount === 13_550,
			`unexpected item ${JSON.stringify(update)}`,
		);
		const partner = (update.relationships as Record<string, Row>).tradingPartner;
		assert(typeof partner?.name === 'string', 'the trading partner was not included');
	});
}

// -----------------------------------------------------------------------------------------------
// (f): a 429 with Retry-After during a poll.

const RETRY_AFTER_S = 30;

function rateLimitSetup(label: string, from: Source): Workflow {
	return feed(`e2eRateLimit${label}`, from, { resource: 'deal', event: 'anyChange', options: { startWith: 'everything' } });
}

async function rateLimitChecks(label: string, running: Running, workflow: Workflow, from: Source, durable: boolean): Promise<void> {
	const { simulator } = from;
	const { rest } = running;
	const initial = simulator.store.list('deals').map((deal) => `created:${deal.id}`);
	await check(
		`${label}, (f) a 429 with Retry-After: ${RETRY_AFTER_S} during a poll: no request reaches Enable for ${RETRY_AFTER_S} s, no poll is abandoned, the change made meanwhile arrives once afterwards${durable ? ', and the wait is declared (a failed execution that says rate-limiting)' : ''}`,
		async () => {
			await rest.activate(workflow.id);
			await waitFor('the first read', () => events(simulator).length >= initial.length, 90);
			// The second request from now: a page after the first of some read.
			simulator.addFault({ kind: 'status', status: 429, onRequest: simulator.stats().apiRequests + 2, retryAfter: RETRY_AFTER_S });
			await waitFor('the 429', () => simulator.requestLog.some((entry) => entry.status === 429), 60);
			const limited = simulator.requestLog.find((entry) => entry.status === 429) as { at: number; query: Record<string, string> };
			const added = simulator.store.add('deals', { reference: 'ADDED-WHILE-LIMITED' });
			const updated = simulator.store.list('deals')[4];
			simulator.store.update('deals', updated.id, { notes: 'updated while Enable rate-limits' });
			const changes = [`created:${added.id}`, `updated:${updated.id}`];
			await waitFor('the two changes', () => changes.every((change) => events(simulator).includes(change)), RETRY_AFTER_S + 60);
			const early = simulator.requestLog.filter((entry) => entry.path.startsWith('/v1/') && entry.at > limited.at && entry.at < limited.at + RETRY_AFTER_S * 1000 - 500);
			assert(early.length === 0, `${early.length} requests reached Enable before its Retry-After had passed: ${early.map((entry) => `${entry.path} +${seconds(entry.at - limited.at)}`).join(', ')}`);
			const next = simulator.requestLog.find((entry) => entry.path.startsWith('/v1/') && entry.at > limited.at);
			// Nothing more in the next complete reads.
			const reads = readStarts(simulator).length;
			await waitFor('two more reads', () => readStarts(simulator).length >= reads + 2, 60);
			const problem = sameEvents(events(simulator), [...initial, ...changes]);
			assert(!problem, problem as string);
			const arrived = batches(simulator).find((batch) => batch.items.some((item) => `created:${String(item.id)}` === changes[0]));
			const failed = await rest.executions(workflow.id, ['error']);
			const declared = await Promise.all(failed.map(async (execution) => await rest.execution(execution.id)));
			const saysRateLimited = declared.filter((execution) => /rate-limiting/i.test(execution.text));
			const logged = running.log().split('\n').filter((line) => /rate-limit|HTTP 429|asked n8n to wait/i.test(line)).length;
			console.log(
				`      429 on ${limited.query['page[cursor]'] ? 'a later page' : 'a first page'}; the next request to Enable ${next ? `${seconds(next.at - limited.at)} later` : 'never'}; the changes arrived ${arrived ? seconds(arrived.sentAt - limited.at) : '?'} after the 429; failed executions: ${failed.length} (${saysRateLimited.length} saying rate-limiting); n8n log lines about it: ${logged}${failed.length || logged ? '' : ' (the wait fitted in the poll\'s budget and was waited out within it)'}`,
			);
			if (durable) assert(saysRateLimited.length >= 1, `no failed execution says rate-limiting (${failed.length} failed)`);
		},
	);
}

// -----------------------------------------------------------------------------------------------
// (d): Start With Everything on 1 500 deals, 1.2 s a page, a 2 s budget.

function everythingSetup(from: Source): Workflow {
	return feed('e2eEverything', from, { resource: 'deal', event: 'anyChange', options: { startWith: 'everything' } });
}

async function everythingChecks(running: Running, workflow: Workflow, from: Source): Promise<void> {
	const { simulator } = from;
	const initial = simulator.store.list('deals').map((deal) => `created:${deal.id}`);
	let changes: string[] = [];
	await check(`durable scheduler, (d) Start With Everything on ${initial.length} deals at 1.2 s a page (pages of 100), 2 s budget: each deal once as created`, async () => {
		const started = Date.now();
		await running.rest.activate(workflow.id);
		await waitFor(`${initial.length} created`, () => events(simulator).length >= initial.length, 240);
		const problem = sameEvents(events(simulator), initial);
		assert(!problem, problem as string);
		const sizes = batches(simulator).map((batch) => batch.items.length);
		console.log(`      every deal in ${seconds(Date.now() - started)} from publishing, in ${sizes.length} execution(s) of ${sizes.join(', ')} items`);
	});
	await check('durable scheduler, (d) then one update, one removal and one addition: each once, nothing else, over the reads that follow; no poll abandoned', async () => {
		const seen = batches(simulator).length;
		const deals = simulator.store.list('deals');
		const [updated, removed] = [deals[700], deals[300]];
		simulator.store.update('deals', updated.id, { notes: 'updated after the first read' });
		simulator.store.remove('deals', removed.id);
		const added = simulator.store.add('deals', { reference: 'ADDED-AFTER-THE-FIRST-READ' });
		changes = [`updated:${updated.id}`, `removed:${removed.id}`, `created:${added.id}`];
		const started = Date.now();
		await waitFor('the three changes', () => changes.every((change) => events(simulator, seen).includes(change)), 300);
		const arrived = Date.now() - started;
		// A complete read after they arrived, in which nothing may arrive again.
		const reads = readStarts(simulator).length;
		await waitFor('one more complete read', () => readStarts(simulator).length >= reads + 2, 200);
		const problem = sameEvents(events(simulator, seen), changes);
		assert(!problem, problem as string);
		assert(!running.log().includes(ABANDONED), 'n8n abandoned a poll');
		console.log(`      the three changes arrived within ${seconds(arrived)}; polls per complete read: ${pollsPerRead(simulator).join(', ')}`);
	});
}

// -----------------------------------------------------------------------------------------------
// (e): three removals a few seconds apart while reads span polls.

function removalsSetup(from: Source): Workflow {
	return feed('e2eRemovals', from, { resource: 'deal', event: 'anyChange', options: {} });
}

async function removalsChecks(running: Running, workflow: Workflow, from: Source): Promise<void> {
	const { simulator } = from;
	await check('durable scheduler, (e) Any Change on 1 500 deals in pages of 500, 2 s budget (every read after the first complete read spans polls): three deals removed a few seconds apart are reported removed, exactly those and nothing else', async () => {
		await running.rest.activate(workflow.id);
		// The first complete read records the deals: read twice, since it takes several pages (the
		// second, settling read finds what a removal hid from the first), both in the activation poll,
		// which n8n gives five minutes. The next read has begun once it is done.
		await waitFor('the first complete read', () => readStarts(simulator).length >= 3, 120);
		const deals = simulator.store.list('deals');
		const removed = [deals[100], deals[600], deals[1100]];
		for (const [index, deal] of removed.entries()) {
			if (index) await sleep(4000);
			simulator.store.remove('deals', deal.id);
		}
		const expected = removed.map((deal) => `removed:${deal.id}`);
		const started = Date.now();
		await waitFor('the three removals', () => expected.every((change) => events(simulator).includes(change)), 120);
		const arrived = Date.now() - started;
		const reads = readStarts(simulator).length;
		await waitFor('one more complete read', () => readStarts(simulator).length >= reads + 2, 90);
		const problem = sameEvents(events(simulator), expected);
		assert(!problem, problem as string);
		const split = pollsPerRead(simulator);
		// Every read after the first complete read (its two reads in the activation poll) spans polls.
		assert(split.length > 2 && split.slice(2).every((polls) => polls >= 2), `a read after the first complete read fitted in one poll: polls per read ${split.join(', ')}`);
		console.log(`      the removals arrived within ${seconds(arrived)} of the last; polls per complete read: ${split.join(', ')}`);
	});
}

// -----------------------------------------------------------------------------------------------

async function logChecks(label: string, running: Running): Promise<void> {
	await check(`${label}: no poll abandoned, and no error in n8n's log about the Enable Trigger but the declared rate limits`, () => {
		const lines = running.log().split('\n');
		const abandoned = lines.filter((line) => line.includes(ABANDONED));
		assert(abandoned.length === 0, `${abandoned.length} polls abandoned: ${abandoned.slice(0, 3).join('\n')}`);
		const problems = lines.filter((line) => /Enable Trigger|enableTrigger|No bridge acquired/i.test(line) && /error|abandoned|fail/i.test(line) && !/rate-limit|HTTP 429/i.test(line));
		assert(problems.length === 0, problems.slice(0, 5).join('\n'));
	});
}

async function legacy(host: N8nHost, tarball: string): Promise<void> {
	const label = 'legacy poller';
	const mirrorFrom = await source('mirror', { counts: { deals: 60, users: 8 }, maxPageSize: 10 }, 200);
	const earningsFrom = await source('earnings', { counts: { deals: 10, earnings: 25, users: 5 } });
	const limitFrom = await source('rate-limit', { counts: { deals: 20, users: 3 }, maxPageSize: 5 }, 300);
	const reports = await startSimulator({ counts: { deals: 0, users: 0 } });
	const sources = [mirrorFrom, earningsFrom, limitFrom];
	const setup = mirrorSetup('Legacy', mirrorFrom);
	const nightly = nightlySetup(mirrorFrom, reports);
	const earnings = earningsSetup('Legacy', earningsFrom);
	const limit = rateLimitSetup('Legacy', limitFrom);
	let running: Running | undefined;
	try {
		await check(`${label}: n8n starts with the mirror, a second Any Change feed, the nightly check, the earnings trigger and a rate-limited feed imported`, async () => {
			running = await startN8n(host, tarball, sources, [setup.mirror, setup.audit, nightly, earnings, limit], {});
		});
		if (!running) return;
		const n8n = running;
		const table = await Table.create(n8n.rest);
		await Promise.all([
			(async () => {
				if (await mirrorChecks(label, n8n, setup, table, 12_000)) await nightlyChecks(n8n, nightly, table, mirrorFrom, reports);
			})(),
			earningsChecks(label, n8n, earnings, earningsFrom),
			rateLimitChecks(label, n8n, limit, limitFrom, false),
		]);
		await logChecks(label, n8n);
	} finally {
		await running?.stop();
		for (const { simulator } of sources) await simulator.close();
		await reports.close();
	}
}

async function durable(host: N8nHost, tarball: string): Promise<void> {
	const label = 'durable scheduler';
	// Pages of 10 at 0.4 s: four pages fit in a 2 s budget, so every read of the 60 deals spans two polls.
	const mirrorFrom = await source('mirror', { counts: { deals: 60, users: 8 }, maxPageSize: 10 }, 400);
	const earningsFrom = await source('earnings', { counts: { deals: 10, earnings: 25, users: 5 } });
	const limitFrom = await source('rate-limit', { counts: { deals: 20, users: 3 }, maxPageSize: 5 }, 300);
	const everythingFrom = await source('everything', { counts: { deals: 1500, users: 5 }, maxPageSize: 100 }, 1200);
	// A page of 500 takes 1 s: one page per poll.
	const removalsFrom = await source('removals', { counts: { deals: 1500, users: 5 }, maxPageSize: 500 }, 1000);
	const sources = [mirrorFrom, earningsFrom, limitFrom, everythingFrom, removalsFrom];
	const setup = mirrorSetup('Durable', mirrorFrom);
	const earnings = earningsSetup('Durable', earningsFrom);
	const limit = rateLimitSetup('Durable', limitFrom);
	const everything = everythingSetup(everythingFrom);
	const removals = removalsSetup(removalsFrom);
	let running: Running | undefined;
	try {
		await check(`${label} (durable cursors, 4 s poll timeout: a 2 s budget): n8n starts with the mirror, a second feed, the earnings trigger, a rate-limited feed, and the 1 500-deal feeds imported`, async () => {
			running = await startN8n(host, tarball, sources, [setup.mirror, setup.audit, earnings, limit, everything, removals], DURABLE_SCHEDULER);
		});
		if (!running) return;
		const n8n = running;
		const table = await Table.create(n8n.rest);
		await Promise.all([
			mirrorChecks(label, n8n, setup, table, 25_000),
			earningsChecks(label, n8n, earnings, earningsFrom),
			rateLimitChecks(label, n8n, limit, limitFrom, true),
			everythingChecks(n8n, everything, everythingFrom),
			removalsChecks(n8n, removals, removalsFrom),
		]);
		await logChecks(label, n8n);
	} finally {
		await running?.stop();
		for (const { simulator } of sources) await simulator.close();
	}
}

async function main(): Promise<void> {
	const started = Date.now();
	if (Number(N8N_VERSION.split('.')[0]) < 2) throw new HostError(`e2e:sync needs n8n 2.41 (its Data Table node and durable scheduler); N8N_VERSION is ${N8N_VERSION}`);
	const host = await ensureN8n();
	const packDir = mkdtempSync(path.join(os.tmpdir(), 'n8n-nodes-enable-pack-'));
	const tarball = await packPackage(packDir);
	const only = process.env.E2E_SYNC_ONLY;
	console.log(`e2e:sync: n8n ${host.version}, the legacy poller, then the durable scheduler with durable cursors${only ? ` (only ${only})` : ''}`);
	try {
		for (const [name, suite] of [['legacy', legacy], ['durable', durable]] as const) {
			if (only && only !== name) continue;
			const began = Date.now();
			await suite(host, tarball);
			console.log(`    (${name}: ${seconds(Date.now() - began)}, n8n's install and start-up included)`);
		}
	} finally {
		rmSync(packDir, { recursive: true, force: true });
	}
	finish(`e2e:sync (n8n ${host.version})`, started);
}

main().catch((error: unknown) => {
	console.error(error instanceof HostError ? `e2e:sync: ${error.message}` : `e2e:sync: ${error instanceof Error ? error.stack : String(error)}`);
	process.exit(1);
});
