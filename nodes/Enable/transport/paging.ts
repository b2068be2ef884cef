/**
 * Reading collections and records. One pager (readPages) reads every listing of the package: Get
 * Many, the report's result, Check Access, the pickers and the trigger. It builds the first page's
 * query (falling back to smaller pages when Enable refuses the default size), follows `links.next`
 * (relative or absolute, within the Base URL's origin), refuses a link it already read, collects the
 * records Enable included once each, stops before a page that would pass the caller's deadline, and
 * says where it stopped.
 */
import { NodeOperationError } from 'n8n-workflow';

import { refusedParameter } from './failures/read';
import { toNodeError } from './failures/wording';
import { clock } from './clock';
import { enableRequest, passesDeadline } from './request';
import type { EnableConnection, EnableContext, EnableRequest, JsonApiDocument, RequestSubject, ResourceObject } from './types';

/** The page size asked for when the user sets none: few large pages cost the fewest round trips. */
export const DEFAULT_PAGE_SIZE = 1000;

/** Smaller sizes tried, in order, when Enable refuses our default without saying its maximum. */
const FALLBACK_PAGE_SIZES = [500, 250, 100, 50, 25, 10] as const;

export interface ListQuery {
	/** Attribute → value pairs, sent as `filter[attribute]=value` (ANDed by Enable). */
	filters: Array<{ attribute: string; value: string }>;
	/** JSON:API sort, e.g. `-startDate,reference`. */
	sort?: string;
	/** The user's Page Size; undefined asks for DEFAULT_PAGE_SIZE and copes with a refusal. */
	pageSize?: number;
	/** Stop after this many records; undefined reads every page. */
	limit?: number;
	/** Relationship names sent as `include=`. */
	include?: readonly string[];
	/** Any other query parameters, sent as they are (already named, e.g. `filter[deal]`). */
	extra?: Array<[string, string]>;
	/** Read at most this many pages (Fetch Test Event reads one). */
	maxPages?: number;
}

/** What a collection read returns: the records, and every included record by type and id. */
export interface RecordsRead {
	records: ResourceObject[];
	included: IncludedIndex;
}

export type IncludedIndex = Map<string, ResourceObject>;

export const includedKey = (type: string, id: string) => `${type}\u0000${id}`;

/** Encodes like encodeURIComponent but keeps JSON:API's brackets and commas readable. */
function encodeQueryPart(text: string): string {
	return encodeURIComponent(text).replace(/%5B/gi, '[').replace(/%5D/gi, ']').replace(/%2C/gi, ',');
}

export function buildQuery(pairs: Array<[string, string]>): string {
	return pairs.map(([key, value]) => `${encodeQueryPart(key)}=${encodeQueryPart(value)}`).join('&');
}

export function buildListUrl(baseUrl: string, path: string, query: ListQuery, pageSize: number): string {
	const pairs: Array<[string, string]> = query.filters.map(({ attribute, value }) => [`filter[${attribute}]`, value]);
	pairs.push(...(query.extra ?? []));
	if (query.sort) pairs.push(['sort', query.sort]);
	if (query.include?.length) pairs.push(['include', query.include.join(',')]);
	pairs.push(['page[size]', String(query.limit !== undefined ? Math.min(pageSize, query.limit) : pageSize)]);
	return `${baseUrl}/v1/${path}?${buildQuery(pairs)}`;
}

export function buildRecordUrl(baseUrl: string, path: string, id: string, include?: readonly string[]): string {
	const query = include?.length ? `?${buildQuery([['include', include.join(',')]])}` : '';
	return `${baseUrl}/v1/${path}/${encodeURIComponent(id)}${query}`;
}

/**
 * Resolves a link Enable sent (`links.next`, a job's `links.self`). Absolute links are used as they
 * are; a path starting with `/` is taken relative to the Base URL (keeping a path prefix such as a
 * gateway's `/enable`); anything else is relative to the page that carried it. A link to another
 * origin is refused, since following it would send the Bearer token to a host the user never configured.
 */
export function resolveNextLink(next: string, baseUrl: string, currentUrl: string): string | undefined {
	const base = new URL(baseUrl);
	let resolved: URL;
	if (/^[a-z][a-z\d+.-]*:/i.test(next) || next.startsWith('//')) {
		resolved = new URL(next, base);
	} else if (next.startsWith('/')) {
		const prefix = base.pathname.replace(/\/+$/, '');
		resolved = new URL(prefix && !next.startsWith(`${prefix}/`) ? `${prefix}${next}` : next, base.origin);
	} else {
		resolved = new URL(next, currentUrl);
	}
	return resolved.origin === base.origin ? resolved.href : undefined;
}

