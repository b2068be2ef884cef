/**
 * The node's parameters, generated from the resource table so that every collection gets the same
 * operations and options without a copied block per resource.
 */
import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { DEFAULT_MAX_WAIT_MINUTES } from './actions/report';
import { searchMethodName } from './methods/listSearch';
import { ACCOUNT, COLLECTIONS, type EnableCollection, REPORTS, RESOURCES } from './resources';
import { DEFAULT_PAGE_SIZE } from './transport/paging';
import { CONCURRENCY_RANGE, OTHER_ATTRIBUTE, PAGE_SIZE_RANGE } from './validation';

export const DEFAULT_CONCURRENCY = 5;

/** The canvas subtitle, "Get Many: Deal", from the same labels the parameters show. */
export const SUBTITLE = `={{ (${JSON.stringify({ get: 'Get', getAll: 'Get Many', ...Object.fromEntries([...REPORTS.operations, ...ACCOUNT.operations].map((operation) => [operation.value, operation.name])) })})[$parameter["operation"]] + ": " + (${JSON.stringify(
	Object.fromEntries(RESOURCES.map((resource) => [resource.value, resource.name])),
)})[$parameter["resource"]] }}`;

type Show = NonNullable<INodeProperties['displayOptions']>['show'];

/** "tradingPartner" → "Trading Partner". */
export function words(name: string): string {
	const spaced = name.replace(/([a-z\d])([A-Z])/g, '$1 $2').replace(/[._-]+/g, ' ');
	return spaced.replace(/\b\w/g, (letter) => letter.toUpperCase());
}

/** How a picker shows an Enable name: "Trading Partner (tradingPartner)". */
export function nameLabel(name: string): string {
	return `${words(name)} (${name})`;
}

/** Every collection, then the report: one Resource list. */
const RESOURCE_OPTIONS: INodePropertyOptions[] = RESOURCES.map((resource) => ({ name: resource.name, value: resource.value }));

const resourceProperty: INodeProperties = {
	displayName: 'Resource',
	name: 'resource',
	type: 'options',
	noDataExpression: true,
	options: RESOURCE_OPTIONS,
	default: 'deal',
};

function operationProperty(collection: EnableCollection): INodeProperties {
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

const reportOperationProperty: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: [REPORTS.value] } },
	options: REPORTS.operations.map(({ name, value, description }) => ({
		name,
		value,
		description,
		action: `Run the ${name.toLowerCase()} report`,
	})),
	default: 'dealEarnings',
};

/** Get's id: typed by hand (version 1, kept for workflows saved with it). */
function idProperty(collection: EnableCollection): INodeProperties {
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
function idLocatorProperty(collection: EnableCollection, version: number): INodeProperties {
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

/** The attributes the node knows for a collection, as options "Deal Type (dealType)", by name. */
export function knownAttributeOptions(collection: EnableCollection): INodePropertyOptions[] {
	return [...collection.knownAttributes].map((name) => ({ name: nameLabel(name), value: name })).sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * How a filter names its attribute: `typed` is version 1's free text; `picked` (version 2 of the
 * node and trigger) lists the collection's known attributes, plus "Other" with a field for any name.
 */
export type AttributeStyle = 'typed' | 'picked';

function attributeFields(collection: EnableCollection, style: AttributeStyle): INodeProperties[] {
	if (style === 'typed') {
		return [
			{
				displayName: 'Attribute',
				name: 'attribute',
				type: 'string',
				default: '',
				placeholder: collection.knownAttributes[0],
				hint: `Known ${collection.noun} attributes: ${collection.knownAttributes.join(', ')}`,
				description: 'Name of the attribute, sent as filter[attribute]. Not every Enable collection supports every filter.',
			},
		];
	}
	const known = knownAttributeOptions(collection);
	const firstKnown = known[0]?.value ?? OTHER_ATTRIBUTE;
	return [
		{
			displayName: 'Attribute Name or ID',
			name: 'attribute',
			type: 'options',
			// The names of the user's own Enable when the list opens; these known ones otherwise.
			typeOptions: { loadOptionsMethod: 'filterAttributes' },
			options: [...known, { name: 'Other Attribute…', value: OTHER_ATTRIBUTE, description: 'An attribute this list does not name' }],
			default: firstKnown,
			description: `The ${collection.noun} attribute to filter on (sent as filter[attribute]), or Other for any name. Not every Enable collection supports every filter. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.`,
		},
		{
			displayName: 'Attribute Name',
			name: 'otherAttribute',
			type: 'string',
			default: '',
			placeholder: 'attributeName',
			description: "The attribute's name as Enable spells it",
			displayOptions: { show: { attribute: [OTHER_ATTRIBUTE] } },
		},
	];
}

/** The filters of a collection, shown where `show` says (the trigger shows them per event). */
export function filtersProperty(collection: EnableCollection, show: Show, style: AttributeStyle): INodeProperties {
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
					...attributeFields(collection, style),
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

/**
 * Include Related for a collection: its relationships to pick (read from the user's Enable when the
 * list opens, the known ones otherwise), any other name by expression. Where the node knows none,
 * versions 1 and 2 keep a typed name; `alwaysList` (the trigger's version 3) lists them anyway.
 */
export function includeOption(collection: EnableCollection, alwaysList = false): INodeProperties {
	const known = Object.keys(collection.relationships);
	const shared = {
		displayName: 'Include Related',
		name: 'include',
		builderHint: {
			propertyHint: `Relationship names of ${collection.nouns}, such as ${Object.keys(collection.relationships)[0] ?? 'tradingPartner'}: each related record (for a deal's tradingPartner, its name) then appears inline in place of its id`,
		},
		description:
			"Related records to return inline (JSON:API include): with Simplify, each replaces its ID under relationships. Any other relationship name can be given by an expression, as a list or separated by commas. Names are Enable's.",
	};
	if (!known.length && !alwaysList) {
		return { ...shared, type: 'string', default: '', placeholder: 'relationshipName', hint: `Enable has not published relationships for ${collection.nouns}` };
	}
	const options: INodePropertyOptions[] = known.map((name) => ({ name: nameLabel(name), value: name }));
	return { ...shared, type: 'multiOptions', typeOptions: { loadOptionsMethod: 'relationships' }, options, default: [] };
}

const concurrencyOption: INodeProperties = {
	displayName: 'Parallel Requests',
	name: 'concurrency',
	type: 'number',
	typeOptions: { minValue: CONCURRENCY_RANGE.min, maxValue: CONCURRENCY_RANGE.max },
	default: DEFAULT_CONCURRENCY,
	description:
		'How many input items are read from Enable at the same time (taken from the first item). 1 reads them one after another. The output keeps the input order.',
};

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

function optionsProperty(collection: EnableCollection): INodeProperties {
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

const accountProperties: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: [ACCOUNT.value] } },
		options: ACCOUNT.operations.map(({ name, value, description, action }) => ({ name, value, description, action })),
		default: 'checkAccess',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { resource: [ACCOUNT.value], operation: ['checkAccess'] } },
		options: [{ ...concurrencyOption, description: 'How many collections are checked at the same time' }],
	},
];

