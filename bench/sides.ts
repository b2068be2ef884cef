/**
 * The loops the benchmarks compare, each run in a fresh process by bench/side-worker.ts:
 * raw Node HTTP with and without keep-alive (the physical limit and n8n's floor), a minimal node
 * paging through n8n's own httpRequestWithAuthentication (what any node pays), and the Enable node.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports -- development tooling, never published: it runs in Node, with its files, processes and console */
import http from 'node:http';
import https from 'node:https';

import {
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	NodeConnectionTypes,
} from 'n8n-workflow';

import { DEMO_CLIENT } from '../sandbox/simulator';
import { credentialFor, runEnableNode, runWorkflow, TestCredentialsHelper, TestNodeTypes } from '../test/harness/n8n';

export type SideSpec =
	| { side: 'raw'; baseUrl: string; pageSize: number; keepAlive: boolean }
	| { side: 'floor'; baseUrl: string; pageSize: number }
	| { side: 'node'; baseUrl: string; parameters: IDataObject; inputItems?: IDataObject[] };

function get(url: string, agent: http.Agent | false, headers: Record<string, string>, method = 'GET', body?: string): Promise<string> {
	const client = url.startsWith('https:') ? https : http;
	return new Promise((resolve, reject) => {
		const request = client.request(url, { method, agent, headers }, (response) => {
			const chunks: Buffer[] = [];
			response.on('data', (chunk: Buffer) => chunks.push(chunk));
			response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
			response.on('error', reject);
		});
		request.on('error', reject);
		request.end(body);
	});
}

/** The token request of the demo client, with the read:deals scope: what the raw loops send. */
export function demoTokenForm(): URLSearchParams {
	return new URLSearchParams({
		client_id: DEMO_CLIENT.clientId,
		client_secret: DEMO_CLIENT.clientSecret,
		dealtrack_registration_id: DEMO_CLIENT.registrationId,
		scope: 'read:deals',
		grant_type: 'client_credentials',
	});
}

/** Node's HTTP client: one token, follow links.next, keep every record. */
async function rawLoop(baseUrl: string, pageSize: number, keepAlive: boolean): Promise<unknown[]> {
	const Agent = baseUrl.startsWith('https:') ? https.Agent : http.Agent;
	// keep-alive: one connection for the whole loop; otherwise a new connection (and TLS handshake) per request, as n8n does.
	const agent = keepAlive ? new Agent({ keepAlive: true, maxSockets: 1 }) : false;
	const form = demoTokenForm().toString();
	const token = JSON.parse(await get(`${baseUrl}/oauth2/token`, agent, { 'Content-Type': 'application/x-www-form-urlencoded' }, 'POST', form)) as {
		access_token: string;
	};
	const records: unknown[] = [];
	let next: string | undefined = `${baseUrl}/v1/deals?page[size]=${pageSize}`;
	while (next) {
		const page = JSON.parse(await get(next, agent, { Authorization: `Bearer ${token.access_token}`, Accept: 'application/vnd.api+json' })) as {
			data: unknown[];
			links: { next?: string };
		};
		for (const record of page.data) records.push(record);
		next = page.links.next ? new URL(page.links.next, baseUrl).href : undefined;
	}
	if (agent) agent.destroy();
	return records;
}

const helperFor = (baseUrl: string) => new TestCredentialsHelper(credentialFor(baseUrl, { ...DEMO_CLIENT, scopes: ['read:deals'] }));

/**
 * n8n's floor: a minimal node that pages through httpRequestWithAuthentication and outputs every
 * record as an item, run by the same WorkflowExecute as the Enable node, so that the difference
 * between the two is the Enable node's own cost.
 */
// eslint-disable-next-line @n8n/community-nodes/node-usable-as-tool -- a benchmark fixture, never offered to users
class FloorNode implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Floor',
		name: 'floor',
		group: ['input'],
		version: 1,
		description: 'Pages through n8n’s own helper',
		defaults: { name: 'Floor' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'enableApi', required: true }],
		properties: [
			{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: '' },
			{ displayName: 'Page Size', name: 'pageSize', type: 'number', default: 100 },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const baseUrl = this.getNodeParameter('baseUrl', 0) as string;
		const items: INodeExecutionData[] = [];
		let next: string | undefined = `${baseUrl}/v1/deals?page[size]=${this.getNodeParameter('pageSize', 0) as number}`;
		while (next) {
			const page = (await this.helpers.httpRequestWithAuthentication.call(this, 'enableApi', {
				method: 'GET',
				url: next,
				headers: { Accept: 'application/vnd.api+json' },
				json: true,
			})) as { data: IDataObject[]; links: { next?: string } };
			for (const record of page.data) items.push({ json: record, pairedItem: { item: 0 } });
			next = page.links.next ? new URL(page.links.next, baseUrl).href : undefined;
		}
		return [items];
	}
}

async function floorLoop(baseUrl: string, pageSize: number): Promise<unknown[]> {
	const nodeTypes = new TestNodeTypes();
	nodeTypes.register('bench.floor', new FloorNode());
	const result = await runWorkflow({ helper: helperFor(baseUrl), nodeTypes, nodeType: 'bench.floor', parameters: { baseUrl, pageSize } });
	if (result.error) throw new Error(result.error.message);
	return result.items.map((item) => item.json);
}

export async function runSide(spec: SideSpec): Promise<unknown[]> {
	if (spec.side === 'raw') return await rawLoop(spec.baseUrl, spec.pageSize, spec.keepAlive);
	if (spec.side === 'floor') return await floorLoop(spec.baseUrl, spec.pageSize);
	const result = await runEnableNode({ helper: helperFor(spec.baseUrl), parameters: spec.parameters, inputItems: spec.inputItems });
	if (result.error) throw new Error(result.error.message);
	return result.items.map((item) => item.json);
}
