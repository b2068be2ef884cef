/**
 * "From list" for every Get: one page of the collection at a time, each record named by its title
 * attributes, narrowed by the text typed into the search box (matched against the name and the id,
 * case-insensitively), and n8n's pagination token carrying Enable's links.next.
 */
import type { IDataObject, ILoadOptionsFunctions, INodeListSearchItems, INodeListSearchResult } from 'n8n-workflow';

import { COLLECTIONS, type EnableCollection, searchMethodName, subjectOf } from '../resources';
import { followableLink, type PageStart, readPages } from '../transport/paging';
import { openConnection } from '../transport/request';
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

function searchIn(collection: EnableCollection) {
	return async function (this: ILoadOptionsFunctions, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
		const connection = await openConnection(this, 0);
		const subject = subjectOf(collection);
		// n8n's pagination token is the link Enable gave to the next page, checked to stay on the Base URL's origin.
		const start: PageStart = paginationToken
			? { link: followableLink(this, paginationToken, connection.baseUrl, connection.baseUrl, 0), subject }
			: { target: { path: collection.path, subject }, query: { filters: [], pageSize: SEARCH_PAGE_SIZE } };
		let records: ResourceObject[] = [];
		const read = await readPages(this, connection, start, { itemIndex: 0, included: new Map(), maxPages: 1 }, (page) => {
			records = page.records;
			return false;
		});
		const wanted = (filter ?? '').trim().toLowerCase();
		const results: INodeListSearchItems[] = [];
		for (const record of records) {
			const name = titleOf(collection, record);
			if (wanted && !name.toLowerCase().includes(wanted) && !record.id.toLowerCase().includes(wanted)) continue;
			results.push({ name: name === record.id ? record.id : `${name} (${record.id})`, value: record.id });
		}
		return { results, paginationToken: read.next };
	};
}

/** One listSearch method per collection, named searchDeal, searchTradingPartner, ... */
export const listSearch = Object.fromEntries(COLLECTIONS.map((collection) => [searchMethodName(collection), searchIn(collection)]));
