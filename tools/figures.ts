/**
 * `npm run figures`: rewrites every figure block of README.md and docs/*.md, the text between
 * `<!-- name:start -->` and `<!-- name:end -->`, from the committed result file its measuring
 * command wrote (bench/results, test/results, e2e/results). One small renderer per block.
 * `npm run figures -- --check` changes nothing: it exits 1, naming each block, when a block differs
 * from what its result file gives or its file is missing (CI runs it before the tests).
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console -- development tooling, never published: it runs in Node, with its files, processes and console */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '..');

// ---- Formatting shared by the renderers ----

const day = (iso: string) => iso.slice(0, 10);
const thousands = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
const fixed = (n: number, digits = 2) => n.toFixed(digits);
const seconds = (ms: number, digits = 2) => `${(ms / 1000).toFixed(digits)} s`;
const verdict = (goal: string, met: boolean) => `${goal}: ${met ? 'met' : '**not met**'}`;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
/** The distinct values of a list, in order: "1" when every run agreed, "100 / 101" when not. */
const distinct = (values: number[]) => [...new Set(values)].join(' / ');
function bytes(n: number): string {
	if (n < 1000) return `${n} bytes`;
	if (n < 1_000_000) return `${Math.round(n / 1000)} KB`;
	return `${(n / 1_000_000).toFixed(1)} MB`;
}
function machine(m: { cpus: number; loadAverageAtEnd?: number[]; loadAverageBefore?: number[]; loadAverageAfter?: number[] }): string {
	const load = m.loadAverageAtEnd ? `load average ${fixed(m.loadAverageAtEnd[0])} at the end` : `load average ${fixed((m.loadAverageBefore ?? [0])[0])} before and ${fixed((m.loadAverageAfter ?? [0])[0])} after`;
	return `${m.cpus}-core machine, ${load}`;
}

// ---- The result files, in the shapes their commands write ----

interface Side {
	medianMs: number;
	minMs: number;
	maxMs: number;
	tokenRequests: number[];
	pageRequests: number[];
}
/** bench/run.ts */
interface Latest {
	date: string;
	deals: number;
	rounds: number;
	A_rawFetch: Side;
	B_enableNode: Side;
	C_n8nHelperLoop: Side;
	machine: { cpus: number; loadAverageAtEnd: number[] };
	ratios: { wallTimeBOverA: number; wallTimeBOverC: number; wallTimeCOverA: number; peakRssBOverA: number; rssGrowthBOverA: number };
	limit10: { records: number; pageRequests: number };
	twoExecutionsTokenRequests: number;
}
/** bench/wan.ts */
interface Wan {
	date: string;
	roundTripMs: number;
	deals: number;
	rounds: number;
	machine: { cpus: number; loadAverageBefore: number[]; loadAverageAfter: number[] };
	sides: Record<string, Side & { connections: number[]; records: number[] }>;
	gets: { count: number; sequential: { ms: number; tokens: number }; concurrentDefault: { ms: number; tokens: number } };
	ratios: { nodeDefaultsOverRawKeepAlive: number; nodePage100OverN8nFloor: number; getsSequentialOverConcurrent: number };
}
/** bench/peer.ts */
interface Peer {
	date: string;
	deals: number;
	rounds: number;
	n8n: string;
	machine: { cpus: number; loadAverageAtEnd: number[] };
	workflows: Record<string, { ms: number[]; medianMs: number; enableOverThis: number; tokenInRunData: boolean; effort: { nodes: number; values: number; expressions: number } }>;
}
/** bench/poll.ts */
interface Poll {
	date: string;
	machine: { cpus: number; loadAverageBefore: number[]; loadAverageAfter: number[] };
	rows: Array<{ records: number; event: string; read: string; requests: number; seconds: number; stateBytes: number }>;
	budgets: Array<{
		deals: number;
		event: string;
		roundTripMs: number;
		budgetMs: number;
		pollTimeoutMs: number;
		pollsForTheFirstRead: number;
		pollsForTheNextRead: number;
		longestPollSeconds: number;
		pagesPerPoll: number[];
		changesReported: string[];
		eachChangeOnce: boolean;
	}>;
}
/** test/change-feed.test.ts */
interface StateSize {
	records: number;
	bytesPerRecord: Record<string, number>;
}
/** e2e/run.ts, Check Access: the node's items as n8n returned them. */
interface Access {
	date: string;
	n8n: string;
	collections: Array<Record<string, unknown>>;
}
/** e2e/run.ts, one file per n8n version. */
interface Compat {
	date: string;
	n8n: string;
	node: string;
	passed: number;
	failed: number;
}
/** e2e/mcp.ts */
interface Mcp {
	date: string;
	n8n: string;
	passed: number;
	failed: number;
	transcript: string[];
}

