/**
 * The node's parameters, generated from the resource table so that every collection gets the same
 * operations and options without a copied block per resource.
 */
import type { INodeProperties } from 'n8n-workflow';

import { type EnableResource, RESOURCES } from './resources';
import { PAGE_SIZE_RANGE } from './validation';

export const DEFAULT_PAGE_SIZE = 100;

const plural = (resource: EnableResource) =>
	resource.value === 'activity' ? 'activity entries' : `${resource.name.toLowerCase()}s`;

const resourceProperty: INodeProperties = {
	displayName: 'Resource',
	name: 'resource',
	type: 'options',
	noDataExpression: true,
	options: RESOURCES.map((resource) => ({ name: resource.name, value: resource.value })),
	default: 'deal',
};

function operationProperty(resource: EnableResource): INodeProperties {
	return {
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: [resource.value] } },
		options: [
			{
				name: 'Get',
				value: 'get',
				description: `Get one ${resource.name.toLowerCase()} by its ID`,
				action: `Get ${resource.value === 'activity' ? 'an activity entry' : `a ${resource.name.toLowerCase()}`}`,
			},
			{
				name: 'Get Many',
				value: 'getAll',
				description: `Get many ${plural(resource)}, with filters and sorting`,
				action: `Get many ${plural(resource)}`,
			},
		],
		default: 'getAll',
	};
}

function idProperty(resource: EnableResource): INodeProperties {
	return {
		displayName: `${resource.name} ID`,
		name: resource.idParameter,
		type: 'string',
		required: true,
		default: '',
		placeholder: resource.sampleId,
		description: `The ID of the ${resource.name.toLowerCase()} (a short string such as ${resource.sampleId})`,
		displayOptions: { show: { resource: [resource.value], operation: ['get'] } },
	};
}

/** The filters of a collection, shown where `show` says (the trigger shows them per event). */
export function filtersProperty(
	resource: EnableResource,
	show: NonNullable<INodeProperties['displayOptions']>['show'] = { resource: [resource.value], operation: ['getAll'] },
): INodeProperties {
	return {
		displayName: 'Filters',
		name: 'filters',
		type: 'fixedCollection',
		placeholder: 'Add Filter',
		typeOptions: { multipleValues: true },
		default: {},
		description: 'Only return records whose attributes equal these values (all must match)',
		displayOptions: { show },
		options: [
			{
				displayName: 'Filter',
				name: 'filter',
				values: [
					{
						displayName: 'Attribute',
						name: 'attribute',
						type: 'string',
						default: '',
						placeholder: resource.knownAttributes[0],
						hint: `Known ${resource.name.toLowerCase()} attributes: ${resource.knownAttributes.join(', ')}`,
						description: 'Name of the attribute, sent as filter[attribute]. Not every Enable collection supports every filter.',
					},
					{
						displayName: 'Value',
						name: 'value',
						type: 'string',
						default: '',
						description: 'The value the attribute must equal',
					},
				],
			},
		],
	};
}

const sharedListProperties: INodeProperties[] = [
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

function optionsProperty(resource: EnableResource): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { resource: [resource.value], operation: ['getAll'] } },
		options: [
			{
				displayName: 'Page Size',
				name: 'pageSize',
				type: 'number',
				typeOptions: { minValue: PAGE_SIZE_RANGE.min, maxValue: PAGE_SIZE_RANGE.max },
				default: DEFAULT_PAGE_SIZE,
				description: 'How many records to ask Enable for per request (Enable may cap it lower)',
			},
			{
				displayName: 'Sort',
				name: 'sort',
				type: 'string',
				default: '',
				placeholder: `-${resource.knownAttributes[0]},${resource.knownAttributes[1]}`,
				description: 'Attributes to sort by, separated by commas; a leading - sorts descending',
			},
		],
	};
}

export const simplifyProperty: INodeProperties = {
	displayName: 'Simplify',
	name: 'simplify',
	type: 'boolean',
	default: true,
	description:
		'Whether to return a simplified version of the response instead of the raw data: the ID and attributes at the top level, related record IDs under relationships',
};

export const nodeProperties: INodeProperties[] = [
	resourceProperty,
	...RESOURCES.map(operationProperty),
	...RESOURCES.map(idProperty),
	...sharedListProperties,
	...RESOURCES.map((resource) => filtersProperty(resource)),
	...RESOURCES.map(optionsProperty),
	simplifyProperty,
];
