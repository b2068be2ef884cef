/**
 * What a small read of a collection shows about the user's own Enable: its attribute names (with
 * a JSON type and an example value), its relationship names, and which attributes hold
 * timestamps. The pickers list these beside the names the node knows (methods/pickers.ts), and
 * Account → Check Access reports them.
 */
import type { IDataObject } from 'n8n-workflow';

import type { ResourceObject } from './transport/types';

export interface SeenAttribute {
	/** `string`, `number`, `boolean`, `object`, `array` or `null` (the first non-null value's). */
	type: string;
	example: unknown;
	/** Every value seen is a date-time or date that Date.parse reads. */
	timestamp: boolean;
}

export interface Schema {
	attributes: Map<string, SeenAttribute>;
	relationships: string[];
	records: number;
}

/** Why the live names could not be read: shown with the node's own list. */
export interface Unread {
	reason: string;
}

const jsonType = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);

/** Date-times and dates only: a bare number or a word is never taken for a timestamp. */
const looksLikeTimestamp = (value: unknown) => typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value) && !Number.isNaN(Date.parse(value));

export function schemaOf(records: readonly ResourceObject[]): Schema {
	const attributes = new Map<string, SeenAttribute>();
	const relationships = new Set<string>();
	for (const record of records) {
		for (const [name, value] of Object.entries((record.attributes ?? {}) as IDataObject)) {
			const seen = attributes.get(name);
			if (!seen) {
				attributes.set(name, { type: jsonType(value), example: value, timestamp: value === null || looksLikeTimestamp(value) });
				continue;
			}
			if (seen.type === 'null' && value !== null) Object.assign(seen, { type: jsonType(value), example: value });
			if (value !== null && !looksLikeTimestamp(value)) seen.timestamp = false;
		}
		for (const name of Object.keys((record.relationships ?? {}) as IDataObject)) relationships.add(name);
	}
	// An attribute that was null in every record is not a timestamp we can vouch for.
	for (const seen of attributes.values()) if (seen.type === 'null') seen.timestamp = false;
	return { attributes, relationships: [...relationships], records: records.length };
}