// ---- One renderer per block ----

function renderBench(r: Latest): string {
	const { A_rawFetch: a, B_enableNode: b, C_n8nHelperLoop: c, ratios } = r;
	const pages = Math.ceil(r.deals / 100);
	const tokens = [...a.tokenRequests, ...b.tokenRequests, ...c.tokenRequests];
	const pageCounts = [...a.pageRequests, ...b.pageRequests, ...c.pageRequests];
	const counts =
		tokens.every((n) => n === 1) && pageCounts.every((n) => n === pages)
			? `1 and ${pages} on every side, every run`
			: `token requests ${distinct(tokens)}; page requests ${distinct(pageCounts)}`;
	const range = (side: Side) => `${fixed(side.minMs / 1000)}–${fixed(side.maxMs / 1000)}`;
	return [
		`Run of ${day(r.date)}, ${machine(r.machine)}.`,
		'',
		`| Measure (${thousands(r.deals)} deals, ${r.rounds} rounds each, warm) | Result | Goal |`,
		'| --- | --- | --- |',
		`| B/C wall time: the node over n8n's own helper loop | **${fixed(ratios.wallTimeBOverC)}** (B ${seconds(b.medianMs)} median, ${range(b)}; C ${seconds(c.medianMs)}, ${range(c)}) | ${verdict('≤ 1.10', ratios.wallTimeBOverC <= 1.1)} |`,
		`| C/A: n8n's helper loop over raw \`fetch\`, as it is | ${fixed(ratios.wallTimeCOverA)} | (n8n's cost, not the node's) |`,
		`| B/A: the node over raw \`fetch\`, as it is | ${fixed(ratios.wallTimeBOverA)} | |`,
		`| B/A peak memory (RSS) | ${fixed(ratios.peakRssBOverA)} (growth over each process's start: ${fixed(ratios.rssGrowthBOverA)}) | ${verdict('≤ 2', ratios.peakRssBOverA <= 2)} |`,
		`| Token requests per export; page requests | ${counts} | 1; ${pages} |`,
		`| Limit 10 | ${r.limit10.records} records in ${plural(r.limit10.pageRequests, 'page request')} | ${verdict('1 request', r.limit10.pageRequests === 1)} |`,
		`| Two executions in a row | ${plural(r.twoExecutionsTokenRequests, 'token request')} in total | ${verdict('1', r.twoExecutionsTokenRequests === 1)} |`,
	].join('\n');
}

const WAN_SIDES: Array<[string, string]> = [
	['A raw keep-alive, page 100', 'A raw keep-alive loop, page size 100 (the physical limit at that size)'],
	['A2 raw new connection per request, page 100', "A2 raw loop, a new connection per request (n8n's floor)"],
	['B Enable node, defaults', '**B the Enable node, defaults**'],
	["B' Enable node, Page Size 100", "B' the Enable node, Page Size 100"],
];

