/**
 * Finds what one input item asks for: a collection's Get / Get Many from the resource table, a
 * report's own operation, or the account's Check Access.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { ACCOUNT_OPERATIONS } from './actions/access';
import { COLLECTION_OPERATIONS } from './actions/collection';
import { REPORT_OPERATIONS } from './actions/report';
import { ACCOUNT, findCollection, REPORTS } from './resources';
import type { EnableConnection } from './transport/types';

export type ItemOperation = (context: IExecuteFunctions, connection: () => Promise<EnableConnection>, itemIndex: number) => Promise<IDataObject[]>;

const own = <T>(table: Record<string, T>, key: string): T | undefined =>
	Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;

export function findOperation(resourceValue: string, operationValue: string): ItemOperation | undefined {
	if (resourceValue === ACCOUNT.value) return own(ACCOUNT_OPERATIONS, operationValue);
	if (resourceValue === REPORTS.value) {
		const report = REPORTS.operations.find((entry) => entry.value === operationValue);
		const run = own(REPORT_OPERATIONS, operationValue);
		return report && run ? async (context, connection, itemIndex) => await run(context, connection, report, itemIndex) : undefined;
	}
	const collection = findCollection(resourceValue);
	const run = own(COLLECTION_OPERATIONS, operationValue);
	return collection && run ? async (context, connection, itemIndex) => await run(context, connection, collection, itemIndex) : undefined;
}
