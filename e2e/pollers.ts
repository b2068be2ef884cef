/**
 * `npm run e2e:pollers`: how a real n8n 2.41.1 keeps a poll trigger's static data and schedules its
 * polls, on each poller it offers. The evidence behind the poller models of test/harness/n8n.ts
 * (TriggerRunner, PollerModel), not a test of this package: a throw-away PROBE poll trigger,
 * generated below into a temporary folder and never part of the published package, asks this
 * script's HTTP server what to do in each poll (write a key into its node static data, sleep,
 * return null, emit, or throw) and reports what it saw.
 *
 * Pollers: legacy (n8n's defaults: crons in memory, n8n-core active-workflow-triggers.js), the
 * durable scheduler with durable cursors (N8N_SCHEDULER_ENABLED, N8N_SCHEDULER_POLL_TRIGGERS_ENABLED,
 * N8N_POLLER_DURABLE_CURSORS_ENABLED, N8N_USE_WORKFLOW_PUBLICATION_SERVICE), and the scheduler
 * without durable cursors. Each: a fresh SQLite user folder, five probe workflows activated over
 * REST, about a minute of polls every 5 s, a SIGKILL of n8n's process group, the database read
 * directly, a restart with N8N_SCHEDULER_POLL_TIMEOUT=4, and the first polls after it.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console -- development tooling, never published: it runs in Node, with its files, processes and console */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

import { assert, check, finish, results, waitFor } from './lib/checks';
import { ensureN8n, freePort, HostError, N8N_VERSION, type N8nHost, startProcess, stopProcess } from './lib/host';
import { N8nInstance } from './lib/instance';

/** n8n refuses one cron faster than a minute; twelve per-minute crons poll every 5 s. */
const EVERY_FIVE_SECONDS = { item: Array.from({ length: 12 }, (_, i) => ({ mode: 'custom', cronExpression: `${i * 5} * * * * *` })) };

const PROBE_PACKAGE = 'n8n-nodes-poller-probe';
const PROBE_TYPE = `${PROBE_PACKAGE}.pollerProbe`;

/**
 * The probe, plain CommonJS (no build; n8n loads the class named as the file, `Probe`). Each poll: GET its script from the server (which numbers
 * the polls of each workflow), report what its node static data holds, count itself in it
 * (`polls`), write the script's keys, sleep, report its end, then return null, emit or throw (with
 * the script's `failure`, which n8n-workflow 2.41's NodeOperationError carries).
 */
const PROBE_SOURCE = `'use strict';
const { NodeOperationError, sleep } = require('n8n-workflow');

class Probe {
	constructor() {
		this.description = {
			displayName: 'Poller Probe',
			name: 'pollerProbe',
			group: ['trigger'],
			version: 1,
			description: 'e2e:pollers probe: reports each poll and does what the test server answers',
			defaults: { name: 'Poller Probe' },
			polling: true,
			inputs: [],
			outputs: ['main'],
			properties: [{ displayName: 'Server', name: 'server', type: 'string', default: '' }],
		};
	}

	async poll() {
		const server = this.getNodeParameter('server');
		const workflow = this.getWorkflow().name;
		const script = await this.helpers.httpRequest({ method: 'GET', url: server + '/script?workflow=' + encodeURIComponent(workflow), json: true });
		const report = async (body) =>
			await this.helpers.httpRequest({ method: 'POST', url: server + '/report', body: Object.assign({ workflow, seq: script.seq }, body), json: true });
		const data = this.getWorkflowStaticData('node');
		await report({
			kind: 'start',
			seen: JSON.parse(JSON.stringify(data)),
			budgetMs: typeof this.getPollBudgetMs === 'function' ? this.getPollBudgetMs() : null,
			mode: this.getMode(),
			activation: this.getActivationMode(),
		});
		data.polls = (typeof data.polls === 'number' ? data.polls : 0) + 1;
		Object.assign(data, script.write || {});
		if (script.sleepMs) await sleep(script.sleepMs);
		await report({ kind: 'end' });
		if (script.outcome === 'throw') {
			throw new NodeOperationError(this.getNode(), 'Scripted poll failure (poll ' + script.seq + ')', script.failure ? { failure: script.failure } : {});
		}
		if (script.outcome === 'emit') return [this.helpers.returnJsonArray([{ seq: script.seq }])];
		return null;
	}
}

module.exports = { Probe };
`;

const PROBE_MANIFEST = {
	name: PROBE_PACKAGE,
	version: '0.0.1',
	description: 'e2e:pollers probe, generated at run time; never published',
	keywords: ['n8n-community-node-package'],
	license: 'MIT',
	files: ['dist'],
	n8n: { n8nNodesApiVersion: 1, nodes: ['dist/Probe.node.js'] },
	// n8n's own n8n-workflow, as for this package.
	peerDependencies: { 'n8n-workflow': '*' },
	peerDependenciesMeta: { 'n8n-workflow': { optional: true } },
};