function renderWan(r: Wan): string {
	const rows = WAN_SIDES.map(([key, label]) => {
		const side = r.sides[key];
		if (!side) throw new Error(`no side "${key}"`);
		const median = label.startsWith('**') ? `**${seconds(side.medianMs)}**` : seconds(side.medianMs);
		return `| ${label} | ${median} | ${distinct(side.connections)} | ${distinct(side.tokenRequests)} | ${distinct(side.pageRequests)} |`;
	});
	const sides = Object.values(r.sides);
	const oneToken = sides.every((side) => side.tokenRequests.every((n) => n === 1)) && r.gets.sequential.tokens === 1 && r.gets.concurrentDefault.tokens === 1;
	const exact = sides.every((side) => side.records.every((n) => n === r.deals));
	const { sequential, concurrentDefault } = r.gets;
	return [
		`Run of ${day(r.date)}: ${thousands(r.deals)} deals, ${r.rounds} rounds, ${r.roundTripMs} ms round trip; ${machine(r.machine)}.`,
		'',
		`| Side (${thousands(r.deals)} deals, ${r.roundTripMs} ms round trip) | median | connections | token requests | page requests |`,
		'| --- | --- | --- | --- | --- |',
		...rows,
		'',
		'| Ratio | Result | Goal |',
		'| --- | --- | --- |',
		`| B / A (node with defaults against a keep-alive loop at page size 100) | **${fixed(r.ratios.nodeDefaultsOverRawKeepAlive)}** | ${verdict('≤ 0.5', r.ratios.nodeDefaultsOverRawKeepAlive <= 0.5)} |`,
		`| B' / A2 (node against n8n's floor at the same page size) | **${fixed(r.ratios.nodePage100OverN8nFloor)}** | ${verdict('≤ 1.05', r.ratios.nodePage100OverN8nFloor <= 1.05)} |`,
		`| ${r.gets.count} Gets from a list of ids: one at a time (Parallel Requests 1) / default (5) | ${seconds(sequential.ms, 1)} / ${seconds(concurrentDefault.ms, 1)} = **${fixed(r.ratios.getsSequentialOverConcurrent)}×** | ${verdict('≥ 4', r.ratios.getsSequentialOverConcurrent >= 4)} |`,
		`| Token requests per run; records returned | ${oneToken ? '1 every run' : 'more than 1 in some run'}; ${exact ? `exactly ${thousands(r.deals)}, none over-fetched` : 'not exactly the deals in some run'} | 1; 0 extra |`,
	].join('\n');
}

function renderPeer(r: Peer): string {
	const rows = Object.entries(r.workflows).map(([label, w]) => {
		const enable = label.startsWith('Enable node');
		const name = enable ? label.replace(/^Enable node/, '**Enable node**') : label.replace(/^HTTP Request/, 'HTTP Request with pagination');
		const time = enable ? `**${seconds(w.medianMs)}**` : seconds(w.medianMs);
		const rounds = w.ms.map((ms) => fixed(ms / 1000)).join(', ');
		const versus = enable ? '1' : `Enable in ${fixed(w.enableOverThis)}× the time`;
		return `| ${name} | ${time} (${rounds}) | ${versus} | ${w.effort.nodes} | ${w.effort.values} | ${w.effort.expressions} | ${w.tokenInRunData ? '**yes**' : 'no'} |`;
	});
	return [
		`Run of ${day(r.date)} in n8n ${r.n8n}: ${thousands(r.deals)} deals, ${r.rounds} rounds; the time is the median round (of two, the faster), every round in brackets; ${machine(r.machine)}.`,
		'',
		'| Workflow | Time | vs Enable node | Nodes to set up | Values set | Expressions | Access token in the stored run data |',
		'| --- | --- | --- | --- | --- | --- | --- |',
		...rows,
	].join('\n');
}

