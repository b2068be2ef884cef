import {
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	NodeConnectionTypes,
	NodeOperationError,
} from 'n8n-workflow';

import { nodeProperties, route, SUBTITLE } from './actions/router';
import { listSearch } from './methods/listSearch';
import { loadOptions } from './methods/loadOptions';
import { DEFAULT_CONCURRENCY, inParallel } from './transport/parallel';
import { type EnableConnection, openConnection, toNodeError } from './transport/request';
import { validateConcurrency } from './validation';

export class Enable implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Enable',
		name: 'enable',
		icon: { light: 'file:enable.svg', dark: 'file:enable.dark.svg' },
		group: ['input'],
		// Version 2 picks Get's record from a list (a resource locator); version 1 keeps a typed id.
		// Version 3 answers compactly as an AI tool (actions/tool.ts) and skips empty filters.
		version: [1, 2, 3],
		defaultVersion: 3,
		subtitle: SUBTITLE,
		description: 'Read deals, earnings, trading partners, activity, users and reports from the Enable API',
		defaults: { name: 'Enable' },
		usableAsTool: true,
		builderHint: {
			searchHint:
				'Enable (enable.com) rebate and deal management, read-only. Deals are rebate agreements with trading partners; earnings are what a deal earned per period; the deal-earnings report breaks earnings down by dimension. Ids are short strings such as Hg7f. Include Related (options.include) puts related records, such as a deal\'s tradingPartner with its name, inline.',
			relatedNodes: [
				{ nodeType: 'n8n-nodes-enable.enableTrigger', relationHint: 'Starts a workflow when Enable records are added, changed or removed' },
				{ nodeType: 'n8n-nodes-base.dataTable', relationHint: 'Keeps a copy of Enable records, upserted by id' },
			],
		},
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'enableApi', required: true }],
		properties: nodeProperties,
	};

	methods = { listSearch, loadOptions };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		// The credential is decrypted once per run, on first use, and shared by every item.
		let connection: Promise<EnableConnection> | undefined;
		const getConnection = async () => await (connection ??= openConnection(this, 0));
		const options = this.getNodeParameter('options', 0, {}) as IDataObject;
		const concurrency = validateConcurrency(this.getNode(), options.concurrency ?? DEFAULT_CONCURRENCY);

		const runItem = async (itemIndex: number): Promise<INodeExecutionData[]> => {
			try {
				const resourceValue = this.getNodeParameter('resource', itemIndex) as string;
				const operationValue = this.getNodeParameter('operation', itemIndex) as string;
				const operation = route(resourceValue, operationValue);
				if (!operation) {
					throw new NodeOperationError(this.getNode(), `Unknown resource or operation: ${resourceValue} / ${operationValue}`, {
						itemIndex,
						failure: { cause: 'configuration-invalid' },
					});
				}
				const records = await operation(this, getConnection, itemIndex);
				return records.map((json) => ({ json, pairedItem: { item: itemIndex } }));
			} catch (error) {
				const nodeError = toNodeError(this.getNode(), error, itemIndex);
				if (this.continueOnFail()) {
					const json: { error: string; description?: string } = { error: nodeError.message };
					if (nodeError.description) json.description = nodeError.description;
					return [{ json, pairedItem: { item: itemIndex } }];
				}
				throw nodeError;
			}
		};

		// Independent items run `concurrency` at a time; the output keeps the input's order.
		const results: INodeExecutionData[][] = new Array(items.length);
		const stop: { failure?: { itemIndex: number; error: unknown } } = {};
		// Items already started finish; no new one starts; the first failing item is the one reported.
		const fail = (itemIndex: number, error: unknown) => {
			if (!stop.failure || itemIndex < stop.failure.itemIndex) stop.failure = { itemIndex, error };
		};
		const runAndKeep = async (itemIndex: number) => {
			try {
				results[itemIndex] = await runItem(itemIndex);
			} catch (error) {
				fail(itemIndex, error);
			}
		};
		if (items.length) {
			// The first item runs alone, so that the token it fetches is shared by every other item.
			await runAndKeep(0);
			await inParallel(items.length, concurrency, runAndKeep, { from: 1, stopped: () => Boolean(stop.failure) });
		}
		if (stop.failure) throw stop.failure.error;
		if (results.length === 1) return [results[0]];
		const output: INodeExecutionData[] = [];
		for (const itemResults of results) for (const item of itemResults) output.push(item);
		return [output];
	}
}
