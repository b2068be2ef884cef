/**
 * `npm run e2e:mcp`: Enable for AI assistants. n8n 2.41.1 runs the MCP server example (n8n's MCP
 * Server Trigger with five Enable tools) against the simulator, and a real MCP client
 * (@modelcontextprotocol/sdk, no model) connects to its endpoint, lists the tools (names,
 * descriptions, input schemas), calls each with the arguments an assistant would send and checks
 * the answers against the simulator's records; then a call with a wrong id and one while Enable
 * rate-limits. The trigger asks for a bearer token (the example's Bearer Auth credential, imported
 * here with a test token): the client sends it, and calls without it or with another are refused.
 * Prints the transcript docs/mcp.md shows and writes it to e2e/results/mcp.json.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console -- development tooling, never published: it runs in Node, with its files, processes and console */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// eslint-disable-next-line import-x/no-unresolved -- the SDK publishes these paths through its package exports, which the resolver of this configuration does not read
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
// eslint-disable-next-line import-x/no-unresolved -- the SDK publishes these paths through its package exports, which the resolver of this configuration does not read
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

import { DIMENSIONS } from '../sandbox/reports';
import { type EnableSimulator, startSimulator } from '../sandbox/simulator';
import { assert, check, finish, results } from './lib/checks';
import { ensureN8n, HostError, N8N_VERSION } from './lib/host';
import { assertNoLeak, loadExamples, N8nInstance, packPackage } from './lib/instance';

type Row = Record<string, unknown>;

const TOOLS: Record<string, string[]> = {
	get_deals: ['limit', 'filterAttribute', 'filterValue'],
	get_deal: ['dealId'],
	get_deal_earnings: ['limit', 'dealId'],
	deal_earnings_report: ['dimensionIds', 'dealId'],
	get_trading_partner: ['tradingPartnerId'],
};

const transcript: string[] = [];
/** Every answer in full (the transcript cuts them), for the leak check. */
const answers: string[] = [];

/** The token the MCP client presents, stored in the Bearer Auth credential the example's trigger names. */
const MCP_TOKEN = `enable-mcp-e2e-${randomBytes(16).toString('hex')}`;

interface Answer {
	isError: boolean;
	text: string;
	rows: Row[];
}

async function call(client: Client, name: string, args: Record<string, unknown>): Promise<Answer> {
	const result = (await client.callTool({ name, arguments: args })) as { isError?: boolean; content: Array<{ type: string; text?: string }> };
	const text = result.content.map((part) => part.text ?? '').join('\n');
	answers.push(text);
	let rows: Row[] = [];
	if (!result.isError) {
		const parsed = JSON.parse(text) as unknown;
		rows = (Array.isArray(parsed) ? parsed : [parsed]) as Row[];
	}
	const shown = text.length > 220 ? `${text.slice(0, 220)}… (${text.length} characters)` : text;
	transcript.push(`→ ${name} ${JSON.stringify(args)}`, `← ${result.isError ? 'error: ' : ''}${shown}`);
	return { isError: Boolean(result.isError), text, rows };
}

