import {
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	NodeConnectionTypes,
	NodeOperationError,
} from 'n8n-workflow';

import { nodeProperties } from './descriptions';
import { OPERATIONS } from './operations';
import { findResource } from './resources';
import { simplifyRecord } from './simplify';
import { type EnableConnection, openConnection, toNodeError } from './transport/request';

export class Enable implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Enable',
		name: 'enable',
		icon: { light: 'file:enable.svg', dark: 'file:enable.dark.svg' },
		group: ['input'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Read rebate deals, activity logs and users from the Enable API',
		defaults: { name: 'Enable' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'enableApi', required: true }],
		properties: nodeProperties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const output: INodeExecutionData[] = [];
		// The credential is decrypted once per run, on first use, and shared by every item.
		let connection: Promise<EnableConnection> | undefined;
		const getConnection = async () => await (connection ??= openConnection(this, 0));

		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			try {
				const resourceValue = this.getNodeParameter('resource', itemIndex) as string;
				const operationValue = this.getNodeParameter('operation', itemIndex) as string;
				const resource = findResource(resourceValue);
				const operation = Object.prototype.hasOwnProperty.call(OPERATIONS, operationValue)
					? OPERATIONS[operationValue]
					: undefined;
				if (!resource || !operation) {
					throw new NodeOperationError(this.getNode(), `Unknown resource or operation: ${resourceValue} / ${operationValue}`, {
						itemIndex,
					});
				}
				const simplify = this.getNodeParameter('simplify', itemIndex, true) as boolean;
				const records = await operation(this, getConnection, resource, itemIndex);
				for (const record of records) {
					output.push({ json: simplify ? simplifyRecord(record) : record, pairedItem: { item: itemIndex } });
				}
			} catch (error) {
				const nodeError = toNodeError(this.getNode(), error, itemIndex);
				if (this.continueOnFail()) {
					const json: { error: string; description?: string } = { error: nodeError.message };
					if (nodeError.description) json.description = nodeError.description;
					output.push({ json, pairedItem: { item: itemIndex } });
					continue;
				}
				throw nodeError;
			}
		}
		return [output];
	}
}
