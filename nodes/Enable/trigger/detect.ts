/**
 * How the Enable Trigger tells what changed: decisions on an in-memory model of what it remembers,
 * with no I/O. A poll reads one "pass" over the collection, page by page, possibly across several
 * polls when n8n's poll budget runs out. Each record read is compared with what is known; a full
 * pass then lists the known records it did not meet, and each of those is fetched by id before it
 * is called removed (a listing that shifts while it is read can hide a record that still exists).
 * Emitted changes update the model at once, so a change is reported once however a pass is split
 * or restarted.
 *
 * With a timestamp attribute (Changed Since Attribute) most passes are incremental: newest first,
 * down to the watermark less the lookback. The watermark only moves when a pass completes, never
 * past the time that pass started, so a record changed while a read was under way (or stamped ahead
 * by a wrong clock) is read again by the next pass; after a pass of several pages it waits one pass
 * more, for a record the listing skipped. Enable's sort is trusted only once checked after each full
 * read: a page oldest first must run oldest first, and the first page of the next sorted read must
 * hold the newest records that full read found, or each one it lacks must be gone when looked up;
 * that pass completes only once every one is answered.
 *
 * The first complete read of several pages is read twice (the second time a settling read) when it
 * reports nothing: a removal while it was read may have hidden a record from it. Where the view's
 * filters, read here, disagree with Enable's listings and Enable does not filter by id, a record a
 * full read misses is removed only when the next full read misses it too.
 */
import { createHash } from 'crypto';

import type { IDataObject } from 'n8n-workflow';

import { stampOf } from '../timestamps';
import type { ResourceObject } from '../transport/types';

export type Change = 'created' | 'updated' | 'removed';

/** One filter of the watched view, as sent (`filter[attribute]=value`, equality). */
export interface ViewFilter {
	attribute: string;
	value: string;
}

