/**
 * The options of the pickers that list names from the user's own Enable (editor only): the names a
 * small read showed (schema.ts), beside the names the node knows, each marked with what is known of it.
 */
import type { INodePropertyOptions } from 'n8n-workflow';

import { nameLabel } from '../descriptions';
import type { EnableCollection } from '../resources';
import type { Schema, SeenAttribute, Unread } from '../schema';
import { OTHER_ATTRIBUTE } from '../validation';

function exampleText(value: unknown): string {
	const text = typeof value === 'string' ? `"${value}"` : JSON.stringify(value);
	return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

function describeSeen(seen: SeenAttribute): string {
	return `${seen.type}${seen.type === 'null' ? '' : `, e.g. ${exampleText(seen.example)}`}`;
}

const NOT_SEEN = 'not seen in this Enable';

/** The names the node knows, when Enable could not be read: listed with the reason. */
function unchecked(names: Iterable<string>, reason: string): INodePropertyOptions[] {
	return [...names].map((name) => ({ name: nameLabel(name), value: name, description: `Known to this node, not checked: ${reason}` }));
}

/**
 * Attribute options: the names read from Enable (with type and example), those the node knows but
 * Enable did not show (marked), and when the read failed the known names with the reason.
 */
export function attributeOptions(collection: EnableCollection, read: Schema | Unread, only?: (seen: SeenAttribute) => boolean): INodePropertyOptions[] {
	const known = new Set(collection.knownAttributes);
	const options: INodePropertyOptions[] = [];
	if ('reason' in read) {
		options.push(...unchecked(known, read.reason));
	} else {
		for (const [name, seen] of read.attributes) {
			if (only && !only(seen)) continue;
			options.push({ name: nameLabel(name), value: name, description: known.has(name) ? describeSeen(seen) : `${describeSeen(seen)}; seen in your Enable` });
		}
		for (const name of known) {
			if (read.attributes.has(name)) continue;
			options.push({ name: `${nameLabel(name)}, ${NOT_SEEN}`, value: name, description: `This node's guess: the ${collection.nouns} read from your Enable do not have it` });
		}
	}
	return options.sort((a, b) => a.name.localeCompare(b.name));
}

/** The filter Attribute list: attribute options and Other, which carries the reason when the read failed. */
export function filterAttributeOptions(collection: EnableCollection, read: Schema | Unread): INodePropertyOptions[] {
	const other: INodePropertyOptions = {
		name: 'reason' in read ? `Other Attribute… (names below not checked: ${read.reason})` : 'Other Attribute…',
		value: OTHER_ATTRIBUTE,
		description: 'An attribute this list does not name',
	};
	return [...attributeOptions(collection, read), other];
}

/** Include Related: the relationships Enable showed, and those the node knows (marked when not seen). */
export function relationshipOptions(collection: EnableCollection, read: Schema | Unread): INodePropertyOptions[] {
	const known = Object.keys(collection.relationships);
	if ('reason' in read) return unchecked(known, read.reason);
	const options = read.relationships.map((name) => ({ name: nameLabel(name), value: name, description: known.includes(name) ? 'Seen in your Enable' : 'Seen in your Enable; not known to this node' }));
	for (const name of known) if (!read.relationships.includes(name)) options.push({ name: `${nameLabel(name)}, ${NOT_SEEN}`, value: name, description: "This node's guess: the records read do not have it" });
	return options.sort((a, b) => a.name.localeCompare(b.name));
}

/** Changed Since Attribute: none, then the attributes whose values are all timestamps. */
export function timestampOptions(collection: EnableCollection, read: Schema | Unread): INodePropertyOptions[] {
	const none: INodePropertyOptions = {
		name: 'reason' in read ? `None (Read Every Record Each Poll); names below not checked: ${read.reason}` : 'None (Read Every Record Each Poll)',
		value: '',
	};
	return [none, ...attributeOptions(collection, read, (seen) => seen.timestamp)];
}
