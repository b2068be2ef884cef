/**
 * The trigger's events as data. Version 3 watches any collection for four kinds of change; versions
 * 1 and 2 keep their three events (new deal, new or updated deal, new activity) with the memory
 * layout they always had. Each event says what it emits and how it remembers.
 */
import { type EnableCollection, findCollection } from '../resources';
import type { Change, FeedSpec, ViewFilter } from './detect';
import type { LegacyLayout } from './state';

/** Version 3's events: the same four for every collection. */
export interface ChangeEvent {
	value: 'new' | 'newOrUpdated' | 'removed' | 'anyChange';
	name: string;
	description: string;
	emits: ReadonlySet<Change>;
	/** The node panel's entry for it, on the default collection. */
	action: string;
}

export const CHANGE_EVENTS: readonly ChangeEvent[] = [
	{
		value: 'new',
		name: 'New',
		description: 'A record whose ID was not seen before',
		emits: new Set<Change>(['created']),
		action: 'On new deal',
	},
	{
		value: 'newOrUpdated',
		name: 'New or Updated',
		description: 'A new record, or a known record whose attributes or relationships changed',
		emits: new Set<Change>(['created', 'updated']),
		action: 'On new or updated deal',
	},
	{
		value: 'removed',
		name: 'Removed',
		description: 'A record that was there at the last complete read and is gone (deleted, or no longer matching the filters)',
		emits: new Set<Change>(['removed']),
		action: 'On removed deal',
	},
	{
		value: 'anyChange',
		name: 'Any Change',
		description: 'Created, updated and removed records in one feed, each marked in _change: what a mirror (sheet, table) needs',
		emits: new Set<Change>(['created', 'updated', 'removed']),
		action: 'On any deal change',
	},
];

export function findChangeEvent(value: string): ChangeEvent | undefined {
	return CHANGE_EVENTS.find((event) => event.value === value);
}

/** The timestamp a collection's records are read by, unless the user picks another: only activity has a known one. */
export const DEFAULT_TIMESTAMP_ATTRIBUTE: Readonly<Record<string, string>> = { activity: 'date' };

export const DEFAULT_LOOKBACK_MINUTES = 10;
export const DEFAULT_FULL_CHECK_HOURS = 24;

/** Version 3's settings of one trigger, read from its parameters. */
export interface ChangeSettings {
	event: ChangeEvent;
	timestampAttribute?: string;
	lookbackMinutes: number;
	fullCheckHours: number;
	trackAttributes: string[];
	onlyTrackedChanges: boolean;
	/** The view's filters. */
	filters?: ViewFilter[];
	/** Options → Start With: the first complete read reports every record as created (default `changes`). */
	startWith?: 'changes' | 'everything';
}

/**
 * How a version-3 trigger remembers: every id (with a print when updates matter), so that a record
 * is new only once, whatever its timestamp does.
 */
export function changeFeedSpec(settings: ChangeSettings): FeedSpec {
	const { event, timestampAttribute } = settings;
	const sees = (change: Change) => event.emits.has(change);
	const byTimestamp = timestampAttribute !== undefined && event.value !== 'removed';
	const tracked = sees('updated') ? settings.trackAttributes : [];
	return {
		memory: 'known',
		prints: sees('updated'),
		emits: event.emits,
		attribute: byTimestamp ? timestampAttribute : undefined,
		lookbackMs: byTimestamp ? settings.lookbackMinutes * 60_000 : 0,
		incremental: byTimestamp,
		fullCheckMs: byTimestamp ? settings.fullCheckHours * 3_600_000 : undefined,
		tracked,
		onlyTracked: tracked.length > 0 && settings.onlyTrackedChanges,
		view: settings.filters ?? [],
		startWithEverything: settings.startWith === 'everything' && sees('created'),
	};
}

/** A version-1/2 event, with its collection and memory. */
export interface LegacyEvent {
	value: string;
	name: string;
	description: string;
	resource: EnableCollection;
	layout: LegacyLayout;
	spec: FeedSpec;
}

const deal = findCollection('deal') as EnableCollection;
const activity = findCollection('activity') as EnableCollection;

const legacySpec = (spec: Partial<FeedSpec> & Pick<FeedSpec, 'memory' | 'emits'>): FeedSpec => ({
	prints: false,
	lookbackMs: 0,
	incremental: false,
	tracked: [],
	onlyTracked: false,
	...spec,
});

export const LEGACY_EVENTS: readonly LegacyEvent[] = [
	{
		value: 'newDeal',
		name: 'New Deal',
		description: 'A deal whose ID was not seen before',
		resource: deal,
		layout: 'ids',
		spec: legacySpec({ memory: 'known', emits: new Set<Change>(['created']) }),
	},
	{
		value: 'updatedDeal',
		name: 'New or Updated Deal',
		description: 'A new deal, or a known deal whose attributes or relationships changed',
		resource: deal,
		layout: 'prints',
		spec: legacySpec({ memory: 'known', prints: true, emits: new Set<Change>(['created', 'updated']) }),
	},
	{
		value: 'newActivity',
		name: 'New Activity',
		description: 'An activity log entry not seen before',
		resource: activity,
		layout: 'watermark',
		// Every entry is read each poll (no sort is relied on); the date is the watermark, ties kept by id.
		spec: legacySpec({ memory: 'window', attribute: 'date', emits: new Set<Change>(['created']) }),
	},
];

export function findLegacyEvent(value: string): LegacyEvent | undefined {
	return LEGACY_EVENTS.find((event) => event.value === value);
}