/** Resolves a link or stops with a message that says why following it would be unsafe. */
export function followableLink(context: EnableContext, link: string, baseUrl: string, currentUrl: string, itemIndex: number): string {
	const resolved = resolveNextLink(link, baseUrl, currentUrl);
	if (resolved === undefined) {
		throw new NodeOperationError(context.getNode(), 'Enable sent a link to another host', {
			itemIndex,
			description: `The link "${link}" leaves ${new URL(baseUrl).host}; n8n stopped so that your access token is not sent elsewhere. Check the credential's Base URL.`,
			failure: { cause: 'configuration-invalid' },
		});
	}
	return resolved;
}

/** Enable linked back to a page already read: following it would never end. */
export function loopingLinkError(context: EnableContext, link: string, read: number, itemIndex: number): NodeOperationError {
	return new NodeOperationError(context.getNode(), 'Enable sent a next-page link that was already read', {
		itemIndex,
		description: `Following ${link} again would loop forever. ${read} records were read before it.`,
		failure: { cause: 'temporarily-unavailable' },
	});
}

/** Adds a document's `included` records to the index, each once. */
export function collectIncluded(document: JsonApiDocument, included: IncludedIndex): void {
	for (const record of document.included ?? []) {
		if (record && typeof record === 'object' && typeof record.type === 'string' && record.id !== undefined) {
			const key = includedKey(record.type, String(record.id));
			if (!included.has(key)) included.set(key, record);
		}
	}
}

/** The largest page size a refusal names ("from 1 to 200", "maximum 200"), if it names one. */
function pageSizeNamedIn(error: unknown): number | undefined {
	const description = (error as { description?: unknown }).description;
	const match = /\b(?:to|max(?:imum)?(?:\s+is|\s+of)?|at most|<=)\s*(\d{1,5})\b/i.exec(typeof description === 'string' ? description : '');
	const size = match ? Number(match[1]) : undefined;
	return size && size >= 1 ? size : undefined;
}

/** One page of a collection: where it was read, its records, and the checked link to the next page. */
export interface CollectionPage {
	url: string;
	records: ResourceObject[];
	next?: string;
	document: JsonApiDocument;
}

/** Reads one page (any page Enable linked to), adding its included records to `included`. */
async function fetchPage(context: EnableContext, connection: EnableConnection, request: EnableRequest, included: IncludedIndex): Promise<CollectionPage> {
	const document = await enableRequest(context, connection, { ...request, expect: 'list' });
	return pageOf(context, connection, request, document, included);
}

function pageOf(context: EnableContext, connection: EnableConnection, request: EnableRequest, document: JsonApiDocument, included: IncludedIndex): CollectionPage {
	collectIncluded(document, included);
	const link = document.links?.next;
	const next = typeof link === 'string' && link !== '' ? followableLink(context, link, connection.baseUrl, request.url, request.itemIndex) : undefined;
	return { url: request.url, records: document.data as ResourceObject[], next, document };
}

/** The request for the first page of a list query. */
function firstPageRequest(
	connection: EnableConnection,
	target: ListTarget,
	query: ListQuery,
	itemIndex: number,
	pageSize: number,
	deadline: number | undefined,
): EnableRequest {
	return { url: buildListUrl(connection.baseUrl, target.path, query, pageSize), subject: { ...target.subject, include: query.include }, itemIndex, expect: 'list', deadline };
}

/**
 * Reads the first page of a list. Enable's maximum page size is not published and our own default
 * may exceed it: when the first page is refused for its size, it asks again with a smaller one,
 * and the execution keeps asking for that size. A size the user chose is theirs to change, so its
 * refusal is reported.
 */
async function fetchFirstPage(
	context: EnableContext,
	connection: EnableConnection,
	target: ListTarget,
	query: ListQuery,
	itemIndex: number,
	included: IncludedIndex,
	deadline: number | undefined,
): Promise<CollectionPage> {
	let pageSize = query.pageSize ?? connection.acceptedPageSize ?? DEFAULT_PAGE_SIZE;
	for (;;) {
		try {
			return await fetchPage(context, connection, firstPageRequest(connection, target, query, itemIndex, pageSize, deadline), included);
		} catch (error) {
			const smaller =
				query.pageSize === undefined && refusedParameter(error) === 'page[size]'
					? Math.min(pageSizeNamedIn(error) ?? Number.POSITIVE_INFINITY, FALLBACK_PAGE_SIZES.find((size) => size < pageSize) ?? 0)
					: 0;
			if (!(smaller >= 1 && smaller < pageSize)) throw toNodeError(context.getNode(), error, itemIndex);
			pageSize = smaller;
			connection.acceptedPageSize = pageSize;
		}
	}
}

/** A collection's path below `/v1/`, and how its requests name themselves in messages. */
export interface ListTarget {
	path: string;
	subject: RequestSubject;
}

/**
 * Where a read starts: a query on a collection, a link Enable gave (the next page a poll saved), or
 * a first page already in hand (the report's result).
 */
export type PageStart =
	| { target: ListTarget; query: ListQuery }
	| { link: string; subject: RequestSubject }
	| { document: JsonApiDocument; url: string; subject: RequestSubject };

