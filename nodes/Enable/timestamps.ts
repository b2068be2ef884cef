/** Timestamps in Enable's records: the trigger reads changes by them, Check Access looks for them. */
import type { IDataObject } from 'n8n-workflow';

import type { ResourceObject } from './transport/types';

/** The record's timestamp in epoch ms, when the attribute holds a date-time Date.parse reads. */
export function stampOf(record: ResourceObject, attribute: string): number | undefined {
	const value = (record.attributes as IDataObject | undefined)?.[attribute];
	if (typeof value !== 'string') return undefined;
	const time = Date.parse(value);
	return Number.isNaN(time) ? undefined : time;
}
