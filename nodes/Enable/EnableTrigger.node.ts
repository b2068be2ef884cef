import {
	type IDataObject,
	type INodeExecutionData,
	type INodeProperties,
	type INodeType,
	type INodeTypeDescription,
	type IPollFunctions,
	NodeConnectionTypes,
	NodeOperationError,
} from 'n8n-workflow';

import { subjectOf } from './actions/collection';
import { filtersProperty, includeOption, simplifyProperty } from './descriptions';
import { type EnableCollection, findCollection } from './resources';
import { shapeRecord } from './simplify';
import { listRecords } from './transport/paging';
import { openConnection } from './transport/request';
import type { ResourceObject } from './transport/types';
import { type Detection, detect, mostRecent, type TriggerState } from './triggerState';
import { validateFilters, validateInclude } from './validation';

/** The trigger's events, as data: which collection each polls and how it tells what is new. */
interface TriggerEvent {
	value: string;
	name: string;
	description: string;
	resource: EnableCollection;
	detection: Detection;
	/** Attribute holding a timestamp, used as a watermark and to pick the newest test event. */
	timestampAttribute?: string;
}

const deal = findCollection('deal') as EnableCollection;
const activity = findCollection('activity') as EnableCollection;

const EVENTS: readonly TriggerEvent[] = [
	{ value: 'newDeal', name: 'New Deal', description: 'A deal whose ID was not seen before', resource: deal, detection: 'newIds' },
	{
		value: 'updatedDeal',
		name: 'New or Updated Deal',
		description: 'A new deal, or a known deal whose attributes or relationships changed',
		resource: deal,
		detection: 'changedFingerprints',
	},
	{
		value: 'newActivity',
		name: 'New Activity',
		description: 'An activity log entry not seen before',
		resource: activity,
		detection: 'watermark',
		timestampAttribute: 'date',
	},
];

const STATE_KEY = 'enableTrigger';

export class EnableTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Enable Trigger',
		name: 'enableTrigger',
		icon: { light: 'file:enable.svg', dark: 'file:enable.dark.svg' },
		group: ['trigger'],
		// Version 2 picks filter attributes from a list; version 1 keeps typing them.
		version: [1, 2],
		defaultVersion: 2,
		subtitle: `={{ (${JSON.stringify(Object.fromEntries(EVENTS.map((event) => [event.value, event.name])))})[$parameter["event"]] }}`,
		// n8n shows this text for the whole Enable entry of its node panel, actions included.
		description: 'Enable rebate and deal management: read deals, earnings, trading partners, activity, users and reports, or start a workflow when a deal or activity is new',
		defaults: { name: 'Enable Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'enableApi', required: true }],
		properties: [
			{
				displayName: 'Event',
				name: 'event',
				type: 'options',
				noDataExpression: true,
				options: EVENTS.map(({ name, value, description }) => ({ name, value, description })),
				default: 'newDeal',
			},
			...EVENTS.flatMap((event) => [
				filtersProperty(event.resource, { event: [event.value], '@version': [1] }, 'typed'),
				filtersProperty(event.resource, { event: [event.value], '@version': [2] }, 'picked'),
			]),
			...EVENTS.map(
				(event): INodeProperties => ({
					displayName: 'Options',
					name: 'options',
					type: 'collection',
					placeholder: 'Add Option',
					default: {},
					displayOptions: { show: { event: [event.value] } },
					options: [includeOption(event.resource)],
				}),
			),
			simplifyProperty,
		],
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const eventValue = this.getNodeParameter('event') as string;
		const event = EVENTS.find((candidate) => candidate.value === eventValue);
		const node = this.getNode();
		if (!event) throw new NodeOperationError(node, `Unknown event "${eventValue}"`);
		const filters = validateFilters(node, this.getNodeParameter('filters', {}), 0);
		const simplify = this.getNodeParameter('simplify', true) as boolean;
		const options = this.getNodeParameter('options', {}) as IDataObject;
		const include = validateInclude(node, options.include, 0);

		// A failed read throws here, before the state is touched: the next poll catches up.
		const connection = await openConnection(this, 0);
		const target = { path: event.resource.path, subject: subjectOf(event.resource) };
		// "Fetch Test Event" shows one record to map fields from: one page is enough to find it.
		const manual = this.getMode() === 'manual';
		const { records, included } = await listRecords(this, connection, target, { filters, include, maxPages: manual ? 1 : undefined }, 0);
		const toItems = (list: ResourceObject[]): INodeExecutionData[][] => [
			list.map((record) => ({ json: shapeRecord(record, included, simplify) })),
		];

		if (manual) {
			// "Fetch Test Event": show one real record to map fields from, and remember nothing.
			const sample = mostRecent(records, event.timestampAttribute);
			return sample ? toItems([sample]) : null;
		}

		const staticData = this.getWorkflowStaticData('node');
		const previous = staticData[STATE_KEY] as TriggerState | undefined;
		const signature = JSON.stringify([event.value, filters]);
		const { emit, next } = detect(event.detection, records, previous, signature, event.timestampAttribute);
		staticData[STATE_KEY] = next as unknown as IDataObject;
		// The first poll (or the first after the event or filters changed) only records what exists.
		if (previous?.signature !== signature || !emit.length) return null;
		return toItems(emit);
	}
}
