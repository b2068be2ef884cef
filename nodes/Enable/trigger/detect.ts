/**
 * How the Enable Trigger tells what changed: decisions on an in-memory model of what it remembers,
 * with no I/O. A poll reads one "pass" over the collection, page by page, possibly across several
 * polls when n8n's poll budget runs out; each page's records are compared with what is known, and
 * a complete full pass decides removals. Emitted changes update the model at once, so a change is
 * reported once however a pass is split or restarted.
 */
import { createHash } from 'crypto';

import type { IDataObject } from 'n8n-workflow';

import type { ResourceObject } from '../transport/types';

export type Change = 'created' | 'updated' | 'removed';

/** What a feed watches for and how it remembers: built from the node's parameters. */
export interface FeedSpec {
	/**
	 * `known`: every id of the last complete read (with a print when updates matter).
	 * `window`: a timestamp watermark and the ids near it (new records only, compact however large the collection).
	 */
	memory: 'known' | 'window';
	/** Known memory: whether to keep a fingerprint of each record, to see updates. */
	prints: boolean;
	emits: ReadonlySet<Change>;
	/** Attribute holding a timestamp: the watermark, and the sort of incremental reads. */
	attribute?: string;
	/** Records stamped up to this long before the watermark are read again (late arrivals). */
	lookbackMs: number;
	/** Whether polls may read newest-first and stop at the watermark (`sort=-<attribute>`). */
	incremental: boolean;
	/** Known memory with incremental reads: a full read at least this often, for removals and unstamped changes. */
	fullCheckMs?: number;
	/** Attributes whose previous values are remembered, to say what changed. */
	tracked: readonly string[];
	/** Updates that changed no tracked attribute are remembered but not emitted. */
	onlyTracked: boolean;
}

/** What is remembered of one record in known memory. */
export interface KnownEntry {
	/** Fingerprint of the record's content, tracked attributes excepted. */
	print?: string;
	/** The tracked attributes' values, in the spec's order; ABSENT where the record had none. */
	values?: unknown[];
}

/** Marks a tracked attribute a record did not have (JSON has no undefined). */
export const ABSENT = Symbol('absent');

export interface Model {
	signature: string;
	/** The JSON:API type of the collection's records (for removed items with Simplify off). */
	type?: string;
	/** Known memory. */
	known?: Map<string, KnownEntry>;
	/** The newest timestamp seen (epoch ms), and its text as Enable wrote it. */
	watermark?: number;
	watermarkText?: string;
	/** Window memory: ids stamped at or after watermark − lookback, with their stamps. */
	window?: Map<string, number>;
	/** Window memory: ids of records without a usable timestamp, from the last full read. */
	untimed?: Set<string>;
	/** When the last full pass completed (epoch ms). */
	lastFull?: number;
	/** The attribute the watermark was taken from. */
	attribute?: string;
	pass?: Pass;
	/** Sorted reads are skipped until then (Enable refused the sort). */
	noSortUntil?: number;
	/** Notices already given (each is said once). */
	said?: string[];
}

/** One read over the collection, from its first page to its last. */
export interface Pass {
	kind: 'full' | 'incremental';
	/** The first pass of a feed: it records what exists and emits nothing. */
	baseline: boolean;
	/** Where the pass continues (a link Enable gave); undefined before its first page. */
	next?: string;
	/** Ids read in this pass. */
	seen: Set<string>;
	/** Window memory: the stamps of the records read in this pass, at or after the threshold. */
	stamps?: Map<string, number>;
	/** Window memory, full pass: ids without a usable timestamp read in this pass. */
	untimed?: Set<string>;
	/** The newest stamp read in this pass, and its text. */
	top?: number;
	topText?: string;
	/** Incremental pass: the last stamp read (the order check), and the stamp below which reading stops (none: read to the end). */
	last?: number;
	threshold?: number;
}

export interface Emitted {
	id: string;
	change: Change;
	record?: ResourceObject;
	/** The record's stamp, for ordering. */
	stamp?: number;
	/** Updated items with tracked attributes: which changed ("other" for the rest), and their previous values. */
	changed?: string[];
	previous?: IDataObject;
}

