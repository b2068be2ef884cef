/**
 * "From list" for every Get: one page of the collection at a time, each record named by its title
 * attributes, narrowed by the text typed into the search box (matched against the name and the id,
 * case-insensitively), and n8n's pagination token carrying Enable's links.next.
 */
import type { IDataObject, ILoadOptionsFunctions, INodeListSearchItems, INodeListSearchResult } from 'n8n-workflow';

import { subjectOf } from '../actions/collection';
import { COLLECTIONS, type EnableCollection } from '../resources';
import { buildListUrl, followableLink } from '../transport/paging';
import { enableRequest, openConnection } from '../transport/request';
import type { ResourceObject } from '../transport/types';

const SEARCH_PAGE_SIZE = 100;

/** "DL-001234 — Acme Foods annual agreement" for a deal; the id when no title attribute is set. */
function titleOf(collection: EnableCollection, record: ResourceObject): string {
	const attributes = (record.attributes ?? {}) as IDataObject;
	const parts = collection.titleAttributes
		.map((name) => attributes[name])
		.filter((value) => value !== undefined && value !== null && value !== '')
		.map(String);
	return parts.length ? parts.join(' — ') : record.id;
}

export function searchMethodName(collection: EnableCollection): string {
	return `search${collection.value.charAt(0).toUpperCase()}${collection.value.slice(1)}`;
}

function searchIn(collection: EnableCollection) {
	return async function (this: ILoadOptionsFunctions, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
		const connection = await openConnection(this, 0);
		const url = paginationToken
			? followableLink(this, paginationToken, connection.baseUrl, connection.baseUrl, 0)
			: buildListUrl(connection.baseUrl, collection.path, { filters: [] }, SEARCH_PAGE_SIZE);
		const document = await enableRequest(this, connection, { url, subject: subjectOf(collection), itemIndex: 0, expect: 'list' });
		const wanted = (filter ?? '').trim().toLowerCase();
		const results: INodeListSearchItems[] = [];
		for (const record of document.data as ResourceObject[]) {
			const name = titleOf(collection, record);
			if (wanted && !name.toLowerCase().includes(wanted) && !record.id.toLowerCase().includes(wanted)) continue;
			results.push({ name: name === record.id ? record.id : `${name} (${record.id})`, value: record.id });
		}
		const next = document.links?.next;
		return { results, paginationToken: typeof next === 'string' && next ? followableLink(this, next, connection.baseUrl, url, 0) : undefined };
	};
}

/** One listSearch method per collection, named searchDeal, searchTradingPartner, ... */
export const listSearch = Object.fromEntries(COLLECTIONS.map((collection) => [searchMethodName(collection), searchIn(collection)]));
