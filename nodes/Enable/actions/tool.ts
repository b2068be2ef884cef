/**
 * How the Enable node answers as an AI tool (version 3; n8n runs it as `enableTool` for an AI
 * Agent or the MCP Server Trigger): what it returns goes into a model's context, so each related
 * record inline is its id and name only, and one call returns at most TOOL_MAX_ITEMS records,
 * ending with a note that says how to ask for the rest.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { type EnableCollection, findCollection } from '../resources';

export const TOOL_MAX_ITEMS = 100;

/** Version 3 of the node, run as a tool. */
export function runsAsTool(context: IExecuteFunctions): boolean {
	const node = context.getNode();
	return node.typeVersion >= 3 && node.type.endsWith('Tool');
}

/** A related record inline as `{ id, name }`: its first title attribute (a partner's name, a deal's reference). */
function compactRelated(target: EnableCollection | undefined, value: unknown): unknown {
	if (Array.isArray(value)) return value.map((entry) => compactRelated(target, entry));
	if (!value || typeof value !== 'object' || !('id' in value)) return value;
	const record = value as IDataObject;
	const name = target?.titleAttributes.map((attribute) => record[attribute]).find((title) => title !== undefined && title !== null && title !== '');
	return name === undefined ? { id: record.id } : { id: record.id, name: String(name) };
}

/** A simplified record with each included related record reduced to its id and name. */
export function compactForTool(collection: EnableCollection, record: IDataObject): IDataObject {
	const relationships = record.relationships as IDataObject | undefined;
	if (!relationships) return record;
	const compact: IDataObject = {};
	for (const [name, value] of Object.entries(relationships)) compact[name] = compactRelated(findCollection(collection.relationships[name] ?? ''), value) as IDataObject;
	return { ...record, relationships: compact };
}

/** At most TOOL_MAX_ITEMS records; past that, a last item saying so. */
export function capForTool(records: IDataObject[], nouns: string): IDataObject[] {
	if (records.length <= TOOL_MAX_ITEMS) return records;
	return [
		...records.slice(0, TOOL_MAX_ITEMS),
		{ note: `Only the first ${TOOL_MAX_ITEMS} ${nouns} are returned. Narrow the request with filters (or a lower limit) to see the others.` },
	];
}
