/**
 * The node's operations, shared by every resource: each reads its parameters for one input item
 * and returns Enable resource objects.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { DEFAULT_PAGE_SIZE } from './descriptions';
import type { EnableResource } from './resources';
import { getRecord, listRecords } from './transport/paging';
import type { EnableConnection, ResourceObject } from './transport/request';
import { validateFilters, validateLimit, validatePageSize, validateRecordId, validateSort } from './validation';

export type Operation = (
	context: IExecuteFunctions,
	connection: () => Promise<EnableConnection>,
	resource: EnableResource,
	itemIndex: number,
) => Promise<ResourceObject[]>;

export const OPERATIONS: Record<string, Operation> = {
	async get(context, connection, resource, itemIndex) {
		const node = context.getNode();
		const id = validateRecordId(node, resource, context.getNodeParameter(resource.idParameter, itemIndex), itemIndex);
		return [await getRecord(context, await connection(), resource, id, itemIndex)];
	},

	async getAll(context, connection, resource, itemIndex) {
		const node = context.getNode();
		const returnAll = context.getNodeParameter('returnAll', itemIndex, false) as boolean;
		const limit = returnAll ? undefined : validateLimit(node, context.getNodeParameter('limit', itemIndex, 50), itemIndex);
		const filters = validateFilters(node, context.getNodeParameter('filters', itemIndex, {}), itemIndex);
		const options = context.getNodeParameter('options', itemIndex, {}) as IDataObject;
		const sort = validateSort(node, options.sort, itemIndex);
		const pageSize = validatePageSize(node, options.pageSize ?? DEFAULT_PAGE_SIZE, itemIndex);
		return await listRecords(context, await connection(), resource, { filters, sort, pageSize, limit }, itemIndex);
	},
};