export interface PageOutcome {
	emitted: Emitted[];
	/** The pass has read all it needs (an incremental pass reached the watermark). */
	done: boolean;
	/** Why an incremental pass turned into a full one on this page, if it did. */
	fellBack?: 'unsorted' | 'unstamped';
	/** Records on this page lack a usable timestamp, so polls cannot read only what changed. */
	unstamped?: boolean;
}

/** A short fingerprint of what a user would call a record's content (its attributes and relationships). */
export function fingerprint(record: ResourceObject, leaveOut: readonly string[] = []): string {
	let attributes = (record.attributes ?? null) as IDataObject | null;
	if (attributes && leaveOut.length) {
		attributes = { ...attributes };
		for (const name of leaveOut) delete attributes[name];
	}
	const content = JSON.stringify([attributes, record.relationships ?? null]);
	return createHash('sha1').update(content).digest('base64').slice(0, 8);
}

/** The record's timestamp in epoch ms, when the attribute holds a date-time Date.parse reads. */
export function stampOf(record: ResourceObject, attribute: string): number | undefined {
	const value = (record.attributes as IDataObject | undefined)?.[attribute];
	if (typeof value !== 'string') return undefined;
	const time = Date.parse(value);
	return Number.isNaN(time) ? undefined : time;
}

function attributeText(record: ResourceObject, attribute: string): string {
	return String((record.attributes as IDataObject)[attribute]);
}

export function trackedValues(record: ResourceObject, tracked: readonly string[]): unknown[] {
	const attributes = (record.attributes ?? {}) as IDataObject;
	return tracked.map((name) => (Object.prototype.hasOwnProperty.call(attributes, name) ? attributes[name] : ABSENT));
}

const sameValue = (a: unknown, b: unknown) => a === b || (a !== ABSENT && b !== ABSENT && JSON.stringify(a) === JSON.stringify(b));

/** What a record in known memory is remembered as. */
export function entryOf(spec: FeedSpec, record: ResourceObject): KnownEntry {
	if (!spec.prints) return {};
	const entry: KnownEntry = { print: fingerprint(record, spec.tracked) };
	if (spec.tracked.length) entry.values = trackedValues(record, spec.tracked);
	return entry;
}

/**
 * How a record differs from what was remembered of it: undefined when it does not; else the tracked
 * attributes that changed (in the spec's order, "other" when anything else did) and their previous values.
 */
export function difference(spec: FeedSpec, before: KnownEntry, after: KnownEntry): { changed: string[]; previous: IDataObject } | undefined {
	const changed: string[] = [];
	const previous: IDataObject = {};
	// A record remembered before its attributes were tracked has no values: they count as absent.
	const valueIn = (entry: KnownEntry, index: number) => (entry.values && index < entry.values.length ? entry.values[index] : ABSENT);
	spec.tracked.forEach((name, index) => {
		const old = valueIn(before, index);
		if (!sameValue(old, valueIn(after, index))) {
			changed.push(name);
			previous[name] = old === ABSENT ? null : (old as IDataObject[string]);
		}
	});
	if (before.print !== after.print) changed.push('other');
	return changed.length ? { changed, previous } : undefined;
}

/** The pass a poll starts when none is under way. */
export function planPass(spec: FeedSpec, model: Model, now: number, fresh: boolean): Pass {
	const pass: Pass = { kind: 'full', baseline: fresh, seen: new Set() };
	const canSort = spec.incremental && spec.attribute !== undefined && !(model.noSortUntil !== undefined && now < model.noSortUntil);
	if (spec.memory === 'window') {
		pass.stamps = new Map();
		// Records without a timestamp are only found by reading everything.
		if (canSort && !model.untimed?.size) pass.kind = 'incremental';
		if (pass.kind === 'full') pass.untimed = new Set();
	} else if (canSort && !fresh && model.attribute === spec.attribute && model.watermark !== undefined) {
		const due = spec.fullCheckMs !== undefined && (model.lastFull === undefined || now - model.lastFull >= spec.fullCheckMs);
		if (!due) pass.kind = 'incremental';
	}
	if (pass.kind === 'incremental' && model.watermark !== undefined) pass.threshold = model.watermark - spec.lookbackMs;
	return pass;
}