function renderPoll(r: Poll): string {
	const rows = r.rows.map((row) => {
		const base = r.rows.find((other) => other.records === row.records && other.event === row.event && other.read === 'every record');
		const ratio = !base || base === row ? '1' : fixed(row.seconds / base.seconds);
		const read = row.read.replace(/^newest first \((.+)\)$/, 'newest first by `$1`');
		return `| ${thousands(row.records)} | ${row.event} | ${read} | ${row.requests} | ${fixed(row.seconds)} s (${ratio}) | ${bytes(row.stateBytes)} |`;
	});
	const budgets = r.budgets.map((b) => {
		const count = (change: string) => b.changesReported.filter((item) => item.startsWith(`${change}:`)).length;
		const removed = count('removed');
		const changes = `${count('created')} created, ${count('updated')} updated${removed ? `, ${removed} removed` : ''}, ${b.eachChangeOnce ? 'each once' : '**not each once as expected**'}`;
		const label = b.event === 'anyChange' ? 'Any Change' : b.event === 'newOrUpdated' ? 'New or Updated' : b.event;
		return `| ${label} | ${b.roundTripMs} ms | ${b.pollsForTheFirstRead} / ${b.pollsForTheNextRead} | ${b.pagesPerPoll.join(', ')} | ${fixed(b.longestPollSeconds, 1)} s (${fixed((b.longestPollSeconds * 1000) / b.pollTimeoutMs)} of the timeout) | ${changes} |`;
	});
	const first = r.budgets[0];
	const abandoned = r.budgets.some((b) => b.longestPollSeconds * 1000 >= b.pollTimeoutMs);
	return [
		`Run of ${day(r.date)}, ${machine(r.machine)}.`,
		'',
		'| Records | Event | A poll reads | Requests | Time (vs reading every record) | Memory |',
		'| --- | --- | --- | --- | --- | --- |',
		...rows,
		'',
		`Under n8n's poll budget: ${thousands(first.deals)} deals read in full, given the ${first.budgetMs / 1000} s budget that the durable scheduler gives a poll at its default ${first.pollTimeoutMs / 1000} s timeout, then 2 deals added, 2 updated and 1 removed and read again:`,
		'',
		'| Event | Round trip | Polls for the first read / the next | Pages per poll | Longest poll | Changes reported |',
		'| --- | --- | --- | --- | --- | --- |',
		...budgets,
		'',
		abandoned ? '**A poll outlasted the timeout**: n8n would have abandoned it.' : 'No poll outlasted the timeout, so n8n abandoned none.',
	].join('\n');
}

const STATE_ROWS: Array<[string, string]> = [
	['new', 'New (ids)'],
	['removed', 'Removed (ids)'],
	['newOrUpdated', 'New or Updated (ids and 8-character fingerprints)'],
	['anyChange', 'Any Change (ids and 8-character fingerprints)'],
	['anyChangeTrackingAmount', 'Any Change tracking `amount`'],
	['anyChangeTrackingThree', 'Any Change tracking `amount`, `status`, `period`'],
	['newByTimestamp', 'New with a Changed Since Attribute (an audit log read newest first)'],
];

