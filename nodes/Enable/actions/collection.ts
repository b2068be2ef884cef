/**
 * Get and Get Many, the same for every collection in the resource table: each reads its parameters
 * for one input item and returns the records in the shape the user chose.
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { concurrencyOption, filtersProperty, includeOption, knownAttributeOptions } from '../descriptions';
import { type EnableCollection, searchMethodName, subjectOf } from '../resources';
import { shapeRecord } from '../simplify';
import { capForTool, compactForTool, runsAsTool, TOOL_MAX_ITEMS } from './tool';
import { DEFAULT_PAGE_SIZE, getRecord, listRecords, type RecordsRead } from '../transport/paging';
import type { EnableConnection } from '../transport/types';
import { PAGE_SIZE_RANGE, validateFilters, validateInclude, validateLimit, validatePageSize, validateRecordId, validateSort, validateSortBy } from '../validation';


// Their parameters, one copy per collection (and per node version where the version changed them).

export function operationProperty(collection: EnableCollection): INodeProperties {
	return {
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: [collection.value] } },
		options: [
			{
				name: 'Get',
				value: 'get',
				description: `Get one ${collection.noun} by its ID`,
				action: `Get ${collection.article} ${collection.noun}`,
			},
			{
				name: 'Get Many',
				value: 'getAll',
				description: `Get many ${collection.nouns}, with filters and sorting`,
				action: `Get many ${collection.nouns}`,
			},
		],
		default: 'getAll',
	};
}

/** Get's id: typed by hand (version 1, kept for workflows saved with it). */
export function idProperty(collection: EnableCollection): INodeProperties {
	return {
		displayName: `${collection.name} ID`,
		name: collection.idParameter,
		type: 'string',
		required: true,
		default: '',
		placeholder: collection.sampleId,
		description: `The ID of the ${collection.noun} (a short string such as ${collection.sampleId})`,
		displayOptions: { show: { resource: [collection.value], operation: ['get'], '@version': [1] } },
	};
}

/** An Enable id: a short string without a path, query or fragment in it. */
const ID_PATTERN = '^[^/?#\\s]+$';

/** Get's id from version 2 on (one copy per version): picked from a searchable list of the collection, or typed. */
export function idLocatorProperty(collection: EnableCollection, version: number): INodeProperties {
	return {
		displayName: collection.name,
		name: collection.idParameter,
		type: 'resourceLocator',
		required: true,
		default: { mode: 'list', value: '' },
		description: `The ${collection.noun} to get`,
		builderHint: { propertyHint: `An Enable ${collection.noun} id is a short case-sensitive string such as ${collection.sampleId}, never a number or a UUID; use mode 'id' with an expression when the id comes from earlier data` },
		displayOptions: { show: { resource: [collection.value], operation: ['get'], '@version': [version] } },
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				typeOptions: { searchListMethod: searchMethodName(collection), searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: collection.sampleId,
				validation: [
					{
						type: 'regex',
						properties: { regex: ID_PATTERN, errorMessage: `Not an Enable ID: a short string such as ${collection.sampleId}, without / ? # or spaces` },
					},
				],
			},
		],
	};
}

export const sharedListProperties: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
		displayOptions: { show: { operation: ['getAll'] } },
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { operation: ['getAll'], returnAll: [false] } },
	},
];

export function optionsProperty(collection: EnableCollection): INodeProperties {
	const listOnly = { show: { '/operation': ['getAll'] } };
	const firstAttribute = collection.knownAttributes[0];
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { resource: [collection.value], operation: ['get', 'getAll'] } },
		options: [
			includeOption(collection),
			{
				displayName: 'Page Size',
				name: 'pageSize',
				type: 'number',
				typeOptions: { minValue: PAGE_SIZE_RANGE.min, maxValue: PAGE_SIZE_RANGE.max },
				default: DEFAULT_PAGE_SIZE,
				description:
					'How many records to ask Enable for per request. Unset, n8n asks for 1000 and uses a smaller size if Enable refuses it; Enable may also cap it lower.',
				displayOptions: listOnly,
			},
			concurrencyOption,
			{
				displayName: 'Sort',
				name: 'sort',
				type: 'string',
				default: '',
				placeholder: `-${collection.knownAttributes[0]},${collection.knownAttributes[1]}`,
				description: 'Attributes to sort by, separated by commas; a leading - sorts descending',
				displayOptions: listOnly,
			},
			{
				displayName: 'Sort By',
				name: 'sortBy',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true },
				placeholder: 'Add Sort Attribute',
				default: {},
				description: 'Attributes to sort by, picked from your Enable, in order; after those of Sort',
				displayOptions: listOnly,
				options: [
					{
						displayName: 'Sort',
						name: 'sort',
						values: [
							{
								displayName: 'Attribute Name or ID',
								name: 'attribute',
								type: 'options',
								// The names of the user's own Enable when the list opens; these known ones otherwise.
								typeOptions: { loadOptionsMethod: 'attributes' },
								options: knownAttributeOptions(collection),
								default: firstAttribute,
								description: `The ${collection.noun} attribute to sort by. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.`,
							},
							{
								displayName: 'Direction',
								name: 'direction',
								type: 'options',
								options: [
									{ name: 'Ascending', value: 'ascending' },
									{ name: 'Descending', value: 'descending' },
								],
								default: 'ascending',
							},
						],
					},
				],
			},
		],
	};
}

/** Get Many's filters: typed in version 1, picked from a list from version 2 on. */
export function filtersProperties(collection: EnableCollection): INodeProperties[] {
	return [
		filtersProperty(collection, { resource: [collection.value], operation: ['getAll'], '@version': [1] }, 'typed'),
		filtersProperty(collection, { resource: [collection.value], operation: ['getAll'], '@version': [2] }, 'picked'),
		filtersProperty(collection, { resource: [collection.value], operation: ['getAll'], '@version': [3] }, 'picked'),
	];
}

export type CollectionOperation = (
	context: IExecuteFunctions,
	connection: () => Promise<EnableConnection>,
	collection: EnableCollection,
	itemIndex: number,
) => Promise<IDataObject[]>;

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
