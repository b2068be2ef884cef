/**
 * The parameters the Enable node and the Enable Trigger share, generated from the resource table:
 * filters, Include Related, Parallel Requests and Simplify, and how an Enable name is shown. Each
 * operation family adds its own slice beside its code (actions/*.ts), and actions/router.ts puts
 * the node's parameters together.
 */
import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import type { EnableCollection } from './resources';
import { DEFAULT_CONCURRENCY } from './transport/parallel';
import { CONCURRENCY_RANGE, OTHER_ATTRIBUTE } from './validation';

export type Show = NonNullable<INodeProperties['displayOptions']>['show'];

/** "tradingPartner" → "Trading Partner". */
export function words(name: string): string {
	const spaced = name.replace(/([a-z\d])([A-Z])/g, '$1 $2').replace(/[._-]+/g, ' ');
	return spaced.replace(/\b\w/g, (letter) => letter.toUpperCase());
}

/** How a picker shows an Enable name: "Trading Partner (tradingPartner)". */
export function nameLabel(name: string): string {
	return `${words(name)} (${name})`;
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

export const concurrencyOption: INodeProperties = {
	displayName: 'Parallel Requests',
	name: 'concurrency',
	type: 'number',
	typeOptions: { minValue: CONCURRENCY_RANGE.min, maxValue: CONCURRENCY_RANGE.max },
	default: DEFAULT_CONCURRENCY,
	description:
		'How many input items are read from Enable at the same time (taken from the first item). 1 reads them one after another. The output keeps the input order.',
};

export const simplifyProperty: INodeProperties = {
	displayName: 'Simplify',
	name: 'simplify',
	type: 'boolean',
	default: true,
	description:
		'Whether to return a simplified version of the response instead of the raw data: the ID and attributes at the top level, related records (or their IDs) under relationships',
};