async function main(): Promise<void> {
	const started = Date.now();
	if (Number(N8N_VERSION.split('.')[0]) < 2) throw new HostError(`e2e:mcp needs n8n 2.41 (its MCP Server Trigger); N8N_VERSION is ${N8N_VERSION}`);
	const host = await ensureN8n();
	// Opaque tokens: the leak check finds a token by its exact value, not by a JWT's shape.
	const simulator: EnableSimulator = await startSimulator({ counts: { deals: 40, earnings: 90, users: 8 }, tokenFormat: 'opaque' });
	const packDir = mkdtempSync(path.join(os.tmpdir(), 'n8n-nodes-enable-pack-'));
	// The package arrives as the Docker image lays it out (deploy/Dockerfile): n8n must load it through the link.
	const instance = await N8nInstance.createLikeImage(host, await packPackage(packDir));
	rmSync(packDir, { recursive: true, force: true });
	const example = loadExamples().find((workflow) => workflow.id === 'enableMcpServer');
	const trigger = example?.nodes.find((node) => node.type === '@n8n/n8n-nodes-langchain.mcpTrigger');
	let server: Awaited<ReturnType<N8nInstance['start']>> | undefined;
	const client = new Client({ name: 'n8n-nodes-enable-e2e', version: '1.0.0' });
	try {
		await check('the MCP server example imports and is published with Bearer Auth on its trigger; n8n starts with it, the package linked in as the Docker image links it', async () => {
			assert(example && trigger, 'examples/enable-mcp-server.json or its MCP Server Trigger is missing');
			assert(trigger.parameters.authentication === 'bearerAuth', `the trigger's authentication is ${String(trigger.parameters.authentication)}, not bearerAuth`);
			// The example names a placeholder credential; a user picks their own, the test imports one under that id.
			const bearer = (trigger.credentials as Record<string, { id: string; name: string }> | undefined)?.httpBearerAuth;
			assert(bearer && bearer.id.startsWith('REPLACE_WITH_'), `the trigger's bearer credential is ${JSON.stringify(bearer)}, not a placeholder`);
			await instance.importSandboxCredential(simulator.baseUrl);
			await instance.importCredentials([{ ...bearer, type: 'httpBearerAuth', data: { token: MCP_TOKEN } }]);
			await instance.importWorkflow(example);
			await instance.publish(example.id);
			server = await instance.start();
		});
		// Without n8n no MCP check can run: end here, non-zero (the failed check above says why).
		if (!server) throw new HostError('n8n did not start with the MCP server example, so no MCP check ran');
		const endpoint = `${server.url}/mcp/enable`;
		console.log(`e2e:mcp: n8n ${host.version}, MCP endpoint ${endpoint}`);

		await check('an MCP client sending the bearer token connects and lists the five Enable tools, with descriptions and input schemas', async () => {
			// n8n registers the trigger's webhooks while it activates workflows, just after it reports ready.
			const deadline = Date.now() + 60_000;
			for (;;) {
				try {
					await client.connect(new StreamableHTTPClientTransport(new URL(endpoint), { requestInit: { headers: { Authorization: `Bearer ${MCP_TOKEN}` } } }));
					break;
				} catch (error) {
					// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- the MCP client's own error, reported by the check as it is
					if (!String(error).includes('is not registered') || Date.now() > deadline) throw error;
					await new Promise((resolve) => setTimeout(resolve, 1000));
				}
			}
			const { tools } = await client.listTools();
			const byName = Object.fromEntries(tools.map((tool) => [tool.name, tool]));
			assert(JSON.stringify(Object.keys(byName).sort()) === JSON.stringify(Object.keys(TOOLS).sort()), `tools: ${Object.keys(byName).join(', ')}`);
			for (const [name, parameters] of Object.entries(TOOLS)) {
				const tool = byName[name];
				const properties = (tool.inputSchema as { properties?: Record<string, { type?: string; description?: string }> }).properties ?? {};
				assert(JSON.stringify(Object.keys(properties).sort()) === JSON.stringify([...parameters].sort()), `${name} takes ${Object.keys(properties).join(', ')}`);
				for (const [parameter, schema] of Object.entries(properties)) assert(schema.description && schema.description.length > 10, `${name}.${parameter} has no description`);
				assert((tool.description ?? '').length > 30, `${name} has no description`);
				transcript.push(`tool ${name}(${parameters.map((parameter) => `${parameter}: ${properties[parameter]?.type ?? '?'}`).join(', ')}): ${tool.description ?? ''}`);
			}
			assert(byName.get_deals.description?.startsWith('Lists Enable rebate deals'), `get_deals reads: ${byName.get_deals.description}`);
		});

		await check('without the bearer token, or with another, n8n refuses the call (401/403) and Enable is not asked', async () => {
			const apiRequests = simulator.stats().apiRequests;
			const toolCall = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'get_deals', arguments: { limit: 1, filterAttribute: '', filterValue: '' } } });
			const initialize = JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-03-26', capabilities: {}, clientInfo: { name: 'no-token', version: '1' } } });
			const headers = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' };
			const attempts: Array<[string, RequestInit]> = [
				['initialize without a token', { method: 'POST', headers, body: initialize }],
				['a tool call without a token', { method: 'POST', headers, body: toolCall }],
				['a tool call with another token', { method: 'POST', headers: { ...headers, Authorization: 'Bearer not-the-token' }, body: toolCall }],
				['a tool call with the token but no "Bearer "', { method: 'POST', headers: { ...headers, Authorization: MCP_TOKEN }, body: toolCall }],
				['the GET endpoint without a token', { method: 'GET', headers: { Accept: 'text/event-stream' } }],
			];
			for (const [what, init] of attempts) {
				const response = await fetch(endpoint, { ...init, signal: AbortSignal.timeout(15_000) });
				const body = await response.text();
				assert(response.status === 401 || response.status === 403, `${what}: HTTP ${response.status} ${body.slice(0, 200)}`);
				transcript.push(`refused: ${what} → HTTP ${response.status}`);
			}
			// The SDK's client without the header cannot connect either.
			const stranger = new Client({ name: 'n8n-nodes-enable-e2e-no-token', version: '1.0.0' });
			const refused = await stranger.connect(new StreamableHTTPClientTransport(new URL(endpoint))).then(
				() => undefined,
				(error: unknown) => String(error),
			);
			await stranger.close().catch(() => undefined);
			assert(refused !== undefined, 'an MCP client without the token connected');
			assert(simulator.stats().apiRequests === apiRequests, `Enable received ${simulator.stats().apiRequests - apiRequests} requests from refused calls`);
		});

		const growth = simulator.store.list('deals').filter((deal) => deal.attributes.dealType === '02 - Growth Rebate');
		const earningsOf = (dealId: string) => simulator.store.list('earnings').filter((earning) => (earning.relationships?.deal?.data as { id: string } | null)?.id === dealId);
		// A deal with earnings, so that get_deal_earnings has something to show.
		const deal = growth.find((entry) => earningsOf(entry.id).length >= 2) ?? growth[0];
		const partnerOf = (id: string) => simulator.store.get('trading-partners', id);

		await check('get_deals with a filter and a limit: the first growth deals, each with its trading partner named', async () => {
			const { rows } = await call(client, 'get_deals', { limit: 5, filterAttribute: 'dealType', filterValue: '02 - Growth Rebate' });
			assert(JSON.stringify(rows.map((row) => row.id)) === JSON.stringify(growth.slice(0, 5).map((entry) => entry.id)), `ids ${JSON.stringify(rows.map((row) => row.id))}`);
			for (const row of rows) {
				const partner = (row.relationships as Record<string, Row>).tradingPartner;
				assert(partner.name === partnerOf(String(partner.id))?.attributes.name && Object.keys(partner).length === 2, `partner ${JSON.stringify(partner)}`);
			}
		});

		await check('get_deals with the optional filter left empty: every deal up to the limit', async () => {
			const { rows } = await call(client, 'get_deals', { limit: 3, filterAttribute: '', filterValue: '' });
			assert(JSON.stringify(rows.map((row) => row.id)) === JSON.stringify(simulator.store.list('deals').slice(0, 3).map((entry) => entry.id)), `ids ${JSON.stringify(rows.map((row) => row.id))}`);
		});

		await check('get_deal: one deal, its trading partner, owner and scheme named', async () => {
			const { rows } = await call(client, 'get_deal', { dealId: deal.id });
			const [row] = rows;
			const partnerId = (deal.relationships?.tradingPartner?.data as { id: string }).id;
			assert(row.id === deal.id && row.reference === deal.attributes.reference, `deal ${JSON.stringify(row)}`);
			assert(JSON.stringify((row.relationships as Row).tradingPartner) === JSON.stringify({ id: partnerId, name: partnerOf(partnerId)?.attributes.name }), `partner ${JSON.stringify((row.relationships as Row).tradingPartner)}`);
		});

		await check("get_deal_earnings: exactly that deal's earnings", async () => {
			const expected = earningsOf(deal.id);
			assert(expected.length >= 2, `the simulator's deal ${deal.id} has ${expected.length} earnings`);
			const { rows } = await call(client, 'get_deal_earnings', { dealId: deal.id, limit: 50 });
			assert(JSON.stringify(rows.map((row) => row.id)) === JSON.stringify(expected.map((earning) => earning.id)), `earnings ${JSON.stringify(rows.map((row) => row.id))}, expected ${JSON.stringify(expected.map((earning) => earning.id))}`);
			assert(rows.every((row) => typeof row.amount === 'number' && typeof row.period === 'string'), 'an earning lacks its amount or period');
		});

		await check('deal_earnings_report: the report rows of that deal, by product', async () => {
			const { rows } = await call(client, 'deal_earnings_report', { dealId: deal.id, dimensionIds: 'DM01' });
			assert(rows.length === DIMENSIONS.DM01.items.length, `${rows.length} rows, expected ${DIMENSIONS.DM01.items.length}`);
			assert(rows.every((row) => row.deal === deal.id), `rows of other deals: ${JSON.stringify(rows.map((row) => row.deal))}`);
			assert((rows[0].items as Row[])[0].name === DIMENSIONS.DM01.items[0], `row ${JSON.stringify(rows[0])}`);
		});

		await check('get_trading_partner: the trading partner by id', async () => {
			const { rows } = await call(client, 'get_trading_partner', { tradingPartnerId: 'TP02' });
			assert(rows[0].id === 'TP02' && rows[0].name === partnerOf('TP02')?.attributes.name, `partner ${JSON.stringify(rows[0])}`);
		});

		await check("a wrong id: the node's readable message, no stack", async () => {
			const answer = await call(client, 'get_deal', { dealId: 'Nope' });
			assert(answer.isError, `not an error: ${answer.text}`);
			assert(answer.text.includes('The deal "Nope" was not found in Enable'), `message: ${answer.text}`);
			assert(!/\n\s+at /.test(answer.text), `a stack trace reached the client: ${answer.text}`);
		});

		await check("while Enable rate-limits (429, Retry-After: 120): the node's message, at once", async () => {
			simulator.addFault({ kind: 'status', status: 429, onRequest: simulator.stats().apiRequests + 1, times: 5, retryAfter: 120 });
			const since = Date.now();
			const answer = await call(client, 'get_deals', { limit: 5, filterAttribute: '', filterValue: '' });
			simulator.clearFaults();
			assert(answer.isError && answer.text.includes('Enable is rate-limiting requests (HTTP 429)') && answer.text.includes('in 120 s'), `answer: ${answer.text}`);
			assert(Date.now() - since < 20_000, `the answer took ${Math.round((Date.now() - since) / 1000)} s`);
		});

		await check("no Enable token, client secret or MCP bearer token in the answers or n8n's log (each looked for by its exact value)", async () => {
			assert(simulator.issuedTokens().length > 0, 'the simulator issued no token');
			assert(answers.length >= 8, `only ${answers.length} answers to look through`);
			assertNoLeak(simulator, answers.join('\n'), 'the answers the MCP client received', { 'MCP bearer token': MCP_TOKEN });
			assertNoLeak(simulator, (server as NonNullable<typeof server>).log(), "n8n's log", { 'MCP bearer token': MCP_TOKEN });
		});
	} finally {
		await client.close().catch(() => undefined);
		await server?.stop();
		await simulator.close();
		instance.cleanup();
	}
	console.log('\nTranscript (docs/mcp.md shows it, from e2e/results/mcp.json):');
	for (const line of transcript) console.log(`  ${line}`);
	// What `npm run figures` renders into docs/mcp.md; committed from a local run (CI rewrites its own copy).
	mkdirSync(path.join(__dirname, 'results'), { recursive: true });
	const failed = results.filter((result) => result.error).length;
	writeFileSync(path.join(__dirname, 'results', 'mcp.json'), `${JSON.stringify({ date: new Date().toISOString(), n8n: host.version, passed: results.length - failed, failed, transcript }, null, 2)}\n`);
	finish(`e2e:mcp (n8n ${host.version})`, started);
}

main().catch((error: unknown) => {
	console.error(error instanceof HostError ? `e2e:mcp: ${error.message}` : `e2e:mcp: ${error instanceof Error ? error.stack : String(error)}`);
	process.exit(1);
});
