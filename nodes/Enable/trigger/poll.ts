/**
 * One poll of the Enable Trigger, the n8n glue around detect.ts: reads the pass's pages within n8n's
 * poll budget (continuing next poll from the link where it stopped), hands each page to the
 * decisions, fetches by id the known records a full read did not meet, stores the memory, and
 * shapes what changed into items. Nothing is stored when a poll fails, so the next poll reads the
 * same again; when Enable asks for a wait longer than the poll may last, the poll keeps what it
 * read and the wait is honoured across polls (in-process.ts).
 */
import { type IDataObject, type INodeExecutionData, type IPollFunctions, NodeApiError, type JsonObject } from 'n8n-workflow';

import { type EnableCollection, subjectOf } from '../resources';
import { clock } from '../transport/clock';
import { type CollectionPage, getRecord, type IncludedIndex, type ListQuery, type ListTarget, PAGE_TIME_MARGIN, type PageStart, readPages } from '../transport/paging';
import { inParallel } from '../transport/parallel';
import { type EnableConnection, openConnection, passesDeadline, toNodeError } from '../transport/request';
import type { ResourceObject } from '../transport/types';
import {
	completePass,
	confirm,
	followUp,
	type Emitted,
	type FeedSpec,
	inEmitOrder,
	inTheView,
	oldestFirstHolds,
	listingEnded,
	type Model,
	mostRecent,
	type Pass,
	planPass,
	readInFull,
	refuseSort,
	restartPass,
	sortChecked,
	takePage,
} from './detect';
import { STATE_KEY } from './state';
import { clearWait, declareWait, endPoll, keepWait, latestMemory, pendingWait, startPoll, storeMemory } from './in-process';

/** Records looked up at a time (removal candidates, the sort check). */
const CONFIRM_CONCURRENCY = 5;

/** Page size of a view's listing narrowed to one id: room to see whether Enable ignored the id. */
const ID_FILTER_PAGE_SIZE = 10;

/** Page size of the oldest-first page that checks Enable's sort. */
const SORT_PROBE_PAGE_SIZE = 10;

/** The poll budget when n8n gives none (n8n's own default for a poll context). */
const DEFAULT_BUDGET_MS = 5 * 60_000;

/**
 * n8n 2.41.1 abandons a poll at its timeout, of which the budget leaves a margin of a fifth, at
 * least 5 s and at most half (trigger-execution-context.factory.ts): never less than this, or the
 * budget itself.
 */
const ABANDON_MARGIN_MS = 5_000;

/** How long past its budget a poll that never ended keeps another poll of its trigger from starting. */
const LEASE_MARGIN_MS = 2 * 60_000;

/** Everything one poll needs to know about its feed. */
export interface Feed {
	collection: EnableCollection;
	spec: FeedSpec;
	filters: ListQuery['filters'];
	include?: string[];
	/** What the memory was recorded for: a change of it starts afresh, silently. */
	signature: string;
	load: (stored: IDataObject | undefined) => Model | undefined;
	save: (model: Model) => IDataObject;
	/** One emitted change as the item the workflow receives. */
	shape: (change: Emitted, included: IncludedIndex, type: string | undefined) => IDataObject;
}

const REFUSED_LINK_STATUSES = new Set(['400', '404', '410', '422']);
const GONE_STATUSES = new Set(['404', '410']);

function httpCodeOf(error: unknown): string | undefined {
	const code = (error as { httpCode?: unknown } | undefined)?.httpCode;
	return typeof code === 'string' ? code : undefined;
}

/** Milliseconds n8n gives this poll before it abandons it (n8n 2.37+), if it says. */
function pollBudgetMs(context: IPollFunctions): number | undefined {
	const budget = (context as Partial<Pick<IPollFunctions, 'getPollBudgetMs'>>).getPollBudgetMs?.();
	return typeof budget === 'number' && Number.isFinite(budget) && budget > 0 ? budget : undefined;
}

function say(context: IPollFunctions, model: Model, key: string, text: string): void {
	if (model.said?.includes(key)) return;
	model.said = [...(model.said ?? []), key];
	context.logger.warn(`Enable Trigger "${context.getNode().name}": ${text}`);
}

function queryOf(feed: Feed, pass: Pass): ListQuery {
	const sort = pass.kind === 'incremental' && feed.spec.attribute ? `-${feed.spec.attribute}` : undefined;
	return { filters: feed.filters, include: feed.include, sort };
}

