/**
 * How the trigger's memory is stored in the workflow's static data: compact JSON (ids, 8-character
 * fingerprints and tracked values, never records). Version 3 has its own layout; versions 1 and 2
 * keep the layout they always had, so their saved workflows read their memory unchanged.
 */
import type { IDataObject } from 'n8n-workflow';

import { ABSENT, type KnownEntry, type Model, type Pass } from './detect';

/** The static-data key every version keeps its memory under. */
export const STATE_KEY = 'enableTrigger';

const PRINT_LENGTH = 8;

/** Ids joined by commas (the smallest form), or a list when an id holds a comma. */
type IdList = string | string[];

function packIds(ids: Iterable<string>): IdList {
	const list = [...ids];
	return list.some((id) => id.includes(',')) ? list : list.join(',');
}

function unpackIds(packed: unknown): string[] {
	if (Array.isArray(packed)) return packed.map(String);
	return typeof packed === 'string' && packed !== '' ? packed.split(',') : [];
}

interface StoredPass {
	k: 'f' | 'i';
	b?: 1;
	/** When the pass started (epoch ms). */
	at?: number;
	next?: string;
	pg?: number;
	seen?: IdList;
	st?: IdList;
	stts?: number[];
	unt?: IdList;
	top?: number;
	topt?: string;
	thr?: number;
	/** The newest records read (ids and stamps), for the sort check. */
	nw?: IdList;
	nwts?: number[];
	/** A record without a usable timestamp was read. */
	us?: 1;
	/** Known ids the listing did not show, still to be fetched by id. */
	pend?: IdList;
	/** Records of the sort check still to be looked up. */
	sc?: IdList;
	/** Enable's count of the view, from the pass's first page. */
	ls?: number;
	/** The second read of the first complete read: records it meets are recorded, not reported as created. */
	stl?: 1;
}

/** (id, stamp) pairs as two columns. */
function packPairs(pairs: ReadonlyArray<[string, number]>): { ids: IdList; stamps: number[] } {
	return { ids: packIds(pairs.map(([id]) => id)), stamps: pairs.map(([, stamp]) => stamp) };
}

function unpackPairs(ids: unknown, stamps: unknown): Array<[string, number]> {
	const times = Array.isArray(stamps) ? stamps : [];
	return unpackIds(ids).map((id, index) => [id, Number(times[index])]);
}

function packPass(pass: Pass): StoredPass {
	const stored: StoredPass = { k: pass.kind === 'full' ? 'f' : 'i', at: pass.startedAt, seen: packIds(pass.seen) };
	if (pass.baseline) stored.b = 1;
	if (pass.settling) stored.stl = 1;
	if (pass.next !== undefined) stored.next = pass.next;
	if (pass.pages) stored.pg = pass.pages;
	if (pass.stamps) {
		stored.st = packIds(pass.stamps.keys());
		stored.stts = [...pass.stamps.values()];
	}
	if (pass.untimed) stored.unt = packIds(pass.untimed);
	if (pass.top !== undefined) {
		stored.top = pass.top;
		stored.topt = pass.topText;
	}
	if (pass.threshold !== undefined) stored.thr = pass.threshold;
	if (pass.newest) {
		const { ids, stamps } = packPairs(pass.newest);
		stored.nw = ids;
		stored.nwts = stamps;
	}
	if (pass.unstamped) stored.us = 1;
	if (pass.pending) stored.pend = packIds(pass.pending);
	if (pass.sortCheck) stored.sc = packIds(pass.sortCheck);
	if (pass.listed !== undefined) stored.ls = pass.listed;
	return stored;
}

function unpackPass(stored: StoredPass | undefined): Pass | undefined {
	if (!stored || typeof stored !== 'object') return undefined;
	const pass: Pass = {
		kind: stored.k === 'i' ? 'incremental' : 'full',
		baseline: stored.b === 1,
		startedAt: typeof stored.at === 'number' ? stored.at : 0,
		pages: typeof stored.pg === 'number' ? stored.pg : 0,
		seen: new Set(unpackIds(stored.seen)),
	};
	if (stored.stl === 1) pass.settling = true;
	if (typeof stored.next === 'string') pass.next = stored.next;
	if (stored.st !== undefined) {
		const stamps = stored.stts ?? [];
		pass.stamps = new Map(unpackIds(stored.st).map((id, index) => [id, Number(stamps[index])]));
	}
	if (stored.unt !== undefined) pass.untimed = new Set(unpackIds(stored.unt));
	if (typeof stored.top === 'number') {
		pass.top = stored.top;
		pass.topText = stored.topt;
	}
	if (typeof stored.thr === 'number') pass.threshold = stored.thr;
	if (stored.nw !== undefined) pass.newest = unpackPairs(stored.nw, stored.nwts);
	if (stored.us === 1) pass.unstamped = true;
	if (stored.pend !== undefined) pass.pending = unpackIds(stored.pend);
	if (stored.sc !== undefined) pass.sortCheck = unpackIds(stored.sc);
	if (typeof stored.ls === 'number') pass.listed = stored.ls;
	return pass;
}

