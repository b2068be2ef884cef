/**
 * The shapes a user gets: Simplify's flat records, with included records in place of their ids,
 * or the raw JSON:API record carrying the included records it refers to.
 */
import type { IDataObject } from 'n8n-workflow';

import { type IncludedIndex, includedKey } from './transport/paging';
import type { ResourceObject } from './transport/types';

type Linkage = { type?: unknown; id?: unknown } | null;

function linkages(record: ResourceObject): Array<[string, Linkage | Linkage[]]> {
	const relationships = record.relationships as Record<string, { data?: unknown } | null> | undefined;
	if (!relationships || typeof relationships !== 'object') return [];
	const result: Array<[string, Linkage | Linkage[]]> = [];
	// for...in rather than Object.entries: this runs once per record of every page.
	for (const name in relationships) {
		const relationship = relationships[name];
		if (!relationship || typeof relationship !== 'object' || !('data' in relationship)) continue;
		result.push([name, (relationship.data ?? null) as Linkage | Linkage[]]);
	}
	return result;
}

function lookUp(linkage: Linkage, included?: IncludedIndex): ResourceObject | undefined {
	if (!included?.size || !linkage || typeof linkage.type !== 'string' || linkage.id === undefined) return undefined;
	return included.get(includedKey(linkage.type, String(linkage.id)));
}

/** `{ id, ...attributes }` of a record, its own relationships as ids. */
function flatten(record: ResourceObject): IDataObject {
	const simplified: IDataObject = { id: record.id };
	const attributes = record.attributes as IDataObject | undefined;
	for (const name in attributes) {
		// JSON:API forbids an attribute named id; should one appear, the resource id still wins.
		if (name !== 'id') simplified[name] = attributes[name];
	}
	return simplified;
}

/**
 * Relationship values by name: an id, a list of ids, or null; where Enable included the related
 * record, that record (flattened, with its own relationships as ids) instead of its id.
 */
function relationshipValues(record: ResourceObject, included?: IncludedIndex): IDataObject | undefined {
	const result: IDataObject = {};
	const value = (linkage: Linkage): IDataObject | string | null => {
		const found = lookUp(linkage, included);
		if (found) {
			const nested = relationshipValues(found);
			return nested ? { ...flatten(found), relationships: nested } : flatten(found);
		}
		return (linkage?.id ?? null) as string | null;
	};
	for (const [name, data] of linkages(record)) {
		result[name] = Array.isArray(data) ? (data.map(value) as IDataObject[]) : value(data);
	}
	return Object.keys(result).length ? result : undefined;
}

/** `{ id, ...attributes, relationships? }`: what a Slack message or a sheet row wants. */
export function simplifyRecord(record: ResourceObject, included?: IncludedIndex): IDataObject {
	const simplified = flatten(record);
	const relationships = relationshipValues(record, included);
	if (relationships) simplified.relationships = relationships;
	return simplified;
}

/** The raw record, plus `included`: the included records it refers to, each once. */
export function withIncluded(record: ResourceObject, included?: IncludedIndex): IDataObject {
	if (!included?.size) return record;
	const referred = new Map<string, ResourceObject>();
	for (const [, data] of linkages(record)) {
		for (const linkage of Array.isArray(data) ? data : [data]) {
			const found = lookUp(linkage, included);
			if (found) referred.set(includedKey(found.type, String(found.id)), found);
		}
	}
	return referred.size ? { ...record, included: [...referred.values()] } : record;
}

/** A report row for a sheet: attributes at the top, each relationship beside them, included records in place of ids. */
export function flattenRow(record: ResourceObject, included?: IncludedIndex): IDataObject {
	const row = flatten(record);
	const relationships = relationshipValues(record, included);
	for (const [name, value] of Object.entries(relationships ?? {})) {
		// An attribute of the same name keeps its place; the relationship stays under relationships.
		if (name in row) {
			row.relationships = { ...(row.relationships as IDataObject | undefined), [name]: value };
		} else {
			row[name] = value;
		}
	}
	return row;
}

/** One output shape for both settings of Simplify. */
export function shapeRecord(record: ResourceObject, included: IncludedIndex | undefined, simplify: boolean): IDataObject {
	return simplify ? simplifyRecord(record, included) : withIncluded(record, included);
}
