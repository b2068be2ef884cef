/**
 * Get and Get Many, the same for every collection in the resource table: each reads its parameters
 * for one input item and returns the records in the shape the user chose.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { EnableCollection } from '../resources';
import { shapeRecord } from '../simplify';
import { capForTool, compactForTool, runsAsTool, TOOL_MAX_ITEMS } from './tool';
import { getRecord, listRecords, type RecordsRead } from '../transport/paging';
import type { EnableConnection, RequestSubject } from '../transport/types';
import { validateFilters, validateInclude, validateLimit, validatePageSize, validateRecordId, validateSort, validateSortBy } from '../validation';

export type CollectionOperation = (
	context: IExecuteFunctions,
	connection: () => Promise<EnableConnection>,
	collection: EnableCollection,
	itemIndex: number,
) => Promise<IDataObject[]>;

/** How a collection's requests name themselves in messages. */
export function subjectOf(collection: EnableCollection): RequestSubject {
	const { name, noun, nouns, scope, scopePublished, sampleId } = collection;
	return { name, noun, nouns, scope, scopePublished, sampleId };
}

function shaped(context: IExecuteFunctions, collection: EnableCollection, itemIndex: number, read: RecordsRead): IDataObject[] {
	const simplify = context.getNodeParameter('simplify', itemIndex, true) as boolean;
	const records = read.records.map((record) => shapeRecord(record, read.included, simplify));
	return simplify && runsAsTool(context) ? records.map((record) => compactForTool(collection, record)) : records;
}

/** Options → Include Related of this item, checked. */
function includeOf(context: IExecuteFunctions, options: IDataObject, itemIndex: number): string[] | undefined {
	return validateInclude(context.getNode(), options.include, itemIndex);
}

export const COLLECTION_OPERATIONS: Record<string, CollectionOperation> = {
	async get(context, connection, collection, itemIndex) {
		const node = context.getNode();
		// A string in version 1, a resource locator in version 2: extractValue reads both.
		const raw = context.getNodeParameter(collection.idParameter, itemIndex, '', { extractValue: true });
		const id = validateRecordId(node, collection, raw, itemIndex);
		const include = includeOf(context, context.getNodeParameter('options', itemIndex, {}) as IDataObject, itemIndex);
		const target = { path: collection.path, subject: subjectOf(collection) };
		return shaped(context, collection, itemIndex, await getRecord(context, await connection(), target, id, include, itemIndex));
	},

	async getAll(context, connection, collection, itemIndex) {
		const node = context.getNode();
		const returnAll = context.getNodeParameter('returnAll', itemIndex, false) as boolean;
		const asTool = runsAsTool(context);
		const asked = returnAll ? undefined : validateLimit(node, context.getNodeParameter('limit', itemIndex, 50), itemIndex);
		// As a tool, one more than the cap is read: enough to say there are more.
		const limit = asTool ? Math.min(asked ?? Number.POSITIVE_INFINITY, TOOL_MAX_ITEMS + 1) : asked;
		const filters = validateFilters(node, context.getNodeParameter('filters', itemIndex, {}), itemIndex, node.typeVersion >= 3);
		const options = context.getNodeParameter('options', itemIndex, {}) as IDataObject;
		const sort = [validateSort(node, options.sort, itemIndex), validateSortBy(node, options.sortBy, itemIndex)].filter(Boolean).join(',') || undefined;
		// An unset Page Size lets the transport ask for large pages and cope if Enable refuses them.
		const pageSize = options.pageSize === undefined || options.pageSize === '' ? undefined : validatePageSize(node, options.pageSize, itemIndex);
		const include = includeOf(context, options, itemIndex);
		const target = { path: collection.path, subject: subjectOf(collection) };
		const read = await listRecords(context, await connection(), target, { filters, sort, pageSize, limit, include }, itemIndex);
		const records = shaped(context, collection, itemIndex, read);
		return asTool ? capForTool(records, collection.nouns) : records;
	},
};