/** One page of a listing: the first of `start` (Fetch Test Event, checks of Enable's sort, lookups in a view). */
async function onePage(context: IPollFunctions, connection: EnableConnection, start: PageStart, included: IncludedIndex, deadline?: number): Promise<CollectionPage> {
	let first: CollectionPage | undefined;
	await readPages(context, connection, start, { itemIndex: 0, included, deadline, maxPages: 1 }, (page) => {
		first = page;
		return false;
	});
	return first as CollectionPage;
}

function targetOf(feed: Feed): ListTarget {
	return { path: feed.collection.path, subject: { ...subjectOf(feed.collection), include: feed.include } };
}

/** Fetch Test Event: one page, its most recent record, nothing remembered. */
async function sample(context: IPollFunctions, feed: Feed): Promise<INodeExecutionData[][] | null> {
	const connection = await openConnection(context, 0);
	const target = targetOf(feed);
	const included: IncludedIndex = new Map();
	const { attribute } = feed.spec;
	const query: ListQuery = { filters: feed.filters, include: feed.include };
	let page: CollectionPage;
	try {
		page = await onePage(context, connection, { target, query: feed.spec.incremental && attribute ? { ...query, sort: `-${attribute}` } : query }, included);
	} catch (error) {
		if (!(feed.spec.incremental && attribute && httpCodeOf(error) === '400')) throw toNodeError(context.getNode(), error, 0);
		page = await onePage(context, connection, { target, query }, included);
	}
	const record = mostRecent(page.records, attribute);
	return record ? [[{ json: feed.shape({ id: record.id, change: 'created', record }, included, record.type) }]] : null;
}

/** The trigger in this n8n: its workflow and node. */
function triggerKey(context: IPollFunctions): string {
	return `${context.getWorkflow().id ?? ''}:${context.getNode().id ?? context.getNode().name}`;
}

/** The failure a poll that skips for Enable's wait declares: n8n's back-off polls again after it. */
function waitingError(context: IPollFunctions, until: number, now: number): NodeApiError {
	const seconds = Math.max(1, Math.ceil((until - now) / 1000));
	return new NodeApiError(context.getNode(), { status: 429 } as JsonObject, {
		message: 'Enable is rate-limiting requests (HTTP 429)',
		description: `Enable asked n8n to wait until ${new Date(until).toISOString()} (${seconds} s from now). The trigger kept what it had read, sends no request before then, and reports every change after it: nothing is lost.`,
		httpCode: '429',
		failure: { cause: 'rate-limited', retryAfterMs: until - now },
	});
}

export async function pollFeed(context: IPollFunctions, feed: Feed): Promise<INodeExecutionData[][] | null> {
	if (context.getMode() === 'manual') return await sample(context, feed);

	const staticData = context.getWorkflowStaticData('node');
	const connection = await openConnection(context, 0);
	const trigger = triggerKey(context);
	// Enable's wait is kept per trigger and Enable host: a credential moved to another host starts without it.
	const waitKey = `${trigger}:${connection.baseUrl}`;
	const now = clock.now();
	const wait = pendingWait(staticData, waitKey, now);
	if (wait) {
		// No request before Enable's wait has passed. The first poll that skips says why, once.
		if (wait.declared) return null;
		declareWait(staticData, waitKey, wait);
		throw waitingError(context, wait.until, now);
	}
	// Without a budget from n8n (n8n 1.x), the poll keeps to n8n's default one all the same: a poll
	// that outlasted its place (LEASE_MARGIN_MS) would run beside the next one on the same memory.
	const budget = pollBudgetMs(context) ?? DEFAULT_BUDGET_MS;
	if (!startPoll(trigger, now, budget + LEASE_MARGIN_MS)) {
		context.logger.debug(`Enable Trigger "${context.getNode().name}": the previous poll is still running; this one is skipped.`);
		return null;
	}
	try {
		return await pollOnce(context, feed, connection, staticData, { trigger, wait: waitKey }, now, budget);
	} finally {
		endPoll(trigger);
	}
}

/** What one poll works with. */
interface Poll {
	context: IPollFunctions;
	feed: Feed;
	connection: EnableConnection;
	model: Model;
	pass: Pass;
	included: IncludedIndex;
	emitted: Emitted[];
	/** When the poll's budget ends (epoch ms). */
	deadline: number;
	/** The slowest request of this poll so far (ms; 0 before the first). */
	slowestMs: number;
	/** Pages read in this poll. */
	pages: number;
}

