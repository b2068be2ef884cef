/**
 * Checks of the node's parameters, made before any request so that a typo costs no API call.
 * Every message names the parameter; the error carries the input item's index.
 */
import { type INode, NodeOperationError } from 'n8n-workflow';

import type { EnableCollection } from './resources';

export const PAGE_SIZE_RANGE = { min: 1, max: 1000 } as const;

/** The message names the parameter; n8n shows the item itself (itemIndex), so the text carries no marker. */
function invalid(node: INode, itemIndex: number, message: string, description: string): never {
	throw new NodeOperationError(node, message, { itemIndex, description, failure: { cause: 'configuration-invalid' } });
}

export function validateRecordId(
	node: INode,
	resource: Pick<EnableCollection, 'name' | 'noun' | 'sampleId'>,
	raw: unknown,
	itemIndex: number,
): string {
	const id = String(raw ?? '').trim();
	const label = `${resource.name} ID`;
	if (!id) invalid(node, itemIndex, `${label} is empty`, `Enter the id of the ${resource.noun} to get, such as ${resource.sampleId}, or map it from an earlier node.`);
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

/** The filter Attribute choice that shows a field for a name the known attributes do not list. */
export const OTHER_ATTRIBUTE = '__other';

export function validateFilters(
	node: INode,
	raw: unknown,
	itemIndex: number,
	/** Leave out filters with neither an attribute nor a value (version 3: an AI tool's optional filter). */
	skipEmpty = false,
): Array<{ attribute: string; value: string }> {
	const all = (raw as { filter?: Array<{ attribute?: unknown; otherAttribute?: unknown; value?: unknown }> } | undefined)?.filter ?? [];
	const blank = (value: unknown) => value === undefined || value === null || String(value).trim() === '';
	const numbered = all.map((entry, position) => ({ entry, position }));
	const entries = skipEmpty ? numbered.filter(({ entry }) => !(blank(entry.attribute === OTHER_ATTRIBUTE ? entry.otherAttribute : entry.attribute) && blank(entry.value))) : numbered;
	return entries.map(({ entry, position }) => {
		const other = entry.attribute === OTHER_ATTRIBUTE;
		const attribute = String((other ? entry.otherAttribute : entry.attribute) ?? '').trim();
		if (!attribute && other) {
			invalid(node, itemIndex, `Filter ${position + 1} has an empty Attribute Name`, 'Enter the name of the attribute to filter on, pick one from the Attribute list, or remove the filter.');
		}
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

/** Sort By's picked attributes as JSON:API sort fields, or undefined when none. */
export function validateSortBy(node: INode, raw: unknown, itemIndex: number): string | undefined {
	const entries = (raw as { sort?: Array<{ attribute?: unknown; direction?: unknown }> } | undefined)?.sort ?? [];
	const fields = entries.map((entry, position) => {
		const attribute = String(entry.attribute ?? '').trim();
		if (!/^[A-Za-z_][\w.]*$/.test(attribute)) {
			invalid(node, itemIndex, `Sort By ${position + 1} "${attribute}" is not an attribute name`, 'Pick an attribute from the list, or remove the entry.');
		}
		return entry.direction === 'descending' ? `-${attribute}` : attribute;
	});
	return fields.length ? fields.join(',') : undefined;
}

/**
 * A list of names from a list parameter, or from an expression that gave a list or a
 * comma-separated string: trimmed, without empties or repeats.
 */
function nameList(raw: unknown): string[] {
	const parts = Array.isArray(raw) ? raw.flatMap((entry) => String(entry ?? '').split(',')) : String(raw ?? '').split(',');
	return [...new Set(parts.map((part) => part.trim()).filter(Boolean))];
}

export function validateInclude(node: INode, raw: unknown, itemIndex: number): string[] | undefined {
	const names = nameList(raw);
	const wrong = names.find((name) => !/^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*)*$/.test(name));
	if (wrong) {
		invalid(node, itemIndex, `Include Related "${wrong}" is not a relationship name`, 'Use relationship names such as tradingPartner or owner, separated by commas; a dotted path such as scheme.tradingPartner reaches further.');
	}
	return names.length ? names : undefined;
}

const ATTRIBUTE_NAME = /^[A-Za-z_][\w.-]*$/;

/** A list of attribute names (a list parameter, or an expression's list or comma-separated text). */
export function validateNames(node: INode, label: string, raw: unknown, itemIndex = 0): string[] {
	const names = nameList(raw);
	const wrong = names.find((name) => !ATTRIBUTE_NAME.test(name));
	if (wrong) invalid(node, itemIndex, `${label} "${wrong}" is not an attribute name`, 'Use attribute names as Enable spells them, such as amount or status, separated by commas.');
	return names;
}

/** One attribute name, or undefined when empty. */
export function validateAttributeName(node: INode, label: string, raw: unknown, itemIndex = 0): string | undefined {
	const name = String(raw ?? '').trim();
	if (!name) return undefined;
	if (!ATTRIBUTE_NAME.test(name)) invalid(node, itemIndex, `${label} "${name}" is not an attribute name`, 'Pick an attribute from the list, or leave it empty.');
	return name;
}

/** A number of at least `min`. */
export function validateNumber(node: INode, label: string, raw: unknown, range: { min: number }, itemIndex = 0): number {
	const value = Number(raw);
	if (raw === '' || raw === null || !Number.isFinite(value) || value < range.min) {
		invalid(node, itemIndex, `${label} must be a number of at least ${range.min} (got ${String(raw)})`, 'Leave it unset for the default.');
	}
	return value;
}

export function validateViewBy(node: INode, raw: unknown, itemIndex: number): string[] {
	const ids = nameList(raw);
	const wrong = ids.find((id) => /[\s&=?#[\]]/.test(id));
	if (wrong) invalid(node, itemIndex, `View By "${wrong}" is not a dimension id`, "Enter the ids of Enable's dimensions (from its dimensions endpoint), one per entry or separated by commas.");
	return ids;
}

export function validateMaxWaitMinutes(node: INode, raw: unknown, itemIndex: number): number {
	const minutes = Number(raw);
	if (!Number.isFinite(minutes) || minutes <= 0 || minutes > 24 * 60) {
		invalid(node, itemIndex, `Max Wait (Minutes) must be a number above 0 and at most 1440 (got ${String(raw)})`, 'It is how long n8n waits for Enable to finish the report.');
	}
	return minutes;
}

export const CONCURRENCY_RANGE = { min: 1, max: 20 } as const;

export function validateConcurrency(node: INode, raw: unknown): number {
	const concurrency = Number(raw);
	if (!Number.isInteger(concurrency) || concurrency < CONCURRENCY_RANGE.min || concurrency > CONCURRENCY_RANGE.max) {
		throw new NodeOperationError(
			node,
			`Parallel Requests must be a whole number from ${CONCURRENCY_RANGE.min} to ${CONCURRENCY_RANGE.max} (got ${String(raw)})`,
			{ description: 'It is how many input items are read from Enable at the same time; 1 reads them one after another.', failure: { cause: 'configuration-invalid' } },
		);
	}
	return concurrency;
}