/**
 * The notices, refused sort and filter, how far the view's filters can be read here, records
 * that seem to have left the view, and the unfinished pass: every version's layout may carry them.
 */
function packShared(model: Model, stored: IDataObject): IDataObject {
	if (model.pass) stored.pass = packPass(model.pass) as unknown as IDataObject;
	if (model.said?.length) stored.said = model.said;
	if (model.noSortUntil !== undefined) stored.nosort = model.noSortUntil;
	if (model.noIdFilter) stored.nif = 1;
	if (model.filtersDiffer) stored.fd = 1;
	if (model.leaving?.length) stored.lv = packIds(model.leaving);
	return stored;
}

function unpackShared(stored: IDataObject, model: Model): Model {
	model.pass = unpackPass(stored.pass as StoredPass | undefined);
	if (Array.isArray(stored.said)) model.said = stored.said.map(String);
	if (typeof stored.nosort === 'number') model.noSortUntil = stored.nosort;
	if (stored.nif === 1) model.noIdFilter = true;
	if (stored.fd === 1) model.filtersDiffer = true;
	if (stored.lv !== undefined) model.leaving = unpackIds(stored.lv);
	return model;
}

/** Version 3: ids, prints and tracked values as parallel columns. */
export function packV3(model: Model): IDataObject {
	const stored: IDataObject = { v: 3, sig: model.signature };
	if (model.type !== undefined) stored.type = model.type;
	if (model.known) {
		const entries = [...model.known.entries()];
		stored.ids = packIds(entries.map(([id]) => id));
		if (entries.some(([, entry]) => entry.print !== undefined)) stored.fp = entries.map(([, entry]) => entry.print ?? '').join('');
		const width = entries.find(([, entry]) => entry.values)?.[1].values?.length ?? 0;
		if (width) {
			const columns = Array.from({ length: width }, (_, column) => entries.map(([, entry]) => (entry.values && column < entry.values.length ? entry.values[column] : ABSENT)));
			// A value a record did not have is stored as null, with its row listed in `ta`.
			stored.tv = columns.map((column) => column.map((value) => (value === ABSENT ? null : value))) as unknown as IDataObject[];
			const absent = columns.map((column) => column.flatMap((value, row) => (value === ABSENT ? [row] : [])));
			if (absent.some((rows) => rows.length)) stored.ta = absent as unknown as IDataObject[];
		}
	}
	if (model.watermark !== undefined) {
		stored.wm = model.watermark;
		stored.wmt = model.watermarkText;
	}
	if (model.attribute !== undefined) stored.attr = model.attribute;
	if (model.lastReached !== undefined) stored.lr = model.lastReached;
	if (model.window) {
		stored.win = packIds(model.window.keys());
		stored.wints = [...model.window.values()];
	}
	if (model.untimed) stored.unt = packIds(model.untimed);
	if (model.lastFull !== undefined) stored.full = model.lastFull;
	if (model.newest) {
		const { ids, stamps } = packPairs(model.newest);
		stored.nw = ids;
		stored.nwts = stamps;
	}
	if (model.oldestFirstHeld) stored.ofh = 1;
	if (model.sortHeld) stored.sh = 1;
	if (model.unstamped) stored.us = 1;
	if (model.shrunk) stored.shr = 1;
	return packShared(model, stored);
}