async function pollOnce(
	context: IPollFunctions,
	feed: Feed,
	connection: EnableConnection,
	staticData: IDataObject,
	keys: { trigger: string; wait: string },
	now: number,
	budget: number,
): Promise<INodeExecutionData[][] | null> {
	const deadline = now + budget;
	const source = latestMemory(staticData, keys.trigger, STATE_KEY);
	const loaded = feed.load(source.memory);
	// The first poll, or the first after the event or filters changed, starts with a baseline.
	const fresh = loaded?.signature !== feed.signature;
	const model: Model = fresh ? { signature: feed.signature } : (loaded as Model);
	const pass = (model.pass ??= planPass(feed.spec, model, now, fresh));
	const poll: Poll = { context, feed, connection, model, pass, included: new Map(), emitted: [], deadline, slowestMs: 0, pages: 0 };

	try {
		await readPass(poll);
		clearWait(staticData, keys.wait);
	} catch (error) {
		const nodeError = toNodeError(context.getNode(), error, 0);
		const { failure } = nodeError;
		// A rate limit longer than what is left of the poll, or one the retries did not outlast: keep
		// what was read, and wait across polls.
		if (failure?.cause !== 'rate-limited' || !failure.retryAfterMs) throw nodeError;
		keepWait(staticData, keys.wait, clock.now() + failure.retryAfterMs);
		context.logger.warn(
			`Enable Trigger "${context.getNode().name}": Enable asked n8n to wait ${Math.ceil(failure.retryAfterMs / 1000)} s (HTTP 429); the trigger keeps what it read and polls again after that.`,
		);
	}
	// Shaped before the memory says they were reported: a record that cannot be shaped fails the poll.
	const items = inEmitOrder(poll.emitted).map((change) => ({ json: feed.shape(change, poll.included, model.type) }));
	// A poll that ran past its budget by more than n8n's smallest margin may have been abandoned, its
	// items and writes dropped: no copy of its memory is kept here, and the next poll reads n8n's.
	const mayBeAbandoned = clock.now() - now >= budget + Math.min(ABANDON_MARGIN_MS, budget);
	storeMemory(staticData, keys.trigger, STATE_KEY, feed.save(model), source, !mayBeAbandoned);
	return items.length ? [items] : null;
}

/** Whether another request surely fits in what is left of the poll's budget. */
function timeLeft(poll: Poll): boolean {
	return !passesDeadline(poll.deadline, poll.slowestMs * PAGE_TIME_MARGIN);
}

/**
 * Reads the pass on: pages, then the known records it did not meet, until it completes or the
 * budget ends. The first complete read goes straight on with the first sorted read, if time allows,
 * so that Enable's sort is checked before the first change is due.
 */