function renderState(r: StateSize): string {
	const known = new Map(STATE_ROWS);
	// Every measured event gets its row: the known ones in this order, any other by its key.
	const keys = [...STATE_ROWS.map(([key]) => key).filter((key) => key in r.bytesPerRecord), ...Object.keys(r.bytesPerRecord).filter((key) => !known.has(key))];
	return [
		`| Event | Bytes per record | ${thousands(r.records)} records |`,
		'| --- | --- | --- |',
		...keys.map((key) => {
			const perRecord = r.bytesPerRecord[key];
			return `| ${known.get(key) ?? `\`${key}\``} | ${fixed(perRecord, 1)} | ${fixed((perRecord * r.records) / 1_000_000, 1)} MB |`;
		}),
	].join('\n');
}

function renderAccess(r: Access): string {
	const cell = (value: unknown) => (value === null || value === undefined ? '–' : Array.isArray(value) ? String(value.length) : String(value as string));
	return [
		`Run of ${day(r.date)} in n8n ${r.n8n}:`,
		'',
		'| collection | path | status | HTTP | scope used | attributes | relationships | page of 1000 served | sorted | include |',
		'| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
		...r.collections.map((entry) => {
			const sorted = entry.sortHonoured === null || entry.sortHonoured === undefined ? '–' : `${cell(entry.sortHonoured)} (${cell(entry.sortAttribute)})`;
			const included = entry.includeHonoured === null || entry.includeHonoured === undefined ? '–' : `${cell(entry.includeHonoured)} (${cell(entry.includeTried)})`;
			const page = entry.pageSizeHonoured === false && entry.pageSizeCappedTo !== undefined ? `false (capped to ${cell(entry.pageSizeCappedTo)})` : cell(entry.pageSizeHonoured);
			return `| ${cell(entry.collection)} | ${cell(entry.path)} | ${cell(entry.status)} | ${cell(entry.httpStatus)} | ${cell(entry.scopeUsed)} | ${cell(entry.attributes)} | ${cell(entry.relationships)} | ${page} | ${sorted} | ${included} |`;
		}),
	].join('\n');
}

function renderCompat(files: Compat[]): string {
	const newestFirst = (a: Compat, b: Compat) => {
		const [x, y] = [a.n8n, b.n8n].map((version) => version.split('.').map(Number));
		for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (y[i] ?? 0) - (x[i] ?? 0);
		return 0;
	};
	return [
		'| n8n | Node | `npm run e2e` checks | Run on |',
		'| --- | --- | --- | --- |',
		...[...files].sort(newestFirst).map((run) => `| ${run.n8n} | ${run.node} | ${run.passed} passed, ${run.failed ? `**${run.failed} failed**` : '0 failed'} | ${day(run.date)} |`),
	].join('\n');
}

function renderMcp(r: Mcp): string {
	const checks = `${r.passed} checks passed${r.failed ? `, **${r.failed} failed**` : ''}`;
	return [`Run of ${day(r.date)} in n8n ${r.n8n} (${checks}):`, '', '```text', ...r.transcript, '```'].join('\n');
}

/** test/exactly-once.test.ts, run with RANDOM_RESULTS */
interface ExactlyOnce {
	runs: number;
	seeds: [number, number];
	failedSeeds: number[];
	byEvent: Record<string, number>;
	byPoller: Record<string, number>;
	splitByBudget: number;
	byTimestamp: number;
	sortNotHonoured: number;
	polls: number;
	itemsReplayed: number;
}

function renderExactlyOnce(r: ExactlyOnce): string {
	const list = (counts: Record<string, number>) => Object.entries(counts).map(([name, count]) => `${name} ${count}`).join(', ');
	const failed = r.failedSeeds.length ? `**${plural(r.failedSeeds.length, 'run')} broke it** (seeds ${r.failedSeeds.join(', ')})` : 'no run broke it';
	return [
		`${thousands(r.runs)} seeded runs (seeds ${r.seeds[0]}–${r.seeds[1]}): ${failed}.`,
		'',
		'| | |',
		'| --- | --- |',
		`| Events | ${list(r.byEvent)} |`,
		`| Pollers (test/harness/n8n.ts) | ${list(r.byPoller)} |`,
		`| Reads split by a poll budget | ${r.splitByBudget} runs |`,
		`| With a Changed Since Attribute | ${r.byTimestamp} runs |`,
		`| Enable's sort ignored or refused (some switching mid-run) | ${r.sortNotHonoured} runs |`,
		`| Polls; items replayed into the mirror | ${thousands(r.polls)}; ${thousands(r.itemsReplayed)} |`,
	].join('\n');
}

// ---- Blocks, their files and the commands that write them ----

interface Figure {
	/** The result files, relative to the repository root (read in this order). */
	files: () => string[];
	/** What writes them, for the message when one is missing. */
	writtenBy: string;
	render: (results: unknown[]) => string;
}

const one =
	<T>(render: (result: T) => string) =>
	(results: unknown[]) =>
		render(results[0] as T);

const FIGURES: Record<string, Figure> = {
	bench: { files: () => ['bench/results/latest.json'], writtenBy: 'npm run bench', render: one(renderBench) },
	wan: { files: () => ['bench/results/wan.json'], writtenBy: 'npm run bench -- --wan', render: one(renderWan) },
	peer: { files: () => ['bench/results/peer.json'], writtenBy: 'npm run bench -- --peer', render: one(renderPeer) },
	poll: { files: () => ['bench/results/poll.json'], writtenBy: 'npm run bench -- --poll', render: one(renderPoll) },
	state: { files: () => ['test/results/state-size.json'], writtenBy: 'npm test (test/change-feed.test.ts)', render: one(renderState) },
	'exactly-once': {
		files: () => ['test/results/exactly-once.json'],
		writtenBy: 'RANDOM_RUNS=400 RANDOM_RESULTS=test/results/exactly-once.json npx jest test/exactly-once.test.ts',
		render: one(renderExactlyOnce),
	},
	access: { files: () => ['e2e/results/access.json'], writtenBy: 'npm run e2e', render: one(renderAccess) },
	mcp: { files: () => ['e2e/results/mcp.json'], writtenBy: 'npm run e2e:mcp', render: one(renderMcp) },
	compat: {
		files: () => {
			const dir = path.join(ROOT, 'e2e', 'results');
			const found = existsSync(dir) ? readdirSync(dir).filter((file) => /^compat-.+\.json$/.test(file)).sort() : [];
			return found.length ? found.map((file) => `e2e/results/${file}`) : ['e2e/results/compat-<n8n version>.json'];
		},
		writtenBy: 'npm run e2e',
		render: (results) => renderCompat(results as Compat[]),
	},
};

/** A block: its start and end markers each on a line of their own (a marker quoted in prose is not one). */
const BLOCK = /^<!-- ([\w-]+):start -->\n([\s\S]*?)^<!-- ([\w-]+):end -->$/gm;
const START = /^<!-- [\w-]+:start -->$/gm;

function documents(): string[] {
	const docs = readdirSync(path.join(ROOT, 'docs'))
		.filter((file) => file.endsWith('.md'))
		.sort()
		.map((file) => `docs/${file}`);
	return ['README.md', ...docs];
}

/** The block's text as its result files give it, or why it cannot be given. */
function rendered(name: string): { text?: string; problem?: string } {
	const figure = FIGURES[name];
	if (!figure) return { problem: `no renderer in tools/figures.ts for a block named "${name}"` };
	const files = figure.files();
	const missing = files.filter((file) => !existsSync(path.join(ROOT, file)));
	if (missing.length) return { problem: `${missing.join(', ')} is missing (${figure.writtenBy} writes it)` };
	try {
		const results = files.map((file) => JSON.parse(readFileSync(path.join(ROOT, file), 'utf8')) as unknown);
		return { text: `${figure.render(results)}\n` };
	} catch (error) {
		return { problem: `${files.join(', ')} does not have the shape tools/figures.ts reads: ${error instanceof Error ? error.message : String(error)}` };
	}
}

function firstDifference(found: string, expected: string): string {
	const a = found.split('\n');
	const b = expected.split('\n');
	for (let i = 0; i < Math.max(a.length, b.length); i++) {
		if (a[i] !== b[i]) return `line ${i + 1} of the block reads ${JSON.stringify(a[i] ?? '(nothing)')}, the result file gives ${JSON.stringify(b[i] ?? '(nothing)')}`;
	}
	return '';
}

function main(): void {
	const check = process.argv.includes('--check');
	const problems: string[] = [];
	let blocks = 0;
	for (const document of documents()) {
		const file = path.join(ROOT, document);
		const before = readFileSync(file, 'utf8');
		const starts = (before.match(START) ?? []).length;
		const after = before.replace(BLOCK, (whole, name: string, body: string, endName: string) => {
			blocks++;
			if (name !== endName) {
				problems.push(`${document}: the block "${name}" ends with "${endName}:end"`);
				return whole;
			}
			const { text, problem } = rendered(name);
			if (problem || text === undefined) {
				problems.push(`block "${name}" in ${document}: ${problem}`);
				return whole;
			}
			if (text !== body) {
				if (check) problems.push(`block "${name}" in ${document} differs from ${FIGURES[name].files().join(', ')}: ${firstDifference(body, text)}; run npm run figures`);
				else console.log(`figures: rewrote "${name}" in ${document}`);
			}
			return `<!-- ${name}:start -->\n${text}<!-- ${name}:end -->`;
		});
		const closed = (before.match(BLOCK) ?? []).length;
		if (closed !== starts) problems.push(`${document}: ${starts - closed} block start(s) without a matching end on a line of its own`);
		if (!check && after !== before) writeFileSync(file, after);
	}
	for (const problem of problems) console.error(`figures: ${problem}`);
	if (problems.length) {
		process.exitCode = 1;
		return;
	}
	console.log(`figures: ${blocks} blocks ${check ? 'match their result files' : 'written from their result files'}`);
}

main();