// ---------------------------------------------------------------------------------------------
// What each probe workflow does, poll by poll (poll 1 is the activation poll). A scripted poll
// writes `w<poll>` = its outcome; polls past the script only observe (and count themselves).

type Outcome = 'null' | 'emit' | 'throw';
interface Step {
	outcome: Outcome;
	sleepMs?: number;
	failure?: { cause: string; retryAfterMs?: number };
}
interface Script extends Step {
	seq: number;
	write?: Record<string, string>;
}

const RATE_LIMIT_MS = 30_000;
const OVERLAP_SLEEP_MS = 12_000;

const SCRIPTS = {
	/** Facts 1–4: the activation poll, then null, emit, null, throw, null polls. */
	sequence: [{ outcome: 'null' }, { outcome: 'null' }, { outcome: 'emit' }, { outcome: 'null' }, { outcome: 'throw' }, { outcome: 'null' }],
	/** Fact 8: no poll ever emits before the hard kill. */
	quiet: [{ outcome: 'null' }, { outcome: 'null' }],
	/** Fact 9: the activation poll emits. */
	activationEmit: [{ outcome: 'emit' }],
	/** Fact 5: poll 2 sleeps 12 s while polls are due every 5 s. */
	overlap: [{ outcome: 'null' }, { outcome: 'null', sleepMs: OVERLAP_SLEEP_MS }],
	/** Fact 7: poll 2 fails, rate-limited, retry after 30 s. */
	rateLimited: [{ outcome: 'null' }, { outcome: 'throw', failure: { cause: 'rate-limited', retryAfterMs: RATE_LIMIT_MS } }],
} satisfies Record<string, Step[]>;
type Role = keyof typeof SCRIPTS;
const ROLES = Object.keys(SCRIPTS) as Role[];

function scriptFor(role: Role, seq: number): Script {
	const step = (SCRIPTS[role] as Step[])[seq - 1];
	return step ? { seq, ...step, write: { [`w${seq}`]: step.outcome } } : { seq, outcome: 'null' };
}

// ---------------------------------------------------------------------------------------------
// The probe's server: numbers each workflow's polls and records what they report.

interface Poll {
	role: Role;
	seq: number;
	/** 1: the first n8n process, 2: after the SIGKILL and restart. */
	life: number;
	startAt: number;
	endAt?: number;
	seen?: Record<string, unknown>;
	budgetMs?: number | null;
	mode?: string;
	activation?: string;
}

class ProbeServer {
	polls: Poll[] = [];
	life = 1;
	private readonly counts = new Map<string, number>();
	private server: http.Server | undefined;
	url = '';

	async start(): Promise<void> {
		this.server = http.createServer((request, response) => {
			let body = '';
			request.on('data', (chunk: Buffer) => (body += chunk.toString()));
			request.on('end', () => {
				const answer = (status: number, json: unknown) => {
					response.writeHead(status, { 'Content-Type': 'application/json' });
					response.end(JSON.stringify(json));
				};
				const url = new URL(request.url ?? '/', 'http://localhost');
				if (request.method === 'GET' && url.pathname === '/script') {
					const role = url.searchParams.get('workflow') as Role;
					if (!ROLES.includes(role)) return answer(404, { error: `unknown workflow ${role}` });
					const seq = (this.counts.get(role) ?? 0) + 1;
					this.counts.set(role, seq);
					this.polls.push({ role, seq, life: this.life, startAt: Date.now() });
					return answer(200, scriptFor(role, seq));
				}
				if (request.method === 'POST' && url.pathname === '/report') {
					const report = JSON.parse(body) as { workflow: Role; seq: number; kind: 'start' | 'end'; seen?: Record<string, unknown>; budgetMs?: number | null; mode?: string; activation?: string };
					const poll = this.get(report.workflow, report.seq);
					if (poll && report.kind === 'start') Object.assign(poll, { seen: report.seen, budgetMs: report.budgetMs, mode: report.mode, activation: report.activation });
					if (poll && report.kind === 'end') poll.endAt = Date.now();
					return answer(200, { ok: true });
				}
				return answer(404, { error: 'not found' });
			});
		});
		const port = await freePort();
		await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve));
		this.url = `http://127.0.0.1:${port}`;
	}

	get(role: Role, seq: number): Poll | undefined {
		return this.polls.find((poll) => poll.role === role && poll.seq === seq);
	}

	of(role: Role, life?: number): Poll[] {
		return this.polls.filter((poll) => poll.role === role && (life === undefined || poll.life === life));
	}

	/** A poll that has reported what it saw. */
	reported(role: Role, seq: number): Poll | undefined {
		const poll = this.get(role, seq);
		return poll?.seen ? poll : undefined;
	}

	async close(): Promise<void> {
		await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
	}
}

// ---------------------------------------------------------------------------------------------
// n8n: the pollers, and what the code says each does (checked against what the probe saw).