/** An incremental pass that cannot trust its order reads on as a full pass: nothing read is lost. */
function fallBackToFull(spec: FeedSpec, pass: Pass): void {
	pass.kind = 'full';
	pass.threshold = undefined;
	if (spec.memory === 'window') pass.untimed ??= new Set();
}

/**
 * Enable refused the link a pass saved (an expired cursor): the pass reads again from its first
 * page. What it emitted is in the model already, so nothing is emitted twice; a full pass forgets
 * what it saw, since removals may only be decided from one complete read.
 */
export function restartPass(pass: Pass): void {
	pass.next = undefined;
	pass.last = undefined;
	if (pass.kind === 'full') pass.seen = new Set();
}

/** Without a Full Check Every (New by a timestamp), a refused sort is tried again after a day. */
const DEFAULT_SORT_RETRY_MS = 24 * 3_600_000;

/** Enable refused `sort=-<attribute>`: this pass reads everything; sorted reads wait until the time returned. */
export function refuseSort(spec: FeedSpec, model: Model, pass: Pass, now: number): number {
	fallBackToFull(spec, pass);
	model.noSortUntil = now + (spec.fullCheckMs ?? DEFAULT_SORT_RETRY_MS);
	return model.noSortUntil;
}

/** Compares one page of a pass with the model, updating both; returns what to emit. */
export function takePage(spec: FeedSpec, model: Model, pass: Pass, records: readonly ResourceObject[]): PageOutcome {
	const outcome: PageOutcome = { emitted: [], done: false };
	const { attribute } = spec;
	if (records.length && model.type === undefined) model.type = records[0].type;
	const stamps = attribute ? records.map((record) => stampOf(record, attribute)) : [];
	if (spec.incremental && stamps.includes(undefined)) outcome.unstamped = true;

	if (pass.kind === 'incremental' && attribute) {
		// Newest first is what Enable was asked for; a page that is not (or lacks stamps) is read as part of a full pass.
		let previous = pass.last;
		for (const stamp of stamps) {
			if (stamp === undefined) {
				outcome.fellBack = 'unstamped';
				break;
			}
			if (previous !== undefined && stamp > previous) {
				outcome.fellBack = 'unsorted';
				break;
			}
			previous = stamp;
		}
		if (outcome.fellBack) fallBackToFull(spec, pass);
		else pass.last = previous;
		// A baseline without a watermark yet reads back from the newest record.
		if (pass.kind === 'incremental' && pass.baseline && pass.threshold === undefined && stamps.length) pass.threshold = (stamps[0] as number) - spec.lookbackMs;
	}

	records.forEach((record, index) => {
		const stamp = stamps[index];
		const id = String(record.id);
		if (stamp !== undefined && (pass.top === undefined || stamp > pass.top)) {
			pass.top = stamp;
			pass.topText = attributeText(record, attribute as string);
		}
		if (pass.kind === 'incremental' && pass.threshold !== undefined && (stamp as number) < pass.threshold) {
			// Sorted newest first: this and everything after it was read before.
			outcome.done = true;
			return;
		}
		const emit = (entry: Omit<Emitted, 'id' | 'record' | 'stamp'>) => {
			if (!pass.baseline && spec.emits.has(entry.change)) outcome.emitted.push({ id, record, stamp, ...entry });
		};
		if (spec.memory === 'window') {
			takeIntoWindow(spec, model, pass, id, stamp, emit);
			return;
		}
		// Offset paging can show a record twice in one pass when records are added meanwhile.
		if (pass.seen.has(id)) return;
		pass.seen.add(id);
		const known = (model.known ??= new Map());
		const before = known.get(id);
		const after = entryOf(spec, record);
		known.set(id, after);
		if (!before) return emit({ change: 'created' });
		const changes = spec.prints ? difference(spec, before, after) : undefined;
		if (!changes) return;
		const trackedChanged = changes.changed.some((name) => name !== 'other');
		if (spec.onlyTracked && !trackedChanged) return;
		emit(spec.tracked.length ? { change: 'updated', ...changes } : { change: 'updated' });
	});
	return outcome;
}

