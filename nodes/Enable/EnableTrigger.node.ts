import {
	type IDataObject,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type IPollFunctions,
	NodeConnectionTypes,
	NodeOperationError,
} from 'n8n-workflow';

import { loadOptions } from './methods/loadOptions';
import { type EnableCollection, findCollection } from './resources';
import { shapeRecord } from './simplify';
import type { Emitted } from './trigger/detect';
import { TRIGGER_SUBTITLE, triggerProperties } from './trigger/description';
import { type ChangeSettings, changeFeedSpec, DEFAULT_FULL_CHECK_HOURS, DEFAULT_LOOKBACK_MINUTES, DEFAULT_TIMESTAMP_ATTRIBUTE, findChangeEvent, findLegacyEvent } from './trigger/feeds';
import { type Feed, pollFeed } from './trigger/poll';
import { packLegacy, packV3, unpackLegacy, unpackV3 } from './trigger/state';
import type { IncludedIndex } from './transport/paging';
import { validateAttributeName, validateFilters, validateInclude, validateNames, validateNumber } from './validation';

function unknownChoice(context: IPollFunctions, what: string, value: string): never {
	throw new NodeOperationError(context.getNode(), `Unknown ${what} "${value}"`, {
		description: 'Open the trigger and pick one from the list.',
		failure: { cause: 'configuration-invalid' },
	});
}

/** The parameters every version has: filters, options (Include Related among them) and Simplify. */
function sharedParameters(context: IPollFunctions) {
	const node = context.getNode();
	const options = context.getNodeParameter('options', {}) as IDataObject;
	return {
		filters: validateFilters(node, context.getNodeParameter('filters', {}), 0),
		options,
		include: validateInclude(node, options.include, 0),
		simplify: context.getNodeParameter('simplify', true) as boolean,
	};
}

/** Versions 1 and 2: three events on deals and activity, items as the Enable node shapes them. */
function legacyFeed(context: IPollFunctions): Feed {
	const value = context.getNodeParameter('event') as string;
	const event = findLegacyEvent(value) ?? unknownChoice(context, 'event', value);
	const { filters, include, simplify } = sharedParameters(context);
	return {
		collection: event.resource,
		spec: { ...event.spec, view: filters },
		filters,
		include,
		signature: JSON.stringify([event.value, filters]),
		load: (stored) => unpackLegacy(stored, event.layout),
		save: (model) => packLegacy(model, event.layout),
		shape: (change: Emitted, included: IncludedIndex) => shapeRecord(change.record as never, included, simplify),
	};
}

function startWithOf(context: IPollFunctions, raw: unknown): NonNullable<ChangeSettings['startWith']> {
	if (raw === undefined || raw === '' || raw === 'changes') return 'changes';
	if (raw === 'everything') return 'everything';
	return unknownChoice(context, 'Start With', String(raw));
}

/** Version 3: any collection, four events, and every item marked with what happened to it. */
function changeFeed(context: IPollFunctions): Feed {
	const node = context.getNode();
	const resource = context.getNodeParameter('resource') as string;
	const collection: EnableCollection = findCollection(resource) ?? unknownChoice(context, 'resource', resource);
	const eventValue = context.getNodeParameter('event') as string;
	const event = findChangeEvent(eventValue) ?? unknownChoice(context, 'event', eventValue);
	const { filters, options, include, simplify } = sharedParameters(context);
	const timestampAttribute = validateAttributeName(node, 'Changed Since Attribute', options.timestampAttribute ?? DEFAULT_TIMESTAMP_ATTRIBUTE[collection.value] ?? '');
	const settings: ChangeSettings = {
		event,
		timestampAttribute,
		lookbackMinutes: validateNumber(node, 'Lookback (Minutes)', options.lookbackMinutes ?? DEFAULT_LOOKBACK_MINUTES, { min: 0 }),
		fullCheckHours: validateNumber(node, 'Full Check Every (Hours)', options.fullCheckHours ?? DEFAULT_FULL_CHECK_HOURS, { min: 0.1 }),
		trackAttributes: validateNames(node, 'Track Attributes', options.trackAttributes),
		onlyTrackedChanges: options.onlyTrackedChanges === true,
		filters,
		startWith: startWithOf(context, options.startWith),
	};
	const spec = changeFeedSpec(settings);
	return {
		collection,
		spec,
		filters,
		include,
		// The last slot held the timestamp of a window memory, which version 3 no longer keeps: always
		// null now, and kept, so that a memory saved before is still taken for the same feed.
		signature: JSON.stringify(['v3', collection.value, event.value, filters, include ?? [], spec.tracked, null]),
		load: unpackV3,
		save: packV3,
		shape: (change: Emitted, included: IncludedIndex, type: string | undefined) => {
			if (change.change === 'removed') return simplify ? { id: change.id, _change: 'removed' } : { id: change.id, type: type ?? collection.type, _change: 'removed' };
			const item: IDataObject = { ...shapeRecord(change.record as never, included, simplify), _change: change.change };
			if (change.changed) item._changed = change.changed;
			if (change.previous) item._previous = change.previous;
			return item;
		},
	};
}

export class EnableTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Enable Trigger',
		name: 'enableTrigger',
		icon: { light: 'file:enable.svg', dark: 'file:enable.dark.svg' },
		group: ['trigger'],
		// Version 3 watches any collection for new, updated and removed records; 2 picks filter
		// attributes from a list; 1 types them. Saved workflows keep their version's behaviour.
		version: [1, 2, 3],
		defaultVersion: 3,
		subtitle: TRIGGER_SUBTITLE,
		// n8n shows this text for the whole Enable entry of its node panel, actions included.
		description:
			'Enable rebate and deal management: read deals, earnings, trading partners, activity, users and reports, or start a workflow when a record of any Enable collection is added, changed or removed',
		defaults: { name: 'Enable Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'enableApi', required: true }],
		properties: triggerProperties,
	};

	methods = { loadOptions };

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const feed = this.getNode().typeVersion >= 3 ? changeFeed(this) : legacyFeed(this);
		return await pollFeed(this, feed);
	}
}