const reportShow: Show = { resource: [REPORTS.value], operation: ['dealEarnings'] };

const reportProperties: INodeProperties[] = [
	{
		displayName: 'View By',
		name: 'viewBy',
		type: 'string',
		typeOptions: { multipleValues: true, multipleValueButtonText: 'Add Dimension' },
		default: [],
		placeholder: 'Dimension ID',
		description:
			"IDs of Enable's dimensions (from its dimensions endpoint) to break the earnings down by, such as products or branches. None returns the deal earnings as they are. An expression may give a list or IDs separated by commas.",
		displayOptions: { show: reportShow },
	},
	{
		displayName: 'Include Dimension Items',
		name: 'includeItems',
		type: 'boolean',
		default: true,
		description: 'Whether to return the dimension items (products, branches, ...) of each row with it instead of their IDs',
		displayOptions: { show: reportShow },
	},
	{
		displayName: 'Deal ID',
		name: 'dealId',
		type: 'string',
		default: '',
		placeholder: 'Hg7f',
		description: "Only this deal's earnings. Empty reports every deal.",
		displayOptions: { show: reportShow },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: reportShow },
		options: [
			{
				displayName: 'Max Wait (Minutes)',
				name: 'maxWaitMinutes',
				type: 'number',
				typeOptions: { minValue: 0.1, maxValue: 1440, numberPrecision: 1 },
				default: DEFAULT_MAX_WAIT_MINUTES,
				description: 'How long to wait for Enable to compute the report before stopping with an error',
			},
			concurrencyOption,
		],
	},
];

export const simplifyProperty: INodeProperties = {
	displayName: 'Simplify',
	name: 'simplify',
	type: 'boolean',
	default: true,
	description:
		'Whether to return a simplified version of the response instead of the raw data: the ID and attributes at the top level, related records (or their IDs) under relationships',
};

export const nodeProperties: INodeProperties[] = [
	resourceProperty,
	...COLLECTIONS.map(operationProperty),
	reportOperationProperty,
	...COLLECTIONS.map(idProperty),
	// Version 3 changes only how the node answers as an AI tool (actions/tool.ts); its parameters are version 2's.
	...[2, 3].flatMap((version) => COLLECTIONS.map((collection) => idLocatorProperty(collection, version))),
	...sharedListProperties,
	...COLLECTIONS.flatMap((collection) => [
		filtersProperty(collection, { resource: [collection.value], operation: ['getAll'], '@version': [1] }, 'typed'),
		filtersProperty(collection, { resource: [collection.value], operation: ['getAll'], '@version': [2] }, 'picked'),
		filtersProperty(collection, { resource: [collection.value], operation: ['getAll'], '@version': [3] }, 'picked'),
	]),
	...COLLECTIONS.map(optionsProperty),
	...reportProperties,
	...accountProperties,
	{ ...simplifyProperty, displayOptions: { hide: { resource: [ACCOUNT.value] } } },
];