export interface PageReading {
	itemIndex: number;
	/** Every page's included records are added here. */
	included: IncludedIndex;
	/** Epoch ms by which the read must be done (a poll's budget, a picker's wait). */
	deadline?: number;
	/** The slowest request the caller made before, against the same deadline (ms). */
	slowestMs?: number;
	/** Read at most this many pages. */
	maxPages?: number;
}

export interface PagesRead {
	/** The link to the next page when the read stopped before the listing's end (deadline, maxPages, or the caller). */
	next?: string;
	/** The listing has no page after the last one read. */
	ended: boolean;
	pages: number;
	/** The slowest request so far, the caller's before included (ms). */
	slowestMs: number;
}

/** A page is started only if this many times the slowest request so far still fits before the deadline. */
export const PAGE_TIME_MARGIN = 1.5;

/**
 * The pager: reads pages from `start`, handing each to `onPage`, until the listing ends, `onPage`
 * returns false, `maxPages` were read, or the next page would not surely fit before the deadline;
 * returns where it stopped. The first request goes out whatever the deadline unless the caller
 * already made one. Errors are thrown as the transport describes them (with their HTTP status).
 */
export async function readPages(
	context: EnableContext,
	connection: EnableConnection,
	start: PageStart,
	reading: PageReading,
	onPage: (page: CollectionPage) => boolean | Promise<boolean>,
): Promise<PagesRead> {
	const { itemIndex, included, deadline, maxPages = Number.POSITIVE_INFINITY } = reading;
	let slowestMs = reading.slowestMs ?? 0;
	const visited = new Set<string>();
	let pages = 0;
	let link = 'link' in start ? start.link : undefined;
	for (;;) {
		const notFirst = pages > 0 || 'document' in start;
		if (pages >= maxPages || (slowestMs > 0 && passesDeadline(deadline, slowestMs * PAGE_TIME_MARGIN))) {
			return { next: notFirst ? link : 'link' in start ? start.link : undefined, ended: false, pages, slowestMs };
		}
		const started = clock.now();
		let page: CollectionPage;
		if ('document' in start && pages === 0) {
			page = pageOf(context, connection, { url: start.url, subject: start.subject, itemIndex, expect: 'list', deadline }, start.document, included);
		} else if (link !== undefined) {
			page = await fetchPage(context, connection, { url: link, subject: 'target' in start ? { ...start.target.subject, include: start.query.include } : start.subject, itemIndex, expect: 'list', deadline }, included);
			slowestMs = Math.max(slowestMs, clock.now() - started, 1);
		} else {
			const first = start as { target: ListTarget; query: ListQuery };
			page = await fetchFirstPage(context, connection, first.target, first.query, itemIndex, included, deadline);
			slowestMs = Math.max(slowestMs, clock.now() - started, 1);
		}
		pages++;
		visited.add(page.url);
		const goOn = await onPage(page);
		if (page.next === undefined) return { ended: true, pages, slowestMs };
		if (!goOn) return { next: page.next, ended: false, pages, slowestMs };
		if (visited.has(page.next)) throw loopingLinkError(context, page.next, pages, itemIndex);
		link = page.next;
	}
}

/** Keeps each record once, by id (one collection or report has one resource type): a listing that shifts while it is read can show one twice. */
export function once(take: (record: ResourceObject) => boolean): (records: readonly ResourceObject[]) => boolean {
	const seen = new Set<string>();
	return (records) => {
		for (const record of records) {
			const key = String(record.id);
			if (seen.has(key)) continue;
			seen.add(key);
			if (!take(record)) return false;
		}
		return true;
	};
}

/** Reads a collection: every page (or up to the limit), each record exactly once. */
export async function listRecords(context: EnableContext, connection: EnableConnection, target: ListTarget, query: ListQuery, itemIndex: number): Promise<RecordsRead> {
	const records: ResourceObject[] = [];
	const included: IncludedIndex = new Map();
	const take = once((record) => {
		records.push(record);
		return query.limit === undefined || records.length < query.limit;
	});
	try {
		await readPages(context, connection, { target, query }, { itemIndex, included, maxPages: query.maxPages }, (page) => take(page.records));
	} catch (error) {
		throw toNodeError(context.getNode(), error, itemIndex);
	}
	return { records, included };
}

export async function getRecord(
	context: EnableContext,
	connection: EnableConnection,
	target: ListTarget,
	id: string,
	include: readonly string[] | undefined,
	itemIndex: number,
	deadline?: number,
): Promise<RecordsRead> {
	const url = buildRecordUrl(connection.baseUrl, target.path, id, include);
	const document = await enableRequest(context, connection, {
		url,
		subject: { ...target.subject, include },
		itemIndex,
		recordId: id,
		expect: 'record',
		deadline,
	});
	const included: IncludedIndex = new Map();
	collectIncluded(document, included);
	return { records: [document.data as ResourceObject], included };
}
