/**
 * One poll of the Enable Trigger, the n8n glue around detect.ts: reads the pass's pages within n8n's
 * poll budget (continuing next poll from the link where it stopped), hands each page to the
 * decisions, stores the memory, and shapes what changed into items. Nothing is stored when a poll
 * fails, so the next poll reads the same again; Enable's request to wait is honoured across polls.
 */
import type { IDataObject, INodeExecutionData, IPollFunctions } from 'n8n-workflow';

import { subjectOf } from '../actions/collection';
import type { EnableCollection } from '../resources';
import { clock } from '../transport/clock';
import { type CollectionPage, fetchFirstPage, fetchPage, type IncludedIndex, type ListQuery, loopingLinkError } from '../transport/paging';
import { openConnection, passesDeadline, toNodeError } from '../transport/request';
import {
	completePass,
	type Emitted,
	type FeedSpec,
	inEmitOrder,
	type Model,
	mostRecent,
	type Pass,
	planPass,
	refuseSort,
	restartPass,
	takePage,
} from './detect';
import { STATE_KEY } from './state';

/** Where a rate limit's end is kept: apart from the memory, so that a failed poll leaves the memory as it was. */
const WAIT_KEY = 'enableTriggerWaitUntil';

/** A page is not started unless this many times the slowest page so far still fits in the budget. */
const PAGE_TIME_MARGIN = 1.5;

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

/** Fetch Test Event: one page, its most recent record, nothing remembered. */
async function sample(context: IPollFunctions, feed: Feed): Promise<INodeExecutionData[][] | null> {
	const connection = await openConnection(context, 0);
	const target = { path: feed.collection.path, subject: subjectOf(feed.collection) };
	const included: IncludedIndex = new Map();
	const { attribute } = feed.spec;
	const query: ListQuery = { filters: feed.filters, include: feed.include };
	let page: CollectionPage;
	try {
		page = await fetchFirstPage(context, connection, target, feed.spec.incremental && attribute ? { ...query, sort: `-${attribute}` } : query, 0, included);
	} catch (error) {
		if (!(feed.spec.incremental && attribute && httpCodeOf(error) === '400')) throw toNodeError(context.getNode(), error, 0);
		page = await fetchFirstPage(context, connection, target, query, 0, included);
	}
	const record = mostRecent(page.records, attribute);
	return record ? [[{ json: feed.shape({ id: record.id, change: 'created', record }, included, record.type) }]] : null;
}

export async function pollFeed(context: IPollFunctions, feed: Feed): Promise<INodeExecutionData[][] | null> {
	if (context.getMode() === 'manual') return await sample(context, feed);

	const staticData = context.getWorkflowStaticData('node');
	const now = clock.now();
	const waitUntil = staticData[WAIT_KEY];
	// Enable asked n8n to wait: no request before then.
	if (typeof waitUntil === 'number' && now < waitUntil) return null;

	const loaded = feed.load(staticData[STATE_KEY] as IDataObject | undefined);
	// The first poll, or the first after the event or filters changed, only records what exists.
	const fresh = loaded?.signature !== feed.signature;
	const model: Model = fresh ? { signature: feed.signature } : (loaded as Model);
	const { spec, collection } = feed;

	const connection = await openConnection(context, 0);
	const budget = pollBudgetMs(context);
	if (budget !== undefined) connection.deadline = now + budget;
	const subject = { ...subjectOf(collection), include: feed.include };
	const target = { path: collection.path, subject };
	const included: IncludedIndex = new Map();
	const emitted: Emitted[] = [];
	const pass = (model.pass ??= planPass(spec, model, now, fresh));
	const visited = new Set<string>();
	let requests = 0;
	let slowestMs = 0;

	try {
		for (;;) {
			// Start another page only if it surely fits in the budget: what was read is emitted, the rest waits for the next poll.
			if (requests > 0 && passesDeadline(connection, slowestMs * PAGE_TIME_MARGIN)) break;
			const started = clock.now();
			let page: CollectionPage;
			try {
				page =
					pass.next !== undefined
						? await fetchPage(context, connection, { url: pass.next, subject, itemIndex: 0, expect: 'list' }, included)
						: await fetchFirstPage(context, connection, target, queryOf(feed, pass), 0, included);
			} catch (error) {
				const status = httpCodeOf(error);
				if (requests === 0 && pass.next !== undefined && status !== undefined && REFUSED_LINK_STATUSES.has(status)) {
					// The link saved by the last poll expired.
					restartPass(pass);
					context.logger.warn(`Enable Trigger "${context.getNode().name}": Enable refused the saved link to the next page of ${collection.nouns} (HTTP ${status}); the read starts again from its first page.`);
					continue;
				}
				if (pass.next === undefined && pass.kind === 'incremental' && (status === '400' || status === '422')) {
					// Enable refused sort=-<attribute>: read everything instead (a refusal of the filters recurs and is reported).
					const retryAt = refuseSort(spec, model, pass, now);
					say(
						context,
						model,
						`sort-refused:${spec.attribute}`,
						`Enable refused sort=-${spec.attribute} on ${collection.nouns} (HTTP ${status}): polls read every ${collection.noun} instead of the changes since the last poll, and try the sort again in ${Math.round((retryAt - now) / 3_600_000)} h. Pick another Changed Since Attribute, or leave it empty.`,
					);
					continue;
				}
				throw toNodeError(context.getNode(), error, 0);
			}
			requests++;
			slowestMs = Math.max(slowestMs, clock.now() - started);
			const outcome = takePage(spec, model, pass, page.records);
			emitted.push(...outcome.emitted);
			if (outcome.fellBack === 'unsorted') {
				say(context, model, `unsorted:${spec.attribute}`, `Enable did not return ${collection.nouns} newest first for sort=-${spec.attribute}: this poll reads every ${collection.noun} instead. Pick another Changed Since Attribute, or leave it empty.`);
			} else if (outcome.unstamped) {
				say(context, model, `unstamped:${spec.attribute}`, `Some ${collection.nouns} have no ${spec.attribute} timestamp: polls read every ${collection.noun} instead of the changes since the last poll. Pick another Changed Since Attribute, or leave it empty.`);
			}
			if (outcome.done || page.next === undefined) {
				emitted.push(...completePass(spec, model, pass, clock.now()));
				break;
			}
			visited.add(page.url);
			if (visited.has(page.next)) throw loopingLinkError(context, page.next, pass.seen.size, 0);
			pass.next = page.next;
		}
	} catch (error) {
		const nodeError = toNodeError(context.getNode(), error, 0);
		const { failure } = nodeError;
		if (failure?.cause === 'rate-limited' && failure.retryAfterMs) staticData[WAIT_KEY] = clock.now() + failure.retryAfterMs;
		throw nodeError;
	}

	delete staticData[WAIT_KEY];
	staticData[STATE_KEY] = feed.save(model);
	if (!emitted.length) return null;
	return [inEmitOrder(emitted).map((change) => ({ json: feed.shape(change, included, model.type) }))];
}
