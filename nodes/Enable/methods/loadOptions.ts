/**
 * The pickers that list names from the user's own Enable: one small read of the chosen collection
 * each time a list opens (in the editor only), compared with the names the node knows (schema.ts).
 * A collection given by an expression is not read.
 */
import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { type EnableCollection, findCollection, subjectOf } from '../resources';
import { clock } from '../transport/clock';
import { readPages } from '../transport/paging';
import { openConnection } from '../transport/request';
import type { ResourceObject } from '../transport/types';
import { OTHER_ATTRIBUTE } from '../validation';
import { findLegacyEvent } from '../trigger/feeds';
import { type Schema, schemaOf, type Unread } from '../schema';
import { attributeOptions, filterAttributeOptions, relationshipOptions, timestampOptions } from './pickers';

/** Records read to learn a collection's names: enough to meet attributes that are often empty. */
export const SAMPLE_SIZE = 20;

/** A picker waits at most this long for Enable (retries included), then shows the node's own names. */
const PICKER_DEADLINE_MS = 10_000;

/** The collection the node or trigger is set to, unless it is an expression. */
function chosenCollection(context: ILoadOptionsFunctions): EnableCollection | undefined {
	const resource = context.getCurrentNodeParameter('resource');
	if (typeof resource === 'string' && !resource.startsWith('=')) return findCollection(resource);
	const event = context.getCurrentNodeParameter('event');
	return typeof event === 'string' ? findLegacyEvent(event)?.resource : undefined;
}

export async function readSample(context: ILoadOptionsFunctions, collection: EnableCollection): Promise<Schema | Unread> {
	try {
		const connection = await openConnection(context, 0);
		let records: ResourceObject[] = [];
		const reading = { itemIndex: 0, included: new Map(), deadline: clock.now() + PICKER_DEADLINE_MS, maxPages: 1 };
		await readPages(context, connection, { target: { path: collection.path, subject: subjectOf(collection) }, query: { filters: [], pageSize: SAMPLE_SIZE } }, reading, (page) => {
			records = page.records;
			return false;
		});
		return records.length ? schemaOf(records) : { reason: `Enable has no ${collection.nouns} to read yet` };
	} catch (error) {
		return { reason: error instanceof Error ? error.message : String(error) };
	}
}

function picker(list: (collection: EnableCollection, read: Schema | Unread) => INodePropertyOptions[], withoutCollection: INodePropertyOptions[] = []) {
	return async function (this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
		const collection = chosenCollection(this);
		if (!collection) return withoutCollection;
		return list(collection, await readSample(this, collection));
	};
}

export const loadOptions = {
	/** A filter's Attribute: names read from Enable, the node's own, and Other. */
	filterAttributes: picker(filterAttributeOptions, [{ name: 'Other Attribute…', value: OTHER_ATTRIBUTE, description: 'An attribute this list does not name' }]),
	/** Attribute names alone (Track Attributes, Sort By). */
	attributes: picker((collection, read) => attributeOptions(collection, read)),
	/** Include Related. */
	relationships: picker(relationshipOptions),
	/** The trigger's Changed Since Attribute: attributes holding timestamps. */
	timestampAttributes: picker(timestampOptions),
};