async function readPass(poll: Poll): Promise<void> {
	const { context, feed, model, connection } = poll;
	const { spec, collection } = feed;
	const target = targetOf(feed);
	for (let pass = poll.pass; ; ) {
		if (pass.sortCheck?.length) {
			// The sort is trusted, and the pass may complete, only once every record of the check is
			// answered; an answer kept across polls is not asked for again.
			if (poll.slowestMs > 0 && !timeLeft(poll)) return;
			const verdict = await checkSort(poll, pass);
			if (verdict === 'open') return;
			pass.sortCheck = undefined;
			if (!sortChecked(model, verdict === 'unsorted')) {
				refuseSort(spec, model, pass, clock.now());
				unsortedNotice(poll);
			}
			continue;
		}
		if (pass.pending !== undefined) {
			await confirmPending(poll);
			if (pass.pending.length) return;
			completePass(spec, model, pass, clock.now());
			// A settling read, or the first sorted read (which checks Enable's sort): now, or at the next poll.
			const next = followUp(spec, model, pass, clock.now());
			if (!next) return;
			pass = poll.pass = model.pass = next;
			continue;
		}
		if (poll.slowestMs > 0 && !timeLeft(poll)) return;
		if (pass.kind === 'incremental' && pass.pages === 0 && model.newest && !model.oldestFirstHeld) {
			// The first sorted read after a full read starts with a small page oldest first.
			if (!(await oldestFirstPage(poll))) {
				refuseSort(spec, model, pass, clock.now());
				unsortedNotice(poll);
			}
			continue;
		}
		const start: PageStart = pass.next !== undefined ? { link: pass.next, subject: target.subject } : { target, query: queryOf(feed, pass) };
		const pagesBefore = poll.pages;
		const called = clock.now();
		/** Why the pages stopped before the budget did: the pass starts again, or has read all it needs. */
		let stopped: 'restart' | 'done' | undefined;
		let read;
		try {
			read = await readPages(context, connection, start, { itemIndex: 0, included: poll.included, deadline: poll.deadline, slowestMs: poll.slowestMs }, async (page) => {
				poll.pages++;
				const outcome = takePage(spec, model, pass, page.records, page.next === undefined, typeof page.document.meta?.total === 'number' ? page.document.meta.total : undefined);
				poll.emitted.push(...outcome.emitted);
				if (outcome.unstamped) {
					say(context, model, `unstamped:${spec.attribute}`, `Some ${collection.nouns} have no ${spec.attribute} timestamp: polls read every ${collection.noun} instead of the changes since the last poll. Pick another Changed Since Attribute, or leave it empty.`);
				}
				if (outcome.restart === 'unstamped') {
					readInFull(pass);
					stopped = 'restart';
					return false;
				}
				if (outcome.restart === 'unsorted') {
					refuseSort(spec, model, pass, clock.now());
					unsortedNotice(poll);
					stopped = 'restart';
					return false;
				}
				if (outcome.done) stopped = 'done';
				// Newest records missing from the first sorted page: looked up before reading on.
				if (outcome.sortCheck) {
					pass.sortCheck = outcome.sortCheck;
					return false;
				}
				return !outcome.done;
			});
		} catch (error) {
			poll.slowestMs = Math.max(poll.slowestMs, clock.now() - called, 1);
			const status = httpCodeOf(error);
			const failedFirst = poll.pages === pagesBefore;
			if (failedFirst && poll.pages === 0 && 'link' in start && status !== undefined && REFUSED_LINK_STATUSES.has(status)) {
				// The link saved by the last poll expired.
				restartPass(pass);
				context.logger.warn(`Enable Trigger "${context.getNode().name}": Enable refused the saved link to the next page of ${collection.nouns} (HTTP ${status}); the read starts again from its first page.`);
				continue;
			}
			if (failedFirst && 'query' in start && pass.kind === 'incremental' && (status === '400' || status === '422')) {
				// Enable refused sort=-<attribute>: read everything instead (a refusal of the filters recurs and is reported).
				sortRefusedNotice(poll, status, refuseSort(spec, model, pass, clock.now()));
				continue;
			}
			throw toNodeError(context.getNode(), error, 0);
		}
		poll.slowestMs = read.slowestMs;
		if (stopped === 'restart') continue;
		if (stopped === 'done' || read.ended) {
			listingEnded(model, pass);
			continue;
		}
		// The budget ends here, or the sort check comes first: the pass goes on from this link.
		if (read.next !== undefined) pass.next = read.next;
		if (pass.sortCheck?.length) continue;
		return;
	}
}

/**
 * Enable's first page oldest first (`sort=<attribute>`): false when it does not run oldest first
 * (or lacks the timestamp). A refusal of that order leaves the check to the newest records alone.
 */
async function oldestFirstPage(poll: Poll): Promise<boolean> {
	const { context, connection, feed, model } = poll;
	const attribute = feed.spec.attribute as string;
	const subject = { ...subjectOf(feed.collection), include: feed.include };
	const started = clock.now();
	try {
		const page = await onePage(context, connection, { target: { path: feed.collection.path, subject }, query: { filters: feed.filters, sort: attribute, pageSize: SORT_PROBE_PAGE_SIZE } }, new Map(), poll.deadline);
		return oldestFirstHolds(model, page.records, attribute);
	} catch (error) {
		if (!['400', '422'].includes(httpCodeOf(error) ?? '')) throw toNodeError(context.getNode(), error, 0);
		model.oldestFirstHeld = true;
		return true;
	} finally {
		poll.slowestMs = Math.max(poll.slowestMs, clock.now() - started, 1);
	}
}

/** What Enable said of one record looked up by id. */
interface LookedUp {
	/** The record, or undefined when it is gone (or, looked up in the view, not in it). */
	found: ResourceObject | undefined;
	/** Enable's own listing of the view held it. */
	inView: boolean;
}

/**
 * Looks one record up. In a filtered view, the view's own listing narrowed by `filter[id]` says
 * whether it is still in the view, by Enable's own reading of the filters; where Enable refuses or
 * ignores `filter[id]`, and in an unfiltered view, `GET /v1/<collection>/<id>` says whether it exists.
 */