/** What a feed watches for and how it remembers: built from the node's parameters. */
export interface FeedSpec {
	/**
	 * `known`: every id of the collection (with a print when updates matter).
	 * `window`: a timestamp watermark and the ids near it (versions 1 and 2's New Activity).
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
	/** With a timestamp: a full read at least this often, for removals and changes stamped too early. */
	fullCheckMs?: number;
	/** Attributes whose previous values are remembered, to say what changed. */
	tracked: readonly string[];
	/** Updates that changed no tracked attribute are remembered but not emitted. */
	onlyTracked: boolean;
	/** The view's filters: a record fetched by id that no longer matches them has left the view. */
	view?: readonly ViewFilter[];
	/** The first complete read reports every record as created instead of recording it silently. */
	startWithEverything?: boolean;
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

/** How many of the newest records a full read keeps, to check Enable's sort against. */
const SORT_CHECK_SIZE = 50;

export interface Model {
	signature: string;
	/** The JSON:API type of the collection's records (for removed items with Simplify off). */
	type?: string;
	/** Known memory. */
	known?: Map<string, KnownEntry>;
	/** Where incremental reads stop (less the lookback): epoch ms, and its text as Enable wrote it. */
	watermark?: number;
	watermarkText?: string;
	/** Window memory: ids stamped at or after watermark − lookback, with their stamps. */
	window?: Map<string, number>;
	/** Window memory: ids of records without a usable timestamp, from the last full read. */
	untimed?: Set<string>;
	/** When the last full check completed (epoch ms): a full read that reported everything. */
	lastFull?: number;
	/** The attribute the watermark was taken from. */
	attribute?: string;
	/** How far the last complete read reached (its newest stamp, at most its start). */
	lastReached?: number;
	pass?: Pass;
	/** Sorted reads are skipped until then (Enable refused or ignored the sort). */
	noSortUntil?: number;
	/** The newest records of the last full read (id, stamp): the next sorted read checks the sort with them. */
	newest?: Array<[string, number]>;
	/** Since the last full read, Enable's oldest-first page ran oldest first (or Enable refused that order). */
	oldestFirstHeld?: boolean;
	/** A sorted read's first page held the newest records of the last full read: sorted reads are trusted until the next one. */
	sortHeld?: boolean;
	/** The last full read found records without a usable timestamp: reads are full until one finds none. */
	unstamped?: boolean;
	/** Enable's count of the view (meta.total) fell below the records remembered: removals to find, by a full check now. */
	shrunk?: boolean;
	/** Enable refused or ignored `filter[id]`: a record is checked against a filtered view here instead. */
	noIdFilter?: boolean;
	/**
	 * Enable listed a record in the view that the view's filters, read here (`inView`), leave out:
	 * whether a record fetched by id is in the view can then not be decided here.
	 */
	filtersDiffer?: boolean;
	/**
	 * Records a full read did not list, found by id, whose place in the view could not be decided
	 * here: reported removed when the next full read does not list them either.
	 */
	leaving?: string[];
	/** Notices already given (each is said once). */
	said?: string[];
}

/** One read over the collection, from its first page to its last. */
export interface Pass {
	kind: 'full' | 'incremental';
	/** The first pass of a feed: it records what exists (and reports it only with Start With Everything). */
	baseline: boolean;
	/**
	 * The read that follows a silent baseline of several pages, the second half of the first complete
	 * read: a record the baseline missed (one before it removed while Enable paged by offset) is
	 * recorded, not reported as created; updates and removals are reported.
	 */
	settling?: boolean;
	/** When the poll that started the pass began (epoch ms, n8n's clock): the watermark never passes it. */
	startedAt: number;
	/** Where the pass continues (a link Enable gave); undefined before its first page. */
	next?: string;
	/** Pages read since the pass (re)started from its first page. */
	pages: number;
	/** Full pass: ids read in this pass. */
	seen: Set<string>;
	/** Window memory: the stamps of the records read in this pass, at or after the threshold. */
	stamps?: Map<string, number>;
	/** Window memory: ids without a usable timestamp read in this pass. */
	untimed?: Set<string>;
	/** The newest stamp read in this pass, and its text. */
	top?: number;
	topText?: string;
	/**
	 * Incremental: the stamp below which reading stops. Full: when set, records stamped before it are
	 * left for the next full check (a pass that could not read newest first); unset, a full check.
	 */
	threshold?: number;
	/** Full pass: the newest records read (id, stamp), newest first. */
	newest?: Array<[string, number]>;
	/** Some record read lacked a usable timestamp. */
	unstamped?: boolean;
	/** Full pass, its listing read to the end: known ids it did not meet, still to be fetched by id. */
	pending?: string[];
	/**
	 * Incremental pass: the newest records of the last full read that its first page lacked, still
	 * to be looked up: until none is left, Enable's sort is not trusted and the pass does not complete.
	 */
	sortCheck?: string[];
	/** How many records Enable said the view holds (meta.total of the pass's first page), if it said. */
	listed?: number;
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
	/**
	 * The page shows that an incremental pass cannot go on: the listing is not newest first, or
	 * records lack the timestamp. The pass must be read again from its first page as a full pass.
	 */
	restart?: 'unsorted' | 'unstamped';
	/** The first page of a sorted read after a full read: newest records it lacks, to be looked up (`sortChecked`). */
	sortCheck?: string[];
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

/**
 * Whether a record fetched by id still belongs to the watched view: every filter is an equality
 * on an attribute, or on the id of a to-one relationship (`filter[deal]=<id>`), as Enable's
 * `filter[attributeName]=value` reads.
 */
export function inView(record: ResourceObject, view: readonly ViewFilter[] = []): boolean {
	const attributes = (record.attributes ?? {}) as IDataObject;
	const relationships = (record.relationships ?? {}) as Record<string, { data?: unknown } | null>;
	return view.every(({ attribute, value }) => {
		if (attribute === 'id') return String(record.id) === value;
		if (Object.prototype.hasOwnProperty.call(attributes, attribute)) {
			const held = attributes[attribute];
			return held !== null && held !== undefined && typeof held !== 'object' && String(held) === value;
		}
		const linkage = relationships[attribute]?.data as { id?: unknown } | null | undefined;
		return Boolean(linkage && !Array.isArray(linkage) && linkage.id !== undefined && String(linkage.id) === value);
	});
}

/** A full check comes early, for removals Enable's count shows, at most this often. */
const EARLY_FULL_CHECK_MS = 3_600_000;

/** Whether a full check (a full read that reports everything) is due. */
function fullCheckDue(spec: FeedSpec, model: Model, now: number): boolean {
	if (spec.fullCheckMs === undefined) return false;
	const since = model.lastFull === undefined ? Number.POSITIVE_INFINITY : now - model.lastFull;
	return since >= spec.fullCheckMs || (model.shrunk === true && since >= Math.min(spec.fullCheckMs, EARLY_FULL_CHECK_MS));
}

/** The pass a poll starts when none is under way. */
export function planPass(spec: FeedSpec, model: Model, now: number, fresh: boolean): Pass {
	const pass: Pass = { kind: 'full', baseline: fresh, startedAt: now, pages: 0, seen: new Set() };
	if (spec.memory === 'window') {
		// Versions 1 and 2's New Activity: every entry each poll, the date a watermark, ties kept by id.
		pass.stamps = new Map();
		pass.untimed = new Set();
		return pass;
	}
	const timed = spec.attribute !== undefined && model.attribute === spec.attribute && model.watermark !== undefined;
	if (fresh || !timed || fullCheckDue(spec, model, now)) return pass;
	pass.threshold = (model.watermark as number) - spec.lookbackMs;
	const sortRefused = model.noSortUntil !== undefined && now < model.noSortUntil;
	// Newest first only once the sort was checked against a full read (or can be, on this pass's first page).
	if (spec.incremental && !sortRefused && !model.unstamped && (model.newest !== undefined || model.sortHeld)) pass.kind = 'incremental';
	return pass;
}

/**
 * The pass reads again from its first page (Enable refused the link it saved, an expired cursor),
 * forgetting what it read: records read before are compared again, and those already reported are
 * in the model, so nothing is reported twice and nothing changed since is skipped.
 */
export function restartPass(pass: Pass): void {
	pass.next = undefined;
	pass.pages = 0;
	pass.seen = new Set();
	pass.newest = undefined;
	pass.unstamped = undefined;
	pass.pending = undefined;
	pass.sortCheck = undefined;
	if (pass.stamps) pass.stamps = new Map();
	if (pass.untimed) pass.untimed = new Set();
}

/**
 * An incremental pass that cannot trust the listing's order reads everything instead, from the
 * first page, reporting what is stamped since its threshold and deciding removals.
 */
export function readInFull(pass: Pass): void {
	pass.kind = 'full';
	restartPass(pass);
}

/** Without a Full Check Every, a refused or ignored sort is tried again after a day. */
const DEFAULT_SORT_RETRY_MS = 24 * 3_600_000;

/**
 * Enable refused `sort=-<attribute>` or did not honour it: this pass reads everything, and sorted
 * reads wait until the time returned (the next full check, by default).
 */
export function refuseSort(spec: FeedSpec, model: Model, pass: Pass, now: number): number {
	readInFull(pass);
	return distrustSort(spec, model, now);
}

/** Sorted reads are not trusted until the time returned (a full read then checks the sort again). */
function distrustSort(spec: FeedSpec, model: Model, now: number): number {
	model.newest = undefined;
	model.oldestFirstHeld = undefined;
	model.sortHeld = undefined;
	model.noSortUntil = now + (spec.fullCheckMs ?? DEFAULT_SORT_RETRY_MS);
	return model.noSortUntil;
}

/** Whether stamps run newest first (ties allowed). */
function newestFirst(stamps: readonly number[]): boolean {
	for (let index = 1; index < stamps.length; index++) if (stamps[index] > stamps[index - 1]) return false;
	return true;
}

/**
 * Whether Enable's first page for `sort=<attribute>` (oldest first) runs oldest first. Asked before
 * the first newest-first page after a full read: an ignored sort cannot serve both orders, however
 * the records happen to be stored.
 */
export function oldestFirstHolds(model: Model, records: readonly ResourceObject[], attribute: string): boolean {
	const stamps = records.map((record) => stampOf(record, attribute));
	const holds = !stamps.includes(undefined) && newestFirst([...(stamps as number[])].reverse());
	if (holds) model.oldestFirstHeld = true;
	return holds;
}

/**
 * What the first newest-first page after a full read says of Enable's sort (its order was checked
 * by takePage). It must hold the newest records the full read found: those stamped after the page's
 * last record (all of them when the page is the whole listing). A record it lacks is either gone
 * since, or proof that Enable did not sort: the ones returned are to be looked up (`sortChecked`).
 * None missing, and the oldest-first page held too (or Enable refused that order), the sort holds.
 */
function missingNewest(model: Model, records: readonly ResourceObject[], attribute: string, whole: boolean): string[] {
	const stamps = records.map((record) => stampOf(record, attribute) as number);
	const onPage = new Set(records.map((record) => String(record.id)));
	const floor = whole || !stamps.length ? Number.NEGATIVE_INFINITY : stamps[stamps.length - 1];
	const missing = (model.newest ?? []).filter(([id, stamp]) => stamp > floor && !onPage.has(id)).map(([id]) => id);
	if (!missing.length) sortHeld(model);
	return missing;
}

/** Keeps the SORT_CHECK_SIZE newest (id, stamp) pairs, newest first. */
function keepNewest(newest: Array<[string, number]>, id: string, stamp: number): void {
	if (newest.length >= SORT_CHECK_SIZE && stamp <= newest[newest.length - 1][1]) return;
	let at = newest.length;
	while (at > 0 && newest[at - 1][1] < stamp) at--;
	newest.splice(at, 0, [id, stamp]);
	if (newest.length > SORT_CHECK_SIZE) newest.pop();
}

/** A record compared with what is known of it: the model is updated, and what to report is returned. */
function compare(spec: FeedSpec, model: Model, record: ResourceObject, stamp: number | undefined): Emitted | undefined {
	const id = String(record.id);
	const known = (model.known ??= new Map());
	const before = known.get(id);
	const after = entryOf(spec, record);
	known.set(id, after);
	if (!before) return { id, change: 'created', record, stamp };
	const changes = spec.prints ? difference(spec, before, after) : undefined;
	if (!changes) return undefined;
	if (spec.onlyTracked && !changes.changed.some((name) => name !== 'other')) return undefined;
	return spec.tracked.length ? { id, change: 'updated', record, stamp, ...changes } : { id, change: 'updated', record, stamp };
}

/** Whether what a pass finds is reported (a silent baseline, and its settling read's new records, are only recorded). */
function reports(spec: FeedSpec, pass: Pass, change: Change): boolean {
	if (change === 'created' && pass.settling) return false;
	return spec.emits.has(change) && !(pass.baseline && !spec.startWithEverything);
}

/**
 * Compares one page of a pass with the model, updating both; returns what to emit. `whole`: the
 * page has no next; `listed`: the count of the view Enable gave with it (meta.total), if any.
 */
export function takePage(spec: FeedSpec, model: Model, pass: Pass, records: readonly ResourceObject[], whole = false, listed?: number): PageOutcome {
	const outcome: PageOutcome = { emitted: [], done: false };
	if (pass.pages === 0 && listed !== undefined) pass.listed = listed;
	const { attribute } = spec;
	if (records.length && model.type === undefined) model.type = records[0].type;
	const stamps = attribute ? records.map((record) => stampOf(record, attribute)) : [];
	if (attribute && stamps.includes(undefined)) {
		outcome.unstamped = true;
		pass.unstamped = true;
	}
	const firstPage = pass.pages === 0;
	pass.pages++;

	if (pass.kind === 'incremental') {
		// Only a listing whose every page runs newest first can be read down to the watermark.
		if (outcome.unstamped) return { ...outcome, restart: 'unstamped' };
		if (!newestFirst(stamps as number[])) return { ...outcome, restart: 'unsorted' };
		// The first sorted read after a full read checks the sort against it.
		if (firstPage && model.newest) {
			const missing = missingNewest(model, records, attribute as string, whole);
			if (missing.length) outcome.sortCheck = missing;
		}
	}

	records.forEach((record, index) => {
		if (outcome.done) return;
		const stamp = stamps[index];
		const id = String(record.id);
		if (stamp !== undefined && (pass.top === undefined || stamp > pass.top)) {
			pass.top = stamp;
			pass.topText = attributeText(record, attribute as string);
		}
		if (spec.memory === 'window') return takeIntoWindow(spec, model, pass, record, stamp, outcome);
		// Enable listed it in the view: its own reading of the filters, to hold ours against.
		if (spec.view?.length && !model.filtersDiffer && !inView(record, spec.view)) model.filtersDiffer = true;
		if (model.leaving?.includes(id)) model.leaving = model.leaving.filter((leaving) => leaving !== id);
		if (pass.kind === 'full') {
			// A listing that shifts while it is read can show a record twice.
			if (pass.seen.has(id)) return;
			pass.seen.add(id);
			if (stamp !== undefined) keepNewest((pass.newest ??= []), id, stamp);
		}
		if (pass.threshold !== undefined && stamp !== undefined && stamp < pass.threshold) {
			// Stamped before the watermark's lookback: read before (newest first, so is all that
			// follows), or, in a pass that cannot read newest first, left for the next full check.
			if (pass.kind === 'incremental') outcome.done = true;
			return;
		}
		const change = compare(spec, model, record, stamp);
		if (change && reports(spec, pass, change.change)) outcome.emitted.push(change);
	});
	return outcome;
}

function takeIntoWindow(spec: FeedSpec, model: Model, pass: Pass, record: ResourceObject, stamp: number | undefined, outcome: PageOutcome): void {
	const id = String(record.id);
	const emit = () => {
		if (reports(spec, pass, 'created')) outcome.emitted.push({ id, change: 'created', record, stamp });
	};
	if (stamp === undefined) {
		// Records without a timestamp are told apart by id.
		if (!pass.untimed || pass.untimed.has(id)) return;
		pass.untimed.add(id);
		// The first time any are met, there is nothing to compare with: they are recorded, not emitted.
		if (model.untimed && !model.untimed.has(id)) emit();
		return;
	}
	const threshold = model.watermark !== undefined ? model.watermark - spec.lookbackMs : Number.NEGATIVE_INFINITY;
	if (stamp < threshold) return;
	const stamps = pass.stamps as Map<string, number>;
	if (stamps.has(id)) return;
	stamps.set(id, stamp);
	// An id remembered without a timestamp that now has one is not new.
	if (!model.window?.has(id) && !model.untimed?.has(id)) emit();
}

/**
 * The first page of a sorted read lacked some of the newest records of the last full read, and
 * those were looked up: `stillThere` says whether any is still in the view. If so, Enable did not
 * sort; if all are gone, the sort holds.
 */
export function sortChecked(model: Model, stillThere: boolean): boolean {
	if (!stillThere) sortHeld(model);
	return !stillThere;
}

/** A sorted read's first page held every record it had to: the sort holds until the next full read. */
function sortHeld(model: Model): void {
	model.newest = undefined;
	model.oldestFirstHeld = undefined;
	model.sortHeld = true;
}

/**
 * A full pass read its listing to the end: the known records it did not meet are listed to be
 * fetched by id (`confirm`). An incremental pass has none.
 */
export function listingEnded(model: Model, pass: Pass): void {
	pass.pending = pass.kind !== 'full' || !model.known || pass.baseline ? [] : [...model.known.keys()].filter((id) => !pass.seen.has(id));
}

/**
 * Whether a record fetched by id is in the view: Enable's own word (`foundInView`, the view's listing
 * with `filter[id]`), or the view's filters read here while they agree with Enable's listings;
 * undefined when neither can say.
 */
export function inTheView(spec: FeedSpec, model: Model, found: ResourceObject, foundInView: boolean): boolean | undefined {
	if (foundInView || !spec.view?.length) return true;
	return model.filtersDiffer ? undefined : inView(found, spec.view);
}

/**
 * A known record the listing did not show, fetched by id: gone (404/410, or `undefined`) or found.
 * Found outside the view, it left the view: removed from it. Found in the view, the listing skipped
 * it (records before it were removed while it was read): it is compared like any record read.
 * Found where neither Enable nor the filters read here can place it, it is removed only when the
 * next full read does not list it either. `foundInView` says Enable itself found it in the view.
 */
export function confirm(spec: FeedSpec, model: Model, pass: Pass, id: string, found: ResourceObject | undefined, foundInView = false): Emitted | undefined {
	pass.pending = (pass.pending ?? []).filter((pending) => pending !== id);
	const known = model.known as Map<string, KnownEntry>;
	const placed = found ? inTheView(spec, model, found, foundInView) : false;
	if (placed === undefined && !model.leaving?.includes(id)) {
		model.leaving = [...(model.leaving ?? []), id];
		return undefined;
	}
	// Decided now, or undecided for the second full read in a row: no longer waiting.
	if (model.leaving?.includes(id)) model.leaving = model.leaving.filter((leaving) => leaving !== id);
	if (!placed || !found) {
		known.delete(id);
		return reports(spec, pass, 'removed') ? { id, change: 'removed' } : undefined;
	}
	pass.seen.add(id);
	const stamp = spec.attribute ? stampOf(found, spec.attribute) : undefined;
	if (pass.threshold !== undefined && stamp !== undefined && stamp < pass.threshold) return undefined;
	const change = compare(spec, model, found, stamp);
	return change && reports(spec, pass, change.change) ? change : undefined;
}

/**
 * The pass that goes straight on after a completed one, if any. A silent baseline of several pages
 * is read a second time (a settling read), since a removal while it was read may have hidden a
 * record from it. After the first complete read, the first sorted read checks Enable's sort at once.
 */
export function followUp(spec: FeedSpec, model: Model, completed: Pass, now: number): Pass | undefined {
	if (!completed.baseline && !completed.settling) return undefined;
	if (completed.baseline && completed.pages > 1 && spec.memory === 'known' && !spec.startWithEverything) {
		return { kind: 'full', baseline: false, settling: true, startedAt: now, pages: 0, seen: new Set() };
	}
	if (model.newest === undefined) return undefined;
	const next = planPass(spec, model, now, false);
	return next.kind === 'incremental' ? next : undefined;
}

/** Ends a pass whose listing was read and whose missing records were all confirmed: moves the watermark. */
export function completePass(spec: FeedSpec, model: Model, pass: Pass, now: number): void {
	if (model.attribute !== spec.attribute) {
		// A watermark of another attribute says nothing about this one.
		model.watermark = undefined;
		model.watermarkText = undefined;
	}
	if (pass.top !== undefined) {
		// Never past the pass's own start: what changed while it read, or is stamped ahead, is read again.
		const reached = Math.min(pass.top, pass.startedAt);
		// A read of several pages may have skipped a record (one before it was removed meanwhile, and
		// Enable pages by offset): the next read goes back as far as the one before, a second chance.
		// (Versions 1 and 2's New Activity keeps its layout, which has no room for it, and reads an
		// append-only log in full every poll.)
		const lagged = pass.pages > 1 && !pass.baseline && spec.memory === 'known';
		const proven = lagged ? Math.min(reached, model.lastReached ?? Number.NEGATIVE_INFINITY) : reached;
		if (spec.memory === 'known') model.lastReached = reached;
		if (proven > Number.NEGATIVE_INFINITY && (model.watermark === undefined || proven > model.watermark)) {
			model.watermark = proven;
			model.watermarkText = proven === pass.top ? pass.topText : new Date(proven).toISOString();
		}
	}
	model.attribute = spec.attribute;
	if (spec.memory === 'window') {
		const from = (model.watermark ?? Number.NEGATIVE_INFINITY) - spec.lookbackMs;
		const window = new Map<string, number>();
		for (const source of [model.window, pass.stamps]) for (const [id, stamp] of source ?? []) if (stamp >= from) window.set(id, stamp);
		model.window = window;
		model.untimed = pass.untimed;
	} else if (pass.kind === 'incremental') {
		// Fewer records in the view than remembered: some were removed, which only a full read finds.
		if (pass.listed !== undefined && model.known && pass.listed < model.known.size) model.shrunk = true;
	} else {
		if (pass.threshold === undefined) model.shrunk = undefined;
		if (spec.attribute) {
			model.unstamped = pass.unstamped ? true : undefined;
			// Each full read checks the sort again, against what it found.
			model.newest = pass.newest ?? [];
			model.oldestFirstHeld = undefined;
			model.sortHeld = undefined;
		}
		if (pass.threshold === undefined) model.lastFull = now;
	}
	model.pass = undefined;
}

/**
 * The order a poll's items go out in: records oldest first where they carry a timestamp (otherwise
 * as Enable listed them), removals last. A record reported twice in one poll (it changed between
 * two pages of one read) keeps its changes in the order they happened, at the place of its first.
 */
export function inEmitOrder(emitted: Emitted[]): Emitted[] {
	const order = new Map(emitted.map((entry, index) => [entry, index]));
	const first = new Map<string, Emitted>();
	for (const entry of emitted) if (!first.has(entry.id)) first.set(entry.id, entry);
	const stamped = emitted.every((entry) => entry.change === 'removed' || entry.stamp !== undefined);
	const at = (entry: Emitted) => order.get(entry) as number;
	return [...emitted].sort((a, b) => {
		const removal = Number(a.change === 'removed') - Number(b.change === 'removed');
		if (removal) return removal;
		const firstOfA = first.get(a.id) as Emitted;
		const firstOfB = first.get(b.id) as Emitted;
		if (stamped && firstOfA !== firstOfB && firstOfA.stamp !== undefined && firstOfB.stamp !== undefined && firstOfA.stamp !== firstOfB.stamp) {
			return firstOfA.stamp - firstOfB.stamp;
		}
		return at(firstOfA) - at(firstOfB) || at(a) - at(b);
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