const SCHEDULER = {
	N8N_SCHEDULER_ENABLED: 'true',
	N8N_SCHEDULER_POLL_TRIGGERS_ENABLED: 'true',
	// Already n8n 2.41's default; the scheduler takes poll triggers over only with it.
	N8N_USE_WORKFLOW_PUBLICATION_SERVICE: 'true',
};

/**
 * `every poll counted`: one shared object, every poll's count is there; `last writer wins`: the
 * sleeping poll, committing last, replaced what the polls that ran meanwhile committed; `null polls
 * not kept`: neither the sleeping poll's nor the others' writes were kept.
 */
type AfterOverlap = 'every poll counted' | 'last writer wins' | 'null polls not kept';

/**
 * `kept`; or `kept unless a poll overlaps its commit`: the emitted cursor is committed with the
 * execution, asynchronously after the poll, and a scheduled poll that read the cursor before that
 * commit replaces it when it commits in turn (the same last-writer-wins as overlapping polls).
 */
type ActivationEmit = 'kept' | 'kept unless a poll overlaps its commit';

interface Expected {
	/** Does the next poll see what the poll before it wrote? By that poll's outcome. */
	nextPollSees: Record<'activation' | Outcome, boolean>;
	/** Are a poll's writes in the database (read after the SIGKILL)? By outcome; `null` after an emit, `quiet`'s null polls before any. */
	inDatabase: Record<'activation' | 'nullAfterEmit' | 'nullBeforeAnyEmit' | Outcome, boolean>;
	/** An activation poll that writes and emits: are its writes kept (for the next poll and in the database)? */
	activationEmit: ActivationEmit;
	/** Does an overlapping poll see what the running (sleeping) poll wrote? */
	overlapSeesRunningWrites: boolean;
	/** What the first poll after the sleeping one ended sees of the polls that ran meanwhile. */
	afterOverlap: AfterOverlap;
	/** getPollBudgetMs(): the activation poll, scheduled polls, and scheduled polls with N8N_SCHEDULER_POLL_TIMEOUT=4. */
	budgetMs: { activation: number; scheduled: number; timeout4: number };
	/** Does n8n skip polls until the failure's retryAfterMs has passed? */
	honoursRetryAfter: boolean;
	/** After a restart, is the first poll an activation poll (activation mode `init`)? */
	restartRunsActivationPoll: boolean;
	/** The activation mode scheduled polls report. */
	scheduledActivation: string;
}

interface Poller {
	label: string;
	/** The n8n code that explains it. */
	source: string;
	env: NodeJS.ProcessEnv;
	expected: Expected;
}

const FIVE_MINUTES = 300_000;

const POLLERS: Poller[] = [
	{
		label: 'legacy',
		source:
			'n8n-core active-workflow-triggers.js activatePollTrigger (activation poll executePollTrigger(true), then crons on one Workflow object) + poll-trigger-executor.js; n8n active-workflow-manager.js / workflow-trigger-activator.js activateInternal (saveStaticData after activation), trigger-execution-context.factory.js __emit (saveStaticData)',
		env: {},
		expected: {
			nextPollSees: { activation: true, null: true, emit: true, throw: true },
			inDatabase: { activation: true, nullAfterEmit: false, nullBeforeAnyEmit: false, null: true, emit: true, throw: false },
			activationEmit: 'kept',
			overlapSeesRunningWrites: true,
			afterOverlap: 'every poll counted',
			budgetMs: { activation: FIVE_MINUTES, scheduled: FIVE_MINUTES, timeout4: FIVE_MINUTES },
			honoursRetryAfter: false,
			restartRunsActivationPoll: true,
			scheduledActivation: 'activate',
		},
	},
	{
		label: 'durable scheduler + durable cursors',
		source:
			'n8n scheduling/poll-trigger-node/poll-trigger-task-handler.js execute (backoff check, createPollExecutionContext with a fence, commitStagedCursor on null), workflows/triggers/trigger-execution-context.factory.js (__runPoll staged cursor, __emit → runPolledWorkflow commits it with the execution), poll-cursor.service.js (getOrCreateCursor seeds from static data), poll-backoff.service.js + poll-backoff-policy.js',
		env: { ...SCHEDULER, N8N_POLLER_DURABLE_CURSORS_ENABLED: 'true' },
		expected: {
			nextPollSees: { activation: false, null: true, emit: true, throw: false },
			inDatabase: { activation: false, nullAfterEmit: true, nullBeforeAnyEmit: true, null: true, emit: true, throw: false },
			activationEmit: 'kept unless a poll overlaps its commit',
			overlapSeesRunningWrites: false,
			afterOverlap: 'last writer wins',
			budgetMs: { activation: FIVE_MINUTES, scheduled: 36_000, timeout4: 2_000 },
			honoursRetryAfter: true,
			restartRunsActivationPoll: false,
			scheduledActivation: 'update',
		},
	},
	{
		label: 'durable scheduler without durable cursors',
		source:
			'n8n scheduling/poll-trigger-node/poll-trigger-task-handler.js execute → trigger-execution-context.factory.js createPollExecutionContext (a new Workflow from the published data, its staticData from the database, for each poll; __emit saves it, __commitCursor has no cursor to commit); poll-backoff.service.js disabled without durable cursors',
		env: SCHEDULER,
		expected: {
			nextPollSees: { activation: true, null: false, emit: true, throw: false },
			inDatabase: { activation: true, nullAfterEmit: false, nullBeforeAnyEmit: false, null: false, emit: true, throw: false },
			activationEmit: 'kept',
			overlapSeesRunningWrites: false,
			afterOverlap: 'null polls not kept',
			budgetMs: { activation: FIVE_MINUTES, scheduled: 36_000, timeout4: 2_000 },
			honoursRetryAfter: false,
			restartRunsActivationPoll: false,
			scheduledActivation: 'update',
		},
	},
];

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

