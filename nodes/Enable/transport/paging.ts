/**
 * Reading collections and records: builds the query, follows `links.next` (relative or absolute)
 * until it is absent, stops as soon as a limit is met, and never yields a record twice.
 */
import { NodeOperationError } from 'n8n-workflow';

import type { EnableResource } from '../resources';
import { type EnableConnection, type EnableContext, enableRequest, type ResourceObject } from './request';

export interface ListQuery {
	/** Attribute → value pairs, sent as `filter[attribute]=value` (ANDed by Enable). */
	filters: Array<{ attribute: string; value: string }>;
	/** JSON:API sort, e.g. `-startDate,reference`. */
	sort?: string;
	pageSize: number;
	/** Stop after this many records; undefined reads every page. */
	limit?: number;
}

/** Encodes like encodeURIComponent but keeps JSON:API's brackets readable. */
function encodeQueryPart(text: string): string {
	return encodeURIComponent(text).replace(/%5B/gi, '[').replace(/%5D/gi, ']');
}

export function buildListUrl(baseUrl: string, resource: EnableResource, query: ListQuery): string {
	const parts: string[] = [];
	for (const { attribute, value } of query.filters) {
		parts.push(`${encodeQueryPart(`filter[${attribute}]`)}=${encodeQueryPart(value)}`);
	}
	if (query.sort) parts.push(`sort=${encodeQueryPart(query.sort)}`);
	const pageSize = query.limit !== undefined ? Math.min(query.pageSize, query.limit) : query.pageSize;
	parts.push(`page[size]=${pageSize}`);
	return `${baseUrl}/v1/${resource.path}?${parts.join('&')}`;
}

export function buildRecordUrl(baseUrl: string, resource: EnableResource, id: string): string {
	return `${baseUrl}/v1/${resource.path}/${encodeURIComponent(id)}`;
}

/**
 * Resolves a `links.next` value. Absolute links are used as they are; a path starting with `/`
 * is taken relative to the Base URL (keeping a path prefix such as a gateway's `/enable`);
 * anything else is relative to the page that carried it. A link to another origin is refused,
 * since following it would send the Bearer token to a host the user never configured.
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

/** Reads one page after another and returns the records, each exactly once. */
export async function listRecords(
	context: EnableContext,
	connection: EnableConnection,
	resource: EnableResource,
	query: ListQuery,
	itemIndex: number,
): Promise<ResourceObject[]> {
	const { baseUrl } = connection;
	const records: ResourceObject[] = [];
	const seenIds = new Set<string>();
	const visitedPages = new Set<string>();
	let url: string | undefined = buildListUrl(baseUrl, resource, query);
	while (url !== undefined) {
		visitedPages.add(url);
		const document = await enableRequest(context, connection, { url, resource, itemIndex });
		for (const record of document.data as ResourceObject[]) {
			// Offset-paged APIs can shift a record onto the next page while we read: keep the first.
			// One collection has one resource type, so the id alone identifies a record.
			if (seenIds.has(record.id)) continue;
			seenIds.add(record.id);
			records.push(record);
			if (query.limit !== undefined && records.length >= query.limit) return records;
		}
		const next = document.links?.next;
		if (typeof next !== 'string' || next === '') break;
		const resolved = resolveNextLink(next, baseUrl, url);
		if (resolved === undefined) {
			throw new NodeOperationError(context.getNode(), 'Enable sent a next-page link to another host', {
				itemIndex,
				description: `The link "${next}" leaves ${new URL(baseUrl).host}; n8n stopped so that your access token is not sent elsewhere. Check the credential's Base URL.`,
			});
		}
		if (visitedPages.has(resolved)) {
			throw new NodeOperationError(context.getNode(), 'Enable sent a next-page link that was already read', {
				itemIndex,
				description: `Following ${resolved} again would loop forever. ${records.length} records were read before it.`,
			});
		}
		url = resolved;
	}
	return records;
}

export async function getRecord(
	context: EnableContext,
	connection: EnableConnection,
	resource: EnableResource,
	id: string,
	itemIndex: number,
): Promise<ResourceObject> {
	const url = buildRecordUrl(connection.baseUrl, resource, id);
	const document = await enableRequest(context, connection, { url, resource, itemIndex, recordId: id });
	return document.data as ResourceObject;
}
