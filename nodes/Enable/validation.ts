/**
 * Checks of the node's parameters, made before any request so that a typo costs no API call.
 * Every message names the parameter and the input item.
 */
import { type INode, NodeOperationError } from 'n8n-workflow';

import type { EnableResource } from './resources';

export const PAGE_SIZE_RANGE = { min: 1, max: 1000 } as const;

function invalid(node: INode, itemIndex: number, message: string, description: string): never {
	throw new NodeOperationError(node, `${message} [item ${itemIndex}]`, { itemIndex, description });
}

export function validateRecordId(node: INode, resource: EnableResource, raw: unknown, itemIndex: number): string {
	const id = String(raw ?? '').trim();
	const label = `${resource.name} ID`;
	if (!id) invalid(node, itemIndex, `${label} is empty`, `Enter the id of the ${resource.name.toLowerCase()} to get, such as ${resource.sampleId}, or map it from an earlier node.`);
	const forbidden = ['/', '?', '#', '..'].find((part) => id.includes(part));
	if (forbidden) {
		invalid(node, itemIndex, `${label} "${id}" contains "${forbidden}"`, `Enable ids are short strings such as ${resource.sampleId}; a whole URL or path is not an id.`);
	}
	return id;
}

export function validateLimit(node: INode, raw: unknown, itemIndex: number): number {
	const limit = Number(raw);
	if (!Number.isInteger(limit) || limit < 1) {
		invalid(node, itemIndex, `Limit must be a whole number of at least 1 (got ${String(raw)})`, 'Turn on Return All to read every record.');
	}
	return limit;
}

export function validatePageSize(node: INode, raw: unknown, itemIndex: number): number {
	const size = Number(raw);
	if (!Number.isInteger(size) || size < PAGE_SIZE_RANGE.min || size > PAGE_SIZE_RANGE.max) {
		invalid(
			node,
			itemIndex,
			`Page Size must be a whole number from ${PAGE_SIZE_RANGE.min} to ${PAGE_SIZE_RANGE.max} (got ${String(raw)})`,
			'It is how many records each request asks Enable for; Enable may cap it lower. Leave it empty for the default.',
		);
	}
	return size;
}

export function validateFilters(
	node: INode,
	raw: unknown,
	itemIndex: number,
): Array<{ attribute: string; value: string }> {
	const entries = (raw as { filter?: Array<{ attribute?: unknown; value?: unknown }> } | undefined)?.filter ?? [];
	return entries.map((entry, position) => {
		const attribute = String(entry.attribute ?? '').trim();
		if (!attribute) invalid(node, itemIndex, `Filter ${position + 1} has an empty Attribute`, 'Enter the attribute to filter on, such as dealType, or remove the filter.');
		if (/[[\]]/.test(attribute)) {
			invalid(node, itemIndex, `Filter attribute "${attribute}" contains a bracket`, 'Enter the bare attribute name, such as dealType: n8n adds filter[...] itself.');
		}
		const value = entry.value;
		return { attribute, value: value === undefined || value === null ? '' : String(value) };
	});
}

export function validateSort(node: INode, raw: unknown, itemIndex: number): string | undefined {
	const sort = String(raw ?? '').replace(/\s+/g, '');
	if (!sort) return undefined;
	if (!/^-?[A-Za-z_][\w.]*(,-?[A-Za-z_][\w.]*)*$/.test(sort)) {
		invalid(node, itemIndex, `Sort "${String(raw)}" is not a list of attribute names`, 'Use attribute names separated by commas, each with a leading - for descending order, e.g. -startDate,reference.');
	}
	return sort;
}
