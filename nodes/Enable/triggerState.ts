/**
 * What the Enable Trigger remembers between polls, and how it finds what is new. The state is
 * compact (ids and 8-character fingerprints, never records) and is only replaced after a
 * successful read, so a failed poll loses nothing.
 */
import { createHash } from 'crypto';

import type { ResourceObject } from './transport/request';

export type Detection = 'newIds' | 'changedFingerprints' | 'watermark';

export interface TriggerState {
	/** Event and filters the state was recorded for: a change of either starts afresh. */
	signature: string;
	/** `id` list (newIds) or `id:fingerprint` list (changedFingerprints), comma-joined. */
	seen?: string;
	/** Greatest timestamp seen (watermark detection), and the ids carrying exactly it. */
	watermark?: string;
	idsAtWatermark?: string[];
}

export interface Detected {
	/** Records to emit, oldest first. */
	emit: ResourceObject[];
	next: TriggerState;
}

/** A short fingerprint of what a user would call the record's content. */
export function fingerprint(record: ResourceObject): string {
	const content = JSON.stringify([record.attributes ?? null, record.relationships ?? null]);
	return createHash('sha1').update(content).digest('base64').slice(0, 8);
}

function timestampOf(record: ResourceObject, attribute: string): number | undefined {
	const value = (record.attributes as Record<string, unknown> | undefined)?.[attribute];
	if (typeof value !== 'string') return undefined;
	const time = Date.parse(value);
	return Number.isNaN(time) ? undefined : time;
}

function detectNewIds(records: ResourceObject[], previous: TriggerState | undefined, signature: string): Detected {
	const seen = new Set(previous?.seen ? previous.seen.split(',') : []);
	return {
		emit: records.filter((record) => !seen.has(record.id)),
		next: { signature, seen: records.map((record) => record.id).join(',') },
	};
}

function detectChanges(records: ResourceObject[], previous: TriggerState | undefined, signature: string): Detected {
	const known = new Map(
		(previous?.seen ? previous.seen.split(',') : []).map((entry) => {
			const split = entry.lastIndexOf(':');
			return [entry.slice(0, split), entry.slice(split + 1)] as const;
		}),
	);
	const current = records.map((record) => [record, fingerprint(record)] as const);
	return {
		emit: current.filter(([record, print]) => known.get(record.id) !== print).map(([record]) => record),
		next: { signature, seen: current.map(([record, print]) => `${record.id}:${print}`).join(',') },
	};
}

function detectByWatermark(
	records: ResourceObject[],
	previous: TriggerState | undefined,
	signature: string,
	attribute: string,
): Detected {
	const stamped = records.map((record) => [record, timestampOf(record, attribute)] as const);
	// Entries without a usable timestamp: fall back to remembering ids.
	if (stamped.some(([, time]) => time === undefined)) return detectNewIds(records, previous?.seen ? previous : undefined, signature);

	const watermark = previous?.watermark !== undefined ? Date.parse(previous.watermark) : Number.NEGATIVE_INFINITY;
	const atWatermark = new Set(previous?.idsAtWatermark ?? []);
	const fresh = stamped
		.filter(([record, time]) => (time as number) > watermark || ((time as number) === watermark && !atWatermark.has(record.id)))
		.map(([record, time], order) => ({ record, time: time as number, order }))
		// Oldest first; entries with the same timestamp keep the order Enable listed them in.
		.sort((a, b) => a.time - b.time || a.order - b.order)
		.map(({ record }) => record);

	let newest = watermark;
	let newestText = previous?.watermark;
	for (const [record, time] of stamped) {
		if ((time as number) > newest) {
			newest = time as number;
			newestText = String((record.attributes as Record<string, unknown>)[attribute]);
		}
	}
	const idsAtNewest = stamped.filter(([, time]) => time === newest).map(([record]) => record.id);
	return {
		emit: fresh,
		next: {
			signature,
			watermark: newestText,
			// Keep the ids already known at an unchanged watermark: they were seen, even if paged away.
			idsAtWatermark: newest === watermark ? [...new Set([...atWatermark, ...idsAtNewest])] : idsAtNewest,
		},
	};
}

export function detect(
	detection: Detection,
	records: ResourceObject[],
	previous: TriggerState | undefined,
	signature: string,
	watermarkAttribute = 'date',
): Detected {
	const usable = previous?.signature === signature ? previous : undefined;
	if (detection === 'changedFingerprints') return detectChanges(records, usable, signature);
	if (detection === 'watermark') return detectByWatermark(records, usable, signature, watermarkAttribute);
	return detectNewIds(records, usable, signature);
}

/** The record a "Fetch Test Event" shows: the newest by timestamp when there is one, else the last listed. */
export function mostRecent(records: ResourceObject[], watermarkAttribute?: string): ResourceObject | undefined {
	if (!records.length) return undefined;
	if (watermarkAttribute) {
		let best: ResourceObject | undefined;
		let bestTime = Number.NEGATIVE_INFINITY;
		for (const record of records) {
			const time = timestampOf(record, watermarkAttribute);
			if (time !== undefined && time >= bestTime) {
				best = record;
				bestTime = time;
			}
		}
		if (best) return best;
	}
	return records[records.length - 1];
}
