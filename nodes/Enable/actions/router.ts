/**
 * The Enable node's router: what each input item asks for (resource and operation) and the
 * function that does it, one file per operation family (actions/collection.ts for every
 * collection's Get and Get Many, report.ts, access.ts), each with its parameters beside its code.
 * The node's parameters are put together here, in the order the editor shows them.
 */
import type { IDataObject, IExecuteFunctions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { simplifyProperty } from '../descriptions';
import { ACCOUNT, COLLECTIONS, findCollection, REPORTS, RESOURCES } from '../resources';
import type { EnableConnection } from '../transport/types';
import { accountProperties, checkAccess } from './access';
import { COLLECTION_OPERATIONS, filtersProperties, idLocatorProperty, idProperty, operationProperty, optionsProperty, sharedListProperties } from './collection';
import { dealEarnings, reportOperationProperty, reportProperties } from './report';

/** What one input item runs: its records, as the items it outputs. */
export type ItemOperation = (context: IExecuteFunctions, connection: () => Promise<EnableConnection>, itemIndex: number) => Promise<IDataObject[]>;

/** The function for a resource and operation, or undefined when the node has none. */
export function route(resourceValue: string, operationValue: string): ItemOperation | undefined {
	if (resourceValue === ACCOUNT.value) return operationValue === 'checkAccess' ? checkAccess : undefined;
	if (resourceValue === REPORTS.value) {
		const report = REPORTS.operations.find((entry) => entry.value === operationValue);
		return report && operationValue === 'dealEarnings' ? async (context, connection, itemIndex) => await dealEarnings(context, connection, report, itemIndex) : undefined;
	}
	const collection = findCollection(resourceValue);
	const run = Object.prototype.hasOwnProperty.call(COLLECTION_OPERATIONS, operationValue) ? COLLECTION_OPERATIONS[operationValue] : undefined;
	return collection && run ? async (context, connection, itemIndex) => await run(context, connection, collection, itemIndex) : undefined;
}

/** The canvas subtitle, "Get Many: Deal", from the same labels the parameters show. */
export const SUBTITLE = `={{ (${JSON.stringify({ get: 'Get', getAll: 'Get Many', ...Object.fromEntries([...REPORTS.operations, ...ACCOUNT.operations].map((operation) => [operation.value, operation.name])) })})[$parameter["operation"]] + ": " + (${JSON.stringify(
	Object.fromEntries(RESOURCES.map((resource) => [resource.value, resource.name])),
)})[$parameter["resource"]] }}`;

/** Every collection, then the report: one Resource list. */
const RESOURCE_OPTIONS: INodePropertyOptions[] = RESOURCES.map((resource) => ({ name: resource.name, value: resource.value }));

const resourceProperty: INodeProperties = {
	displayName: 'Resource',
	name: 'resource',
	type: 'options',
	noDataExpression: true,
	options: RESOURCE_OPTIONS,
	default: 'deal',
};


export const nodeProperties: INodeProperties[] = [
	resourceProperty,
	...COLLECTIONS.map(operationProperty),
	reportOperationProperty,
	...COLLECTIONS.map(idProperty),
	// Version 3 changes only how the node answers as an AI tool (actions/tool.ts); its parameters are version 2's.
	...[2, 3].flatMap((version) => COLLECTIONS.map((collection) => idLocatorProperty(collection, version))),
	...sharedListProperties,
	...COLLECTIONS.flatMap(filtersProperties),
	...COLLECTIONS.map(optionsProperty),
	...reportProperties,
	...accountProperties,
	{ ...simplifyProperty, displayOptions: { hide: { resource: [ACCOUNT.value] } } },
];