async function lookUp(poll: Poll, id: string): Promise<LookedUp> {
	const { context, connection, feed, model } = poll;
	const subject = { ...subjectOf(feed.collection), include: feed.include };
	const target = { path: feed.collection.path, subject };
	if (feed.filters.length && !model.noIdFilter) {
		try {
			const page = await onePage(context, connection, { target, query: { filters: [...feed.filters, { attribute: 'id', value: id }], include: feed.include, pageSize: ID_FILTER_PAGE_SIZE } }, poll.included, poll.deadline);
			const found = page.records.find((record) => String(record.id) === id);
			if (found || !page.records.length) return { found, inView: Boolean(found) };
		} catch (error) {
			if (!['400', '422'].includes(httpCodeOf(error) ?? '')) throw toNodeError(context.getNode(), error, 0);
		}
		// Enable refused filter[id], or answered with other records: it does not filter by id.
		model.noIdFilter = true;
	}
	try {
		const read = await getRecord(context, connection, target, id, feed.include, 0, poll.deadline);
		for (const [key, record] of read.included) if (!poll.included.has(key)) poll.included.set(key, record);
		return { found: read.records[0], inView: false };
	} catch (error) {
		if (GONE_STATUSES.has(httpCodeOf(error) ?? '')) return { found: undefined, inView: false };
		throw toNodeError(context.getNode(), error, 0);
	}
}

/**
 * Looks records up, CONFIRM_CONCURRENCY at a time, while the budget allows, handing each answer to
 * `take`. Every request under way ends before this returns, so nothing changes the model after
 * the poll is stored; the first failure is thrown then.
 */
async function lookUpEach(poll: Poll, ids: readonly string[], take: (id: string, answer: LookedUp) => void): Promise<void> {
	let failure: unknown;
	await inParallel(
		ids.length,
		CONFIRM_CONCURRENCY,
		async (index) => {
			const started = clock.now();
			try {
				take(ids[index], await lookUp(poll, ids[index]));
			} catch (error) {
				failure ??= error;
			} finally {
				poll.slowestMs = Math.max(poll.slowestMs, clock.now() - started, 1);
			}
		},
		{ stopped: () => failure !== undefined || !timeLeft(poll) },
	);
	if (failure !== undefined) throw toNodeError(poll.context.getNode(), failure, 0);
}

/** The known records a full read did not meet, looked up one by one: removed only when Enable says so. */
async function confirmPending(poll: Poll): Promise<void> {
	const { feed, model, pass } = poll;
	await lookUpEach(poll, [...(pass.pending ?? [])], (id, { found, inView: listed }) => {
		const change = confirm(feed.spec, model, pass, id, found, listed);
		if (change) poll.emitted.push(change);
	});
}

/** Whether a record looked up is in the view (when that cannot be decided here, it is taken to be). */
function stillInView(poll: Poll, { found, inView: listed }: LookedUp): boolean {
	return found !== undefined && inTheView(poll.feed.spec, poll.model, found, listed) !== false;
}

/**
 * Looks up the records of the pass's sort check (the newest a full read found, missing from the
 * sorted first page), while the budget allows: `unsorted` as soon as one is still in the view (so
 * Enable did not sort), `held` when every one is gone, `open` while some are unanswered. Each answer
 * leaves the check, so the next poll asks only what is left.
 */
async function checkSort(poll: Poll, pass: Pass): Promise<'held' | 'unsorted' | 'open'> {
	let still = false;
	await lookUpEach(poll, [...(pass.sortCheck ?? [])], (id, answer) => {
		if (stillInView(poll, answer)) still = true;
		pass.sortCheck = pass.sortCheck?.filter((checked) => checked !== id);
	});
	if (still) return 'unsorted';
	return pass.sortCheck?.length ? 'open' : 'held';
}

function sortRefusedNotice(poll: Poll, status: string, retryAt: number): void {
	const { spec, collection } = poll.feed;
	say(
		poll.context,
		poll.model,
		`sort-refused:${spec.attribute}`,
		`Enable refused sort=-${spec.attribute} on ${collection.nouns} (HTTP ${status}): polls read every ${collection.noun} instead of the changes since the last poll, and try the sort again in ${Math.round((retryAt - clock.now()) / 3_600_000)} h. Pick another Changed Since Attribute, or leave it empty.`,
	);
}

function unsortedNotice(poll: Poll): void {
	const { spec, collection } = poll.feed;
	say(
		poll.context,
		poll.model,
		`unsorted:${spec.attribute}`,
		`Enable did not return ${collection.nouns} newest first for sort=-${spec.attribute}: polls read every ${collection.noun} instead. Pick another Changed Since Attribute, or leave it empty.`,
	);
}
