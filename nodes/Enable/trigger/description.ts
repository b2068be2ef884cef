/**
 * The trigger's parameters for every version. Version 3 (the default) picks any collection and one
 * of four change events; versions 1 and 2 keep their three events so saved workflows open as they were.
 */
import type { INodeProperties } from 'n8n-workflow';

import { filtersProperty, includeOption, knownAttributeOptions, simplifyProperty } from '../descriptions';
import { COLLECTIONS, type EnableCollection } from '../resources';
import { CHANGE_EVENTS, DEFAULT_FULL_CHECK_HOURS, DEFAULT_LOOKBACK_MINUTES, DEFAULT_TIMESTAMP_ATTRIBUTE, LEGACY_EVENTS } from './feeds';

const V3 = { '@version': [3] };

/** The canvas subtitle: "New Deal", "Any Earning Change"; version 1/2's event names as they were. */
export const TRIGGER_SUBTITLE = `={{ $parameter["resource"] ? (${JSON.stringify({ new: 'New ', newOrUpdated: 'New or Updated ', removed: 'Removed ', anyChange: 'Any ' })})[$parameter["event"]] + (${JSON.stringify(
	Object.fromEntries(COLLECTIONS.map((collection) => [collection.value, collection.name])),
)})[$parameter["resource"]] + ($parameter["event"] === "anyChange" ? " Change" : "") : (${JSON.stringify(Object.fromEntries(LEGACY_EVENTS.map((event) => [event.value, event.name])))})[$parameter["event"]] }}`;

/** Version 3's event comes first: n8n's node panel lists the first Event parameter's options as the trigger's entries. */
const changeEventProperty: INodeProperties = {
	displayName: 'Event',
	name: 'event',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: V3 },
	options: CHANGE_EVENTS.map(({ name, value, description, action }) => ({ name, value, description, action })),
	default: 'new',
};

const resourceProperty: INodeProperties = {
	displayName: 'Resource',
	name: 'resource',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: V3 },
	options: COLLECTIONS.map((collection) => ({ name: collection.name, value: collection.value })),
	default: 'deal',
	description: 'The Enable collection to watch',
};

function changeOptions(collection: EnableCollection): INodeProperties {
	const attributes = knownAttributeOptions(collection);
	const updates = { show: { '/event': ['newOrUpdated', 'anyChange'] } };
	const defaultTimestamp = DEFAULT_TIMESTAMP_ATTRIBUTE[collection.value] ?? '';
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { resource: [collection.value], ...V3 } },
		options: [
			{
				displayName: 'Changed Since Attribute Name or ID',
				name: 'timestampAttribute',
				type: 'options',
				// The attributes holding timestamps in the user's own Enable when the list opens.
				typeOptions: { loadOptionsMethod: 'timestampAttributes' },
				options: [{ name: 'None (Read Every Record Each Poll)', value: '' }, ...attributes],
				default: defaultTimestamp,
				description: `A timestamp of each ${collection.noun} that moves when it is added (New) or changed. With one, each poll asks Enable for the newest first and stops at what it saw, instead of reading every ${collection.noun}. Unset: ${defaultTimestamp || 'none'}. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.`,
				displayOptions: { show: { '/event': ['new', 'newOrUpdated', 'anyChange'] } },
			},
			{
				displayName: 'Full Check Every (Hours)',
				name: 'fullCheckHours',
				type: 'number',
				typeOptions: { minValue: 0.1, numberPrecision: 1 },
				default: DEFAULT_FULL_CHECK_HOURS,
				description: `With a Changed Since Attribute: how often a poll still reads every ${collection.noun}, to find removals and changes the timestamp did not show`,
				displayOptions: { show: { '/event': ['new', 'newOrUpdated', 'anyChange'] } },
			},
			includeOption(collection, true),
			{
				displayName: 'Lookback (Minutes)',
				name: 'lookbackMinutes',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: DEFAULT_LOOKBACK_MINUTES,
				description: `With a Changed Since Attribute: ${collection.nouns} stamped this long before the newest one seen are read again, in case Enable adds them late. None is reported twice.`,
				displayOptions: { show: { '/event': ['new', 'newOrUpdated', 'anyChange'] } },
			},
			{
				displayName: 'Only Tracked Changes',
				name: 'onlyTrackedChanges',
				type: 'boolean',
				default: false,
				description: 'Whether to skip updates that changed none of the Track Attributes (they are still remembered, so never reported later)',
				displayOptions: updates,
			},
			{
				displayName: 'Start With',
				name: 'startWith',
				type: 'options',
				options: [
					{
						name: 'Changes From Now On',
						value: 'changes',
						description: `The first complete read records the ${collection.nouns} that exist and reports nothing; later polls report what changes`,
					},
					{
						name: 'Everything, Then Changes',
						value: 'everything',
						description: `The first complete read reports every existing ${collection.noun} as created (over several polls when there are many), then what changes: a mirror needs no separate initial load`,
					},
				],
				default: 'changes',
				description: `What the trigger reports first. Everything suits a sheet or table that mirrors the ${collection.nouns}.`,
				displayOptions: { show: { '/event': ['new', 'newOrUpdated', 'anyChange'] } },
			},
			{
				displayName: 'Track Attribute Names or IDs',
				name: 'trackAttributes',
				type: 'multiOptions',
				typeOptions: { loadOptionsMethod: 'attributes' },
				options: attributes,
				default: [],
				description: `Attributes whose previous values the trigger remembers: each updated ${collection.noun} then says which of them changed (_changed) and what they were (_previous). Any other name can be given by an expression. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.`,
				displayOptions: updates,
			},
		],
	};
}

/** The guarantee, where a user sets the trigger up. */
const guaranteeNotice: INodeProperties = {
	displayName:
		'Each change after the first complete read is reported once. A record is reported removed only when Enable confirms it is gone or out of the view (or, where Enable cannot be asked by ID, two full reads in a row miss it). With a Changed Since Attribute, a change stamped earlier than the Lookback is reported at the next full check.',
	name: 'guaranteeNotice',
	type: 'notice',
	default: '',
	displayOptions: { show: V3 },
};

export const triggerProperties: INodeProperties[] = [
	changeEventProperty,
	resourceProperty,
	guaranteeNotice,
	{
		displayName: 'Event',
		name: 'event',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { '@version': [1, 2] } },
		options: LEGACY_EVENTS.map(({ name, value, description }) => ({ name, value, description })),
		default: 'newDeal',
	},
	...LEGACY_EVENTS.flatMap((event) => [
		filtersProperty(event.resource, { event: [event.value], '@version': [1] }, 'typed'),
		filtersProperty(event.resource, { event: [event.value], '@version': [2] }, 'picked'),
	]),
	...LEGACY_EVENTS.map(
		(event): INodeProperties => ({
			displayName: 'Options',
			name: 'options',
			type: 'collection',
			placeholder: 'Add Option',
			default: {},
			displayOptions: { show: { event: [event.value], '@version': [1, 2] } },
			options: [includeOption(event.resource)],
		}),
	),
	...COLLECTIONS.map((collection) => filtersProperty(collection, { resource: [collection.value], ...V3 }, 'picked')),
	...COLLECTIONS.map(changeOptions),
	simplifyProperty,
];