async function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
	const child = startProcess(command, args, { cwd, env });
	let output = '';
	child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
	child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
	const code = await new Promise<number>((resolve) => child.on('exit', (exitCode) => resolve(exitCode ?? 1)));
	if (code !== 0) throw new Error(`${command} ${args.join(' ')} failed (${code}): ${output.trim().slice(-400)}`);
	return output;
}

/** Writes the probe package and `npm pack`s it; returns the tarball. */
async function packProbe(dir: string, host: N8nHost): Promise<string> {
	const packageDir = path.join(dir, PROBE_PACKAGE);
	mkdirSync(path.join(packageDir, 'dist'), { recursive: true });
	writeFileSync(path.join(packageDir, 'package.json'), `${JSON.stringify(PROBE_MANIFEST, null, '\t')}\n`);
	writeFileSync(path.join(packageDir, 'dist', 'Probe.node.js'), PROBE_SOURCE);
	const packed = await run('npm', ['pack', '--json', '--pack-destination', dir], packageDir, host.env);
	const [{ filename }] = JSON.parse(packed.slice(packed.indexOf('['))) as Array<{ filename: string }>;
	return path.join(dir, filename);
}

/** `npm install <tarball>` in the user folder's `.n8n/nodes`, as a user installs a community package. */
async function installProbe(instance: N8nInstance, tarball: string): Promise<void> {
	const nodesDir = path.join(instance.userFolder, '.n8n', 'nodes');
	mkdirSync(nodesDir, { recursive: true });
	await run('npm', ['install', '--no-audit', '--no-fund', tarball], nodesDir, instance.host.env);
}

interface Started {
	child: ChildProcess;
	url: string;
	log: () => string;
}

async function startN8n(instance: N8nInstance, env: NodeJS.ProcessEnv, logFile: string): Promise<Started> {
	const port = await freePort();
	const { child, log } = await instance.spawn(['start'], { N8N_PORT: String(port), N8N_LOG_LEVEL: 'debug', ...env }, /Editor is now accessible via/, { logFile });
	const url = `http://localhost:${port}`;
	await waitFor('n8n readiness', async () => (await fetch(`${url}/healthz/readiness`).catch(() => undefined))?.ok === true, 60);
	return { child, url, log };
}

/** SIGKILL of n8n's whole process group (task runners included): no shutdown hook runs. */
async function hardKill(child: ChildProcess): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) return;
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	if (child.pid) process.kill(-child.pid, 'SIGKILL');
	await exited;
}

interface DatabaseRow {
	name: string;
	staticData: Record<string, unknown> | null;
	cursor: Record<string, unknown> | null;
	consecutiveErrors: number | null;
	backoffUntil: string | null;
	/** When the workflow's first execution row was written (for a polled execution: when its cursor was committed), epoch ms. */
	firstExecutionAt: number | null;
}

