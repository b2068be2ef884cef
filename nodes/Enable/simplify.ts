import type { IDataObject } from 'n8n-workflow';

import type { ResourceObject } from './transport/request';

type Linkage = { id?: unknown } | null;

/** Relationship ids by name: `{ owner: "Qm3d", items: ["a1", "b2"], scheme: null }`. */
function relationshipIds(relationships: unknown): IDataObject | undefined {
	if (!relationships || typeof relationships !== 'object') return undefined;
	const result: IDataObject = {};
	for (const [name, relationship] of Object.entries(relationships as Record<string, { data?: unknown }>)) {
		if (!relationship || typeof relationship !== 'object' || !('data' in relationship)) continue;
		const data = relationship.data as Linkage | Linkage[] | undefined;
		result[name] = Array.isArray(data)
			? data.map((linkage) => (linkage?.id ?? null) as string | null)
			: ((data?.id ?? null) as string | null);
	}
	return Object.keys(result).length ? result : undefined;
}

/** `{ id, ...attributes, relationships? }`: what a Slack message or a sheet row wants. */
export function simplifyRecord(record: ResourceObject): IDataObject {
	const simplified: IDataObject = { id: record.id };
	const attributes = record.attributes as IDataObject | undefined;
	for (const name in attributes) {
		// JSON:API forbids an attribute named id; should one appear, the resource id still wins.
		if (name !== 'id') simplified[name] = attributes[name];
	}
	const relationships = relationshipIds(record.relationships);
	if (relationships) simplified.relationships = relationships;
	return simplified;
}
