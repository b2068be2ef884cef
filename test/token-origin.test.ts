/**
 * The token stays with Enable: the credential attaches its Bearer token only to requests for its
 * Base URL's origin. The HTTP Request node (or any node) using the Enable credential against another
 * host gets a clear error naming both hosts, and that host receives nothing.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports -- development tooling, never published: it runs in Node, with its files, processes and console */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import type { IExecuteFunctions } from 'n8n-workflow';

import { EnableApi } from '../credentials/EnableApi.credentials';
import { type EnableSimulator, startSimulator } from '../sandbox/simulator';
import { credentialFor, inNodeContext, TestCredentialsHelper } from './harness/n8n';

let simulator: EnableSimulator;
let elsewhere: http.Server;
const reached: http.IncomingHttpHeaders[] = [];

beforeEach(async () => {
	simulator = await startSimulator({ counts: { deals: 3, users: 2 } });
	reached.length = 0;
	elsewhere = http.createServer((req, res) => {
		reached.push(req.headers);
		res.end('{}');
	});
	await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
});

afterEach(async () => {
	await simulator.close();
	elsewhere.closeAllConnections();
	await new Promise((resolve) => elsewhere.close(resolve));
});

const elsewhereUrl = () => `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}/v1/deals`;

async function requestWithEnableCredential(url: string): Promise<unknown> {
	const helper = new TestCredentialsHelper(credentialFor(simulator.baseUrl));
	return await inNodeContext(helper, async (context: IExecuteFunctions) =>
		await context.helpers.httpRequestWithAuthentication.call(context, 'enableApi', { method: 'GET', url, json: true }),
	);
}

test("a request to the Base URL's host carries the token", async () => {
	const answer = (await requestWithEnableCredential(`${simulator.baseUrl}/v1/deals`)) as { data: unknown[] };
	expect(answer.data).toHaveLength(3);
	expect(simulator.requestLog.find((entry) => entry.path === '/v1/deals')?.hadAuthorization).toBe(true);
});

test('a request to another host fails naming both hosts, and that host receives nothing', async () => {
	const base = new URL(simulator.baseUrl).host;
	const other = new URL(elsewhereUrl()).host;
	const failure = await requestWithEnableCredential(elsewhereUrl()).catch((error: unknown) => error as Error & { description?: string });
	expect((failure as Error).message).toContain(`The Enable credential only sends its token to ${base}, not to ${other}`);
	expect(reached).toHaveLength(0);
});

test("the HTTP Request node's request shape (uri) is held to the same rule", async () => {
	const helper = new TestCredentialsHelper(credentialFor(simulator.baseUrl));
	const request = async (uri: string) =>
		await inNodeContext(helper, async (context: IExecuteFunctions) => await context.helpers.requestWithAuthentication.call(context, 'enableApi', { method: 'GET', uri, json: true }));
	const failure = await request(elsewhereUrl()).catch((error: unknown) => error as Error);
	expect((failure as Error).message).toContain('The Enable credential only sends its token to');
	expect(reached).toHaveLength(0);
	const answer = (await request(`${simulator.baseUrl}/v1/deals`)) as { data: unknown[] };
	expect(answer.data).toHaveLength(3);
});

test('the same host on another port, or another scheme, is another origin', async () => {
	const { port } = new URL(simulator.baseUrl);
	for (const url of [`http://127.0.0.1:${Number(port) + 1}/v1/deals`, `https://127.0.0.1:${port}/v1/deals`]) {
		await expect(requestWithEnableCredential(url)).rejects.toThrow('The Enable credential only sends its token to');
	}
});

describe('wherever n8n follows a redirect, the token goes to the Base URL origin only', () => {
	// n8n 1.123 and 2.41 both read these two options on every redirect of both request shapes
	// (getBeforeRedirectFn): a host outside allowedDomains is refused before anything is sent, and
	// without sendCredentialsOnCrossOriginRedirect the token is not put back for another origin.
	// test/redirects.test.ts follows real redirects through n8n-core 2.41.1.
	const authenticate = async (requestOptions: Record<string, unknown>) => {
		const helper = new TestCredentialsHelper(credentialFor(simulator.baseUrl));
		return (await inNodeContext(helper, async (context: IExecuteFunctions) => {
			const data = await context.getCredentials('enableApi');
			const issued = await new EnableApi().preAuthentication.call({ helpers: { httpRequest: context.helpers.httpRequest } }, data);
			return await (new EnableApi().authenticate as (c: unknown, o: unknown) => Promise<Record<string, unknown>>)({ ...data, ...issued }, requestOptions);
		})) as Record<string, unknown>;
	};

	test.each([
		['url', (url: string) => ({ method: 'GET', url })],
		// As the HTTP Request node sends it, told to follow every redirect and send credentials along.
		['uri', (uri: string) => ({ method: 'GET', uri, followRedirect: true, followAllRedirects: true, sendCredentialsOnCrossOriginRedirect: true })],
	])('%s: the Base URL host name is the only one allowed, and credentials stay on its origin', async (_label, shape) => {
		const options = shape(`${simulator.baseUrl}/v1/deals`);
		const authenticated = await authenticate(options);
		expect(authenticated).toEqual(expect.objectContaining({ ...options, sendCredentialsOnCrossOriginRedirect: false, allowedDomains: '127.0.0.1' }));
	});

	test("a list of allowed domains set on the credential is narrowed to the Base URL's host, or kept when it excludes it", async () => {
		const url = `${simulator.baseUrl}/v1/deals`;
		expect(await authenticate({ url, allowedDomains: '*.example.com, 127.0.0.1' })).toEqual(expect.objectContaining({ allowedDomains: '127.0.0.1' }));
		// n8n then refuses the request itself, as the user's list says.
		expect(await authenticate({ url, allowedDomains: 'api.example.com' })).toEqual(expect.objectContaining({ allowedDomains: 'api.example.com' }));
	});
});