/** Reads the SQLite database with n8n's own sqlite3 module (built for n8n's Node): each workflow's static data and poller state. */
async function readDatabase(host: N8nHost, instance: N8nInstance): Promise<DatabaseRow[]> {
	const sqlite3 = path.resolve(path.dirname(host.n8nBin), '..', '..', 'sqlite3');
	const file = path.join(instance.userFolder, '.n8n', 'database.sqlite');
	const code = `const sqlite3 = require(${JSON.stringify(sqlite3)});
const db = new sqlite3.Database(${JSON.stringify(file)}, sqlite3.OPEN_READONLY);
db.all('SELECT w.name AS name, w.staticData AS staticData, p.cursor AS cursor, p.consecutiveErrors AS consecutiveErrors, p.backoffUntil AS backoffUntil, (SELECT MIN(e.createdAt) FROM execution_entity e WHERE e.workflowId = w.id) AS firstExecutionAt FROM workflow_entity w LEFT JOIN poller_state p ON p.workflowId = w.id', (error, rows) => {
	if (error) { console.error(error.message); process.exit(1); }
	console.log('ROWS ' + JSON.stringify(rows));
	db.close();
});`;
	const output = await run(host.node, ['-e', code], instance.userFolder, host.env);
	const line = output.split('\n').find((entry) => entry.startsWith('ROWS '));
	if (!line) throw new Error(`reading ${file} printed no rows: ${output.slice(-400)}`);
	const parse = (value: unknown) => (typeof value === 'string' ? (JSON.parse(value) as Record<string, unknown>) : null);
	return (JSON.parse(line.slice('ROWS '.length)) as Array<Record<string, unknown>>).map((row) => ({
		name: String(row.name),
		staticData: parse(row.staticData),
		cursor: parse(row.cursor),
		consecutiveErrors: row.consecutiveErrors as number | null,
		backoffUntil: row.backoffUntil as string | null,
		// SQLite datetimes are UTC without a zone.
		firstExecutionAt: typeof row.firstExecutionAt === 'string' ? Date.parse(`${row.firstExecutionAt.replace(' ', 'T')}Z`) : null,
	}));
}

/** The probe node's static data as stored: the workflow's `node:Poller Probe` key, or the poller_state cursor. */
function storedNodeData(row: DatabaseRow | undefined): { workflow: Record<string, unknown>; cursor: Record<string, unknown> | null } {
	return { workflow: (row?.staticData?.['node:Poller Probe'] as Record<string, unknown> | undefined) ?? {}, cursor: row?.cursor ?? null };
}

const keys = (data: Record<string, unknown> | undefined) =>
	Object.entries(data ?? {})
		.map(([key, value]) => `${key}=${JSON.stringify(value)}`)
		.join(' ') || '(empty)';

function describePolls(server: ProbeServer, role: Role, origin: number): string {
	return server
		.of(role)
		.map((poll) => {
			const start = ((poll.startAt - origin) / 1000).toFixed(1);
			const end = poll.endAt === undefined ? '–' : ((poll.endAt - origin) / 1000).toFixed(1);
			return `      #${poll.seq}${poll.life === 2 ? ' (after restart)' : ''} ${start}s→${end}s ${poll.mode ?? '?'}/${poll.activation ?? '?'} budget=${poll.budgetMs ?? '?'} saw: ${keys(poll.seen)}`;
		})
		.join('\n');
}

const yesNo = (value: boolean) => (value ? 'yes' : 'no');