function takeIntoWindow(
	spec: FeedSpec,
	model: Model,
	pass: Pass,
	id: string,
	stamp: number | undefined,
	emit: (entry: { change: Change }) => void,
): void {
	if (stamp === undefined) {
		// Only a full pass meets records without a timestamp: they are told apart by id.
		if (!pass.untimed || pass.untimed.has(id)) return;
		pass.untimed.add(id);
		// The first time any are met, there is nothing to compare with: they are recorded, not emitted.
		if (model.untimed && !model.untimed.has(id)) emit({ change: 'created' });
		return;
	}
	const threshold = model.watermark !== undefined ? model.watermark - spec.lookbackMs : Number.NEGATIVE_INFINITY;
	if (stamp < threshold) return;
	const stamps = pass.stamps as Map<string, number>;
	if (stamps.has(id)) return;
	stamps.set(id, stamp);
	// An id remembered without a timestamp that now has one is not new.
	if (!model.window?.has(id) && !model.untimed?.has(id)) emit({ change: 'created' });
}

/** Ends a pass that read its last page: moves the watermark and, for a full pass, decides removals. */
export function completePass(spec: FeedSpec, model: Model, pass: Pass, now: number): Emitted[] {
	const removed: Emitted[] = [];
	if (model.attribute !== spec.attribute) {
		// A watermark of another attribute says nothing about this one.
		model.watermark = undefined;
		model.watermarkText = undefined;
	}
	if (pass.top !== undefined && (model.watermark === undefined || pass.top > model.watermark)) {
		model.watermark = pass.top;
		model.watermarkText = pass.topText;
	}
	model.attribute = spec.attribute;
	if (spec.memory === 'window') {
		const from = (model.watermark ?? Number.NEGATIVE_INFINITY) - spec.lookbackMs;
		const window = new Map<string, number>();
		for (const source of [model.window, pass.stamps]) for (const [id, stamp] of source ?? []) if (stamp >= from) window.set(id, stamp);
		model.window = window;
		if (pass.kind === 'full') model.untimed = pass.untimed;
	} else if (pass.kind === 'full') {
		const known = (model.known ??= new Map());
		for (const id of [...known.keys()]) {
			if (pass.seen.has(id)) continue;
			known.delete(id);
			if (!pass.baseline && spec.emits.has('removed')) removed.push({ id, change: 'removed' });
		}
	}
	if (pass.kind === 'full') model.lastFull = now;
	model.pass = undefined;
	return removed;
}

/**
 * The order a poll's items go out in: created and updated records oldest first where they carry
 * a timestamp (otherwise as Enable listed them), removals last.
 */
export function inEmitOrder(emitted: Emitted[]): Emitted[] {
	const order = new Map(emitted.map((entry, index) => [entry, index]));
	const stamped = emitted.every((entry) => entry.change === 'removed' || entry.stamp !== undefined);
	return [...emitted].sort((a, b) => {
		const removal = Number(a.change === 'removed') - Number(b.change === 'removed');
		if (removal) return removal;
		if (stamped && a.stamp !== undefined && b.stamp !== undefined && a.stamp !== b.stamp) return a.stamp - b.stamp;
		return (order.get(a) as number) - (order.get(b) as number);
	});
}

/** The record a "Fetch Test Event" shows: the newest by timestamp when there is one, else the last listed. */
export function mostRecent(records: readonly ResourceObject[], attribute?: string): ResourceObject | undefined {
	if (!records.length) return undefined;
	if (attribute) {
		let best: ResourceObject | undefined;
		let bestTime = Number.NEGATIVE_INFINITY;
		for (const record of records) {
			const time = stampOf(record, attribute);
			if (time !== undefined && time >= bestTime) {
				best = record;
				bestTime = time;
			}
		}
		if (best) return best;
	}
	return records[records.length - 1];
}