export function unpackV3(stored: IDataObject | undefined): Model | undefined {
	if (!stored || stored.v !== 3 || typeof stored.sig !== 'string') return undefined;
	const model: Model = { signature: stored.sig };
	if (typeof stored.type === 'string') model.type = stored.type;
	if (stored.ids !== undefined) {
		const ids = unpackIds(stored.ids);
		const prints = typeof stored.fp === 'string' ? stored.fp : undefined;
		const columns = Array.isArray(stored.tv) ? (stored.tv as unknown[][]) : [];
		const absent = (Array.isArray(stored.ta) ? (stored.ta as number[][]) : []).map((rows) => new Set(rows));
		model.known = new Map(
			ids.map((id, row): [string, KnownEntry] => {
				const entry: KnownEntry = {};
				if (prints !== undefined) entry.print = prints.slice(row * PRINT_LENGTH, (row + 1) * PRINT_LENGTH);
				if (columns.length) entry.values = columns.map((column, index) => (absent[index]?.has(row) ? ABSENT : column[row]));
				return [id, entry];
			}),
		);
	}
	if (typeof stored.wm === 'number') {
		model.watermark = stored.wm;
		model.watermarkText = typeof stored.wmt === 'string' ? stored.wmt : undefined;
	}
	if (typeof stored.attr === 'string') model.attribute = stored.attr;
	if (typeof stored.lr === 'number') model.lastReached = stored.lr;
	if (stored.win !== undefined) {
		const stamps = Array.isArray(stored.wints) ? stored.wints : [];
		model.window = new Map(unpackIds(stored.win).map((id, index) => [id, Number(stamps[index])]));
	}
	if (stored.unt !== undefined) model.untimed = new Set(unpackIds(stored.unt));
	if (typeof stored.full === 'number') model.lastFull = stored.full;
	if (stored.nw !== undefined) model.newest = unpackPairs(stored.nw, stored.nwts);
	if (stored.ofh === 1) model.oldestFirstHeld = true;
	if (stored.sh === 1) model.sortHeld = true;
	if (stored.us === 1) model.unstamped = true;
	if (stored.shr === 1) model.shrunk = true;
	return unpackShared(stored, model);
}

/** How a version-1/2 event remembered: `seen` ids, `seen` id:fingerprint pairs, or a watermark. */
export type LegacyLayout = 'ids' | 'prints' | 'watermark';

/**
 * Versions 1 and 2: `{ signature, seen }` or `{ signature, watermark, idsAtWatermark }` as they
 * always were; an unfinished pass, notices, a refused sort or unstamped ids add their own keys only
 * while they exist.
 */
export function packLegacy(model: Model, layout: LegacyLayout): IDataObject {
	const stored: IDataObject = { signature: model.signature };
	if (layout === 'watermark') {
		if (model.watermarkText !== undefined) stored.watermark = model.watermarkText;
		stored.idsAtWatermark = [...(model.window?.keys() ?? [])];
		if (model.untimed?.size) stored.untimed = [...model.untimed];
	} else {
		const entries = [...(model.known ?? new Map<string, KnownEntry>()).entries()];
		stored.seen = entries.map(([id, entry]) => (layout === 'prints' ? `${id}:${entry.print ?? ''}` : id)).join(',');
	}
	return packShared(model, stored);
}

export function unpackLegacy(stored: IDataObject | undefined, layout: LegacyLayout): Model | undefined {
	if (!stored || typeof stored.signature !== 'string') return undefined;
	const model: Model = { signature: stored.signature };
	if (layout === 'watermark') {
		const text = typeof stored.watermark === 'string' ? stored.watermark : undefined;
		const time = text !== undefined ? Date.parse(text) : Number.NaN;
		if (!Number.isNaN(time)) {
			model.watermark = time;
			model.watermarkText = text;
		}
		const atWatermark = Array.isArray(stored.idsAtWatermark) ? stored.idsAtWatermark.map(String) : [];
		model.window = new Map(model.watermark === undefined ? [] : atWatermark.map((id) => [id, model.watermark as number]));
		// Before version 3's engine, entries without a date made New Activity remember every id as `seen`.
		const byId = Array.isArray(stored.untimed) ? stored.untimed.map(String) : typeof stored.seen === 'string' ? unpackIds(stored.seen) : undefined;
		if (byId) model.untimed = new Set(byId);
	} else {
		const entries = typeof stored.seen === 'string' && stored.seen !== '' ? stored.seen.split(',') : [];
		model.known = new Map(
			entries.map((entry): [string, KnownEntry] => {
				if (layout === 'ids') return [entry, {}];
				const split = entry.lastIndexOf(':');
				return [entry.slice(0, split), { print: entry.slice(split + 1) }];
			}),
		);
	}
	return unpackShared(stored, model);
}