async function probePoller(host: N8nHost, tarball: string, poller: Poller, logDir: string): Promise<void> {
	const label = poller.label;
	console.log(`\n${label} (${Object.keys(poller.env).join(', ') || 'no scheduler settings'})`);
	const server = new ProbeServer();
	await server.start();
	const instance = await N8nInstance.open(host, mkdtempSync(path.join(os.tmpdir(), 'n8n-pollers-')));
	const logFile = (life: number) => path.join(logDir, `${label.replace(/\W+/g, '-')}-${life}.log`);
	let n8n: Started | undefined;
	let origin = Date.now();
	let database: DatabaseRow[] = [];
	let ready = false;
	try {
		await installProbe(instance, tarball);
		await check(`${label}: n8n starts with the probe package; five probe workflows are created and activated over REST`, async () => {
			n8n = await startN8n(instance, poller.env, logFile(1));
			const rest = new Rest(n8n.url, await N8nInstance.signIn(n8n.url));
			origin = Date.now();
			for (const role of ROLES) {
				const created = await rest.call<{ id: string; versionId: string }>('POST', '/workflows', {
					name: role,
					nodes: [{ id: randomUUID(), name: 'Poller Probe', type: PROBE_TYPE, typeVersion: 1, position: [0, 0], parameters: { server: server.url, pollTimes: EVERY_FIVE_SECONDS } }],
					connections: {},
					settings: { executionOrder: 'v1' },
					active: false,
				});
				await rest.call('POST', `/workflows/${created.id}/activate`, { versionId: created.versionId });
			}
			ready = true;
		});
		if (!n8n || !ready) return;
		const first = n8n;

		// About a minute of polls: until every script has played out (the rate-limited workflow
		// polled again, the sleeping poll of `overlap` over and a poll after it).
		const overlapDone = () => {
			const sleeping = server.get('overlap', 2);
			return sleeping?.endAt !== undefined && server.of('overlap').some((poll) => poll.startAt > (sleeping.endAt as number));
		};
		await check(`${label}: the probe workflows poll through their scripts (activation poll, then polls every 5 s)`, async () => {
			await waitFor('every script to play out', () => Boolean(server.reported('sequence', 7) && server.reported('quiet', 3) && server.reported('activationEmit', 2) && server.reported('rateLimited', 3) && overlapDone()), 150);
		});
		for (const role of ROLES) console.log(`    ${role}:\n${describePolls(server, role, origin)}`);

		await hardKill(first.child);
		server.life = 2;
		database = await readDatabase(host, instance);
		const row = (role: Role) => storedNodeData(database.find((entry) => entry.name === role));
		console.log('    database after the SIGKILL (workflow static data | poller_state cursor):');
		for (const role of ROLES) {
			const stored = row(role);
			const state = database.find((entry) => entry.name === role);
			console.log(`      ${role}: ${keys(stored.workflow)} | ${stored.cursor ? keys(stored.cursor) : '(no row)'}${state?.backoffUntil ? ` backoffUntil=${state.backoffUntil}` : ''}`);
		}
		/** Is `key` in the node's stored static data: the poller_state cursor where there is one, else the workflow's static data? */
		const stored = (role: Role, key: string) => {
			const { workflow, cursor } = row(role);
			return key in (cursor ?? workflow);
		};
		const storedText = (role: Role) => keys(row(role).cursor ?? row(role).workflow);

		const seenBy = (role: Role, seq: number, key: string) => {
			const poll = server.reported(role, seq);
			assert(poll, `${role} poll ${seq} did not report`);
			return key in (poll.seen ?? {});
		};
		const compare = (what: string, observed: boolean, expected: boolean, detail: string) =>
			assert(observed === expected, `${what}: observed ${yesNo(observed)}, expected ${yesNo(expected)} (${detail})`);
		const { expected } = poller;

		await check(`${label}: 1. the activation poll (mode trigger) sees empty static data; its writes reach the next poll: ${yesNo(expected.nextPollSees.activation)}, the database: ${yesNo(expected.inDatabase.activation)}`, () => {
			const activation = server.reported('sequence', 1);
			assert(activation, 'no activation poll reported');
			assert(activation.mode === 'trigger' && activation.activation === 'activate' && keys(activation.seen) === '(empty)', `activation poll: mode ${activation.mode}, activation ${activation.activation}, saw ${keys(activation.seen)}`);
			compare('next poll sees w1', seenBy('sequence', 2, 'w1'), expected.nextPollSees.activation, `poll 2 saw ${keys(server.get('sequence', 2)?.seen)}`);
			compare('w1 in the database', stored('sequence', 'w1'), expected.inDatabase.activation, storedText('sequence'));
		});
		await check(`${label}: 2. a poll that writes and returns null: next poll sees it: ${yesNo(expected.nextPollSees.null)}; in the database without a later emit: ${yesNo(expected.inDatabase.nullAfterEmit)}, with one: ${yesNo(expected.inDatabase.null)}`, () => {
			compare('poll 3 sees poll 2 (null)', seenBy('sequence', 3, 'w2'), expected.nextPollSees.null, `poll 3 saw ${keys(server.get('sequence', 3)?.seen)}`);
			compare('w2 (null, a later poll emitted) in the database', stored('sequence', 'w2'), expected.inDatabase.null, storedText('sequence'));
			compare('w4 and w6 (null, no later emit) in the database', stored('sequence', 'w4') && stored('sequence', 'w6'), expected.inDatabase.nullAfterEmit, storedText('sequence'));
		});
		await check(`${label}: 3. a poll that writes and emits: next poll sees it: ${yesNo(expected.nextPollSees.emit)}; in the database: ${yesNo(expected.inDatabase.emit)}`, () => {
			compare('poll 4 sees poll 3 (emit)', seenBy('sequence', 4, 'w3'), expected.nextPollSees.emit, `poll 4 saw ${keys(server.get('sequence', 4)?.seen)}`);
			compare('w3 in the database', stored('sequence', 'w3'), expected.inDatabase.emit, storedText('sequence'));
		});
		await check(`${label}: 4. a poll that writes and throws: next poll sees it: ${yesNo(expected.nextPollSees.throw)}; in the database: ${yesNo(expected.inDatabase.throw)}`, () => {
			compare('poll 6 sees poll 5 (throw)', seenBy('sequence', 6, 'w5'), expected.nextPollSees.throw, `poll 6 saw ${keys(server.get('sequence', 6)?.seen)}`);
			compare('w5 in the database', stored('sequence', 'w5'), expected.inDatabase.throw, storedText('sequence'));
		});
		await check(`${label}: 5. polls overlap: another poll of the node starts while one sleeps 12 s; it sees the sleeping poll's write: ${yesNo(expected.overlapSeesRunningWrites)}`, () => {
			const sleeping = server.get('overlap', 2);
			assert(sleeping?.endAt !== undefined, 'the sleeping poll did not end');
			const during = server.of('overlap', 1).filter((poll) => poll.startAt > sleeping.startAt && poll.startAt < (sleeping.endAt as number));
			assert(during.length > 0, `no poll started between ${((sleeping.startAt - origin) / 1000).toFixed(1)} s and ${((sleeping.endAt - origin) / 1000).toFixed(1)} s`);
			console.log(`      ${during.length} polls started during the sleeping poll (${((sleeping.startAt - origin) / 1000).toFixed(1)} s → ${((sleeping.endAt - origin) / 1000).toFixed(1)} s): ${during.map((poll) => `#${poll.seq} at ${((poll.startAt - origin) / 1000).toFixed(1)} s`).join(', ')}`);
			compare('an overlapping poll sees w2', during.some((poll) => 'w2' in (poll.seen ?? {})), expected.overlapSeesRunningWrites, during.map((poll) => `#${poll.seq} saw ${keys(poll.seen)}`).join('; '));
		});
		await check(`${label}: 5. after the overlap, the next poll finds: ${expected.afterOverlap}`, () => {
			const sleeping = server.get('overlap', 2);
			const next = server.of('overlap', 1).find((poll) => sleeping?.endAt !== undefined && poll.startAt > sleeping.endAt && poll.seen);
			assert(sleeping?.seen && next?.seen, 'the sleeping poll or the one after it did not report');
			const counted = Number(next.seen.polls ?? 0);
			const observed: AfterOverlap =
				counted === next.seq - 1 && 'w2' in next.seen ? 'every poll counted' : 'w2' in next.seen && counted === Number(sleeping.seen.polls ?? 0) + 1 ? 'last writer wins' : 'null polls not kept';
			assert(observed === expected.afterOverlap, `observed: ${observed}: poll #${next.seq} saw ${keys(next.seen)}; the sleeping poll #2 had seen ${keys(sleeping.seen)}`);
			console.log(`      poll #${next.seq} (the first after the sleep) saw ${keys(next.seen)}; the sleeping poll #2 had seen ${keys(sleeping.seen)}`);
		});
		await check(`${label}: 6. getPollBudgetMs(): activation poll ${expected.budgetMs.activation} ms, scheduled polls ${expected.budgetMs.scheduled} ms (default N8N_SCHEDULER_POLL_TIMEOUT 45 s)`, () => {
			const budgets = (polls: Poll[]) => [...new Set(polls.map((poll) => poll.budgetMs))].join(',');
			const activation = server.reported('sequence', 1)?.budgetMs;
			const scheduled = budgets(server.of('sequence', 1).filter((poll) => poll.seq > 1 && poll.seen));
			assert(activation === expected.budgetMs.activation, `the activation poll's budget was ${activation}`);
			assert(scheduled === String(expected.budgetMs.scheduled), `scheduled polls' budgets were ${scheduled}`);
		});
		await check(`${label}: 7. a throw with failure {cause: 'rate-limited', retryAfterMs: 30000}: the next poll comes ${expected.honoursRetryAfter ? 'after 30 s' : 'at the next 5 s slot'}`, () => {
			const failed = server.get('rateLimited', 2);
			const next = server.get('rateLimited', 3);
			assert(failed?.endAt !== undefined && next, 'the rate-limited poll or the one after it is missing');
			const gap = next.startAt - failed.endAt;
			const plain = server.get('sequence', 5);
			const afterPlain = server.get('sequence', 6);
			console.log(`      next poll ${(gap / 1000).toFixed(1)} s after the rate-limited throw; ${plain?.endAt && afterPlain ? `${((afterPlain.startAt - plain.endAt) / 1000).toFixed(1)} s after sequence's plain throw` : ''}`);
			assert(expected.honoursRetryAfter ? gap >= RATE_LIMIT_MS - 1000 : gap < 12_000, `the next poll came ${(gap / 1000).toFixed(1)} s after the throw`);
		});

		await check(`${label}: restart (same database, N8N_SCHEDULER_POLL_TIMEOUT=4): every probe workflow polls again`, async () => {
			n8n = await startN8n(instance, { ...poller.env, N8N_SCHEDULER_POLL_TIMEOUT: '4' }, logFile(2));
			await waitFor('a poll of each workflow after the restart', () => ROLES.every((role) => server.of(role, 2).some((poll) => poll.seen)), 90);
			// A second one, so that a scheduled poll has run after the restart on every poller.
			await waitFor('two polls of sequence after the restart', () => server.of('sequence', 2).filter((poll) => poll.seen).length >= 2, 30);
		});
		for (const role of ROLES) {
			// Polls that fell due while n8n was down and run at once: two starts of one workflow within a second.
			// (The legacy poller's first poll after the restart is its activation poll: left out.)
			const after = server.of(role, 2).slice(poller.expected.restartRunsActivationPoll ? 1 : 0);
			const bunched = after.filter((poll, index) => index > 0 && poll.startAt - after[index - 1].startAt < 1000).length;
			if (bunched) console.log(`    ${role}: ${bunched + 1} polls after the restart started within a second of each other`);
		}
		for (const role of ROLES) console.log(`    ${role} after the restart:\n${describePolls(server, role, origin)
			.split('\n')
			.filter((line) => line.includes('after restart'))
			.join('\n')}`);
		const firstAfter = (role: Role) => server.of(role, 2).find((poll) => poll.seen);
		await check(`${label}: 8. after a hard kill (no poll emitted yet), the first poll after the restart sees the activation poll's writes: ${yesNo(expected.inDatabase.activation)}, the null polls' writes: ${yesNo(expected.inDatabase.nullBeforeAnyEmit)}`, () => {
			const poll = firstAfter('quiet');
			assert(poll, 'no poll of quiet after the restart');
			const saw = poll.seen ?? {};
			compare('w1 (activation) seen', 'w1' in saw, expected.inDatabase.activation, `it saw ${keys(saw)}`);
			compare('w2 (null) seen', 'w2' in saw, expected.inDatabase.nullBeforeAnyEmit, `it saw ${keys(saw)}`);
		});
		await check(`${label}: 9. after the restart the first poll is ${expected.restartRunsActivationPoll ? 'an activation poll (init)' : 'a scheduled poll: no activation poll runs again'}; scheduled polls report activation '${expected.scheduledActivation}'`, () => {
			const poll = firstAfter('sequence');
			assert(poll, 'no poll of sequence after the restart');
			compare(`first poll after the restart is an activation poll (it reported ${poll.activation})`, poll.activation === 'init', expected.restartRunsActivationPoll, `saw ${keys(poll.seen)}`);
			const scheduled = [...new Set(server.of('sequence', 1).filter((entry) => entry.seq > 1 && entry.seen).map((entry) => entry.activation))].join(',');
			assert(scheduled === expected.scheduledActivation, `scheduled polls reported activation ${scheduled}`);
		});
		await check(`${label}: 9. the activation poll that writes and emits: its writes are ${expected.activationEmit}`, () => {
			const activation = server.get('activationEmit', 1);
			const next = server.reported('activationEmit', 2);
			assert(activation?.endAt !== undefined && next, 'the activation poll or the one after it did not report');
			const executionAt = database.find((entry) => entry.name === 'activationEmit')?.firstExecutionAt;
			const at = (time: number | null | undefined) => (time ? `${((time - origin) / 1000).toFixed(2)} s` : '?');
			const seen = 'w1' in (next.seen ?? {});
			const kept = stored('activationEmit', 'w1');
			console.log(
				`      activation poll ended at ${at(activation.endAt)}, its execution row was written at ${at(executionAt)}, poll 2 started at ${at(next.startAt)}: poll 2 saw w1: ${yesNo(seen)}; w1 in the database: ${yesNo(kept)}`,
			);
			if (expected.activationEmit === 'kept') {
				compare('poll 2 sees w1', seen, true, `poll 2 saw ${keys(next.seen)}`);
				compare('w1 in the database', kept, true, storedText('activationEmit'));
			} else {
				// Lost only when poll 2 read the cursor before the commit (and then committed its own).
				compare('w1 in the database as poll 2 saw it', kept, seen, storedText('activationEmit'));
			}
		});
		await check(`${label}: 6. with N8N_SCHEDULER_POLL_TIMEOUT=4, scheduled polls get a budget of ${expected.budgetMs.timeout4} ms`, () => {
			const scheduled = server.of('sequence', 2).filter((poll) => poll.seen).slice(expected.restartRunsActivationPoll ? 1 : 0);
			const budgets = [...new Set(scheduled.map((poll) => poll.budgetMs))].join(',');
			assert(budgets === String(expected.budgetMs.timeout4), `scheduled polls after the restart got ${budgets}`);
		});
	} finally {
		if (n8n) await stopProcess(n8n.child);
		await server.close();
		instance.cleanup();
	}
}

async function main(): Promise<void> {
	const started = Date.now();
	if (Number(N8N_VERSION.split('.')[0]) < 2) throw new HostError(`e2e:pollers needs n8n 2.41 (its durable scheduler); N8N_VERSION is ${N8N_VERSION}`);
	const host = await ensureN8n();
	const work = mkdtempSync(path.join(os.tmpdir(), 'n8n-pollers-probe-'));
	const logDir = path.join(work, 'logs');
	mkdirSync(logDir);
	console.log(`e2e:pollers: n8n ${host.version}: the legacy poller, the durable scheduler with durable cursors, and without; logs in ${logDir}`);
	try {
		const tarball = await packProbe(work, host);
		const only = process.argv[2];
		for (const poller of POLLERS) if (!only || poller.label.startsWith(only)) await probePoller(host, tarball, poller, logDir);
	} finally {
		// The logs stay when a check failed.
		if (results.every((result) => !result.error)) rmSync(work, { recursive: true, force: true });
		else console.log(`\nn8n logs kept in ${logDir}`);
	}
	finish(`e2e:pollers (n8n ${host.version})`, started);
}

main().catch((error: unknown) => {
	console.error(error instanceof HostError ? `e2e:pollers: ${error.message}` : `e2e:pollers: ${error instanceof Error ? error.stack : String(error)}`);
	process.exit(1);
});
