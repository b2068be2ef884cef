/**
 * No credential leaves the Base URL's origin, even through a redirect (issue 29, item 1). The
 * Base URL is a small front server that passes requests on to the simulator, or answers a chosen
 * one with 301, 302, 303, 307 or 308. A redirect to another origin points at a second server that
 * records what reaches it: by another host name (`localhost`) or by the Base URL's host name on
 * another port. Everything runs through n8n-core's real request helpers (WorkflowExecute).
 *
 * - The Enable node (Get Many's next page, Get, the report's job link) and the token request
 *   refuse such a redirect with an error naming both origins; the other server receives nothing.
 * - The HTTP Request node (the credential's `authenticate`, in both request shapes n8n uses, with
 *   n8n told to follow redirects and to send credentials across origins) never carries the token
 *   there: another host name is refused by n8n; another port gets the request without it.
 * - Redirects within the Base URL's origin still deliver the data, except at the token endpoint,
 *   which is never followed.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports -- development tooling, never published: it runs in Node, with its files, processes and console */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { EnableApi } from '../credentials/EnableApi.credentials';
import { requestAccessToken } from '../nodes/Enable/transport/auth';
import { enableRequest } from '../nodes/Enable/transport/request';
import { type EnableSimulator, startSimulator } from '../sandbox/simulator';
import { restoreClock, useVirtualClock } from './harness/clock';
import { credentialFor, inNodeContext, runEnableNode, TestCredentialsHelper } from './harness/n8n';
import { findLeaks } from './harness/secrets';

// eslint-disable-next-line @n8n/community-nodes/no-hardcoded-secrets -- a made-up secret: the tests check it never leaks
const SECRET = 'redirect-secret-7a6b5c4d';
const CLIENT = {
	clientId: '2c9d8e7f-6a5b-4c3d-8e9f-0a1b2c3d4e5f',
	clientSecret: SECRET,
	registrationId: '9f8e7d6c-5b4a-4392-8172-6d5c4b3a2f1e',
	scopes: ['read:deals' as const, 'read:activity' as const, 'read:users' as const],
};
const STATUSES = [301, 302, 303, 307, 308] as const;

/** One answer the front server gives instead of passing the request on: the nth matching request (0: every one). */
interface RedirectRule {
	method: string;
	path: RegExp;
	nth: number;
	status: number;
	location: (url: URL) => string;
	seen: number;
}

interface Reached {
	method: string;
	url: string;
	authorization?: string;
	body: string;
	headers: http.IncomingHttpHeaders;
}

async function listen(server: http.Server, host: string): Promise<void> {
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, host, () => resolve());
	});
}

async function close(server: http.Server): Promise<void> {
	server.closeAllConnections();
	await new Promise((resolve) => server.close(resolve));
}

async function readBody(req: http.IncomingMessage): Promise<string> {
	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks).toString('utf8');
}

let simulator: EnableSimulator;
let front: http.Server;
let elsewhere: http.Server;
let rules: RedirectRule[];
let reached: Reached[];
let helper: TestCredentialsHelper;

const port = (server: http.Server) => (server.address() as AddressInfo).port;
const frontOrigin = () => `http://127.0.0.1:${port(front)}`;
const simulatorPort = () => Number(new URL(simulator.baseUrl).port);

/** The other origins a redirect may point at: another host name, and the same host name on another port. */
const TARGETS = {
	'another host name': () => `http://localhost:${port(elsewhere)}`,
	'another port': () => `http://127.0.0.1:${port(elsewhere)}`,
} as const;
type Target = keyof typeof TARGETS;
const TARGET_NAMES = Object.keys(TARGETS) as Target[];

beforeEach(async () => {
	simulator = await startSimulator({ clients: [CLIENT], counts: { deals: 12, users: 3 }, report: { pendingPolls: 1 }, tokenFormat: 'opaque' });
	rules = [];
	reached = [];
	front = http.createServer((req, res) => {
		const url = new URL(req.url ?? '/', 'http://front.local');
		// Every matching rule counts the request; the first that is due answers it.
		const due = rules.filter((rule) => req.method === rule.method && rule.path.test(url.pathname) && (++rule.seen === rule.nth || rule.nth === 0));
		if (due.length) {
			req.resume();
			res.writeHead(due[0].status, { Location: due[0].location(url) });
			res.end();
			return;
		}
		// `/moved/...` is the same resource under another path of the same origin.
		const path = `${url.pathname.replace(/^\/moved(?=\/)/, '')}${url.search}`;
		const upstream = http.request({ host: '127.0.0.1', port: simulatorPort(), method: req.method, path, headers: req.headers }, (answer) => {
			res.writeHead(answer.statusCode ?? 502, answer.headers);
			answer.pipe(res);
		});
		upstream.on('error', () => res.destroy());
		req.pipe(upstream);
	});
	await listen(front, '127.0.0.1');
	elsewhere = http.createServer((req, res) => {
		void readBody(req).then((body) => {
			reached.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization, body, headers: req.headers });
			res.writeHead(200, { 'Content-Type': 'application/json' });
			res.end(JSON.stringify({ data: [{ type: 'deals', id: 'NOT-ENABLE' }], access_token: 'issued-elsewhere' }));
		});
	});
	// Both stacks where the machine has them, so `localhost` reaches it whichever address it names.
	await listen(elsewhere, '::').catch(async () => await listen(elsewhere, '127.0.0.1'));
	helper = new TestCredentialsHelper(credentialFor(frontOrigin(), CLIENT));
});

afterEach(async () => {
	restoreClock();
	await close(front);
	await close(elsewhere);
	await simulator.close();
});

function redirect(method: string, path: RegExp, status: number, location: (url: URL) => string, nth = 1): void {
	rules.push({ method, path, nth, status, location, seen: 0 });
}

/** Neither the secret nor any issued token anywhere in `value`, nor in anything the other server received. */
function expectNoLeak(value: unknown): void {
	const secrets = { 'client secret': SECRET, 'access token': simulator.issuedTokens() };
	expect(findLeaks(value, secrets)).toEqual([]);
	expect(findLeaks(reached, secrets)).toEqual([]);
	expect(reached.filter((request) => request.authorization !== undefined)).toEqual([]);
}

test('the other server is reachable under both names, so "it received nothing" means something', async () => {
	for (const name of TARGET_NAMES) {
		const answer = await fetch(`${TARGETS[name]()}/check`);
		expect(answer.status).toBe(200);
	}
	expect(reached.map((request) => request.url)).toEqual(['/check', '/check']);
});

const GET_MANY = { resource: 'deal', operation: 'getAll', returnAll: true, options: { pageSize: 5 } };
const dealIds = () => simulator.store.list('deals').map((record) => record.id);

describe('the Enable node refuses a redirect to another origin, naming both; that origin receives nothing', () => {
	const cases = STATUSES.flatMap((status) => TARGET_NAMES.map((target) => [status, target] as const));

	/** The run's error names the redirect's origin and the Base URL's, and nothing reached the other server. */
	function expectRefused(error: { message: string; description?: string | null } | undefined, status: number, target: Target): void {
		const other = TARGETS[target]();
		expect(error?.message).toContain(`redirects to another origin (${other}); n8n did not follow it`);
		expect(error?.description).toContain(`The credential's Base URL is ${frontOrigin()}; the answer (HTTP ${status}) pointed to ${other}.`);
		expect(error?.description).toContain(`your access token was not sent to ${other}`);
		expect(reached).toEqual([]);
	}

	test.each(cases)('Get Many: %i from the second page to %s', async (status, target) => {
		redirect('GET', /^\/v1\/deals$/, status, (url) => `${TARGETS[target]()}/v1/deals${url.search}`, 2);
		const result = await runEnableNode({ helper, parameters: GET_MANY });
		expectRefused(result.error, status, target);
		expect(result.error?.message).toMatch(/^Enable's answer to GET \/v1\/deals\?.+ redirects to another origin/);
		expectNoLeak(result.run);
	});

	test.each(cases)('Get: %i to %s', async (status, target) => {
		const id = dealIds()[3];
		redirect('GET', /^\/v1\/deals\/[^/]+$/, status, (url) => `${TARGETS[target]()}${url.pathname}`);
		const result = await runEnableNode({ helper, parameters: { resource: 'deal', operation: 'get', dealId: id } });
		expectRefused(result.error, status, target);
		expect(result.error?.httpCode).toBe(String(status));
		expectNoLeak(result.run);
	});

	test.each(cases)("the report's job link: %i to %s", async (status, target) => {
		useVirtualClock();
		redirect('GET', /\/queue-jobs\//, status, (url) => `${TARGETS[target]()}${url.pathname}`);
		const result = await runEnableNode({ helper, parameters: { resource: 'report', operation: 'dealEarnings', viewBy: [] } });
		expectRefused(result.error, status, target);
		expect(result.error?.message).toMatch(/^Enable's answer to GET \/v1\/reports\/deal-earnings\/queue-jobs\/\w+ redirects/);
		expectNoLeak(result.run);
	});
});

describe('the token request never follows a redirect: a clear credential error, and the secret goes nowhere else', () => {
	const cases = STATUSES.flatMap((status) => TARGET_NAMES.map((target) => [status, target] as const));

	test.each(cases)('%i to %s, in a workflow and in the Test button', async (status, target) => {
		const other = TARGETS[target]();
		redirect('POST', /^\/oauth2\/token$/, status, () => `${other}/oauth2/token`, 1);
		const result = await runEnableNode({ helper, parameters: GET_MANY });
		expect(result.error?.message).toBe(`Enable's token endpoint answered with a redirect (HTTP ${status}) to ${other}; n8n did not follow it`);
		expect(result.error?.description).toContain(`so the Client Secret went to ${frontOrigin()} only, not to ${other}`);
		expect(result.error?.failure).toEqual({ cause: 'credential-invalid' });
		expectNoLeak(result.run);

		// The credential's Test button runs the same token request.
		rules = [];
		redirect('POST', /^\/oauth2\/token$/, status, () => `${other}/oauth2/token`);
		const data = credentialFor(frontOrigin(), CLIENT);
		const failure = await inNodeContext(new TestCredentialsHelper(data), async (context: IExecuteFunctions) =>
			await new EnableApi().preAuthentication.call({ helpers: { httpRequest: context.helpers.httpRequest } }, data),
		).catch((error: unknown) => error as Error);
		expect((failure as Error).message).toBe(`Enable's token endpoint answered with a redirect (HTTP ${status}) to ${other}; n8n did not follow it`);
		expect(reached).toEqual([]);
		expect(simulator.stats().tokenRequests).toBe(0);
		expectNoLeak(failure);
	});

	test.each(STATUSES)('%i within the origin: not followed either', async (status) => {
		redirect('POST', /^\/oauth2\/token$/, status, () => '/moved/oauth2/token');
		const result = await runEnableNode({ helper, parameters: GET_MANY });
		expect(result.error?.message).toBe(`Enable's token endpoint answered with a redirect (HTTP ${status}) to ${frontOrigin()}; n8n did not follow it`);
		expect(simulator.stats().tokenRequests).toBe(0);
	});
});

describe('the HTTP Request node with the Enable credential never carries the token to another origin', () => {
	/**
	 * As the HTTP Request node (4.2, its defaults) sends a GET: n8n follows every redirect and, by
	 * default, sends credentials across origins. The credential's `authenticate` overrides both.
	 */
	const legacyRequest = async (uri: string) =>
		await inNodeContext(helper, async (context: IExecuteFunctions) =>
			await context.helpers.requestWithAuthentication.call(context, 'enableApi', {
				method: 'GET',
				uri,
				headers: {},
				json: true,
				followRedirect: true,
				followAllRedirects: true,
				resolveWithFullResponse: true,
				sendCredentialsOnCrossOriginRedirect: true,
			} as never),
		);
	/** The newer shape (a node calling httpRequestWithAuthentication and asking for credentials across origins). */
	const newerRequest = async (url: string) =>
		await inNodeContext(helper, async (context: IExecuteFunctions) =>
			await context.helpers.httpRequestWithAuthentication.call(context, 'enableApi', {
				method: 'GET',
				url,
				json: true,
				sendCredentialsOnCrossOriginRedirect: true,
			}),
		);
	const shapes = { 'request (uri)': legacyRequest, 'httpRequest (url)': newerRequest } as const;
	const cases = STATUSES.flatMap((status) => (Object.keys(shapes) as Array<keyof typeof shapes>).map((shape) => [status, shape] as const));

	// n8n renews the token and sends the request again after a failure (the older shape after any
	// failure): every attempt is redirected.
	test.each(cases)('%i to another host name, %s: n8n refuses to follow it', async (status, shape) => {
		redirect('GET', /^\/v1\/deals$/, status, (url) => `${TARGETS['another host name']()}/v1/deals${url.search}`, 0);
		const failure = await shapes[shape](`${frontOrigin()}/v1/deals`).catch((error: unknown) => error as Error);
		expect(failure).toBeInstanceOf(Error);
		// n8n's words: the redirect's host is not the credential's (the Base URL's host name).
		const messages = messagesOf(failure);
		expect(messages).toMatch(new RegExp(`Domain not allowed: This credential is restricted from accessing .*localhost:${port(elsewhere)}.*Only the following domains are allowed: 127\\.0\\.0\\.1`));
		expect(reached).toEqual([]);
		expectNoLeak(messages);
	});

	test.each(cases)('%i to the same host name on another port, %s: followed without the token', async (status, shape) => {
		redirect('GET', /^\/v1\/deals$/, status, (url) => `${TARGETS['another port']()}/v1/deals${url.search}`, 0);
		const answer = (await shapes[shape](`${frontOrigin()}/v1/deals`)) as IDataObject;
		expect(reached).toHaveLength(1);
		expect(reached[0].authorization).toBeUndefined();
		// What the node outputs is that server's answer (the older shape answers the full response).
		const body = 'body' in answer ? answer.body : answer;
		expect(JSON.stringify(body)).toContain('NOT-ENABLE');
		expectNoLeak(body);
	});

	test.each(cases)('%i within the Base URL origin, %s: followed with the token, the data arrives', async (status, shape) => {
		redirect('GET', /^\/v1\/deals$/, status, (url) => `/moved/v1/deals${url.search}`, 1);
		const answer = (await shapes[shape](`${frontOrigin()}/v1/deals`)) as IDataObject;
		const body = ('body' in answer ? answer.body : answer) as { data: unknown[] };
		expect(body.data).toHaveLength(12);
		expect(simulator.requestLog.filter((entry) => entry.path === '/v1/deals').map((entry) => [entry.status, entry.hadAuthorization])).toEqual([[200, true]]);
		expect(reached).toEqual([]);
	});
});

describe('redirects within the Base URL origin keep working in the Enable node', () => {
	test.each(STATUSES)('Get Many: %i on the second page, to a relative and to an absolute Location', async (status) => {
		redirect('GET', /^\/v1\/deals$/, status, (url) => `/moved/v1/deals${url.search}`, 2);
		redirect('GET', /^\/v1\/deals$/, status, (url) => `${frontOrigin()}/moved/v1/deals${url.search}`, 3);
		const result = await runEnableNode({ helper, parameters: GET_MANY });
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.json.id)).toEqual(dealIds());
		expect(simulator.stats().pageRequests['/v1/deals']).toBe(3);
		expect(reached).toEqual([]);
	});

	test.each(STATUSES)('Get: %i', async (status) => {
		const id = dealIds()[5];
		redirect('GET', /^\/v1\/deals\/[^/]+$/, status, (url) => `/moved${url.pathname}`);
		const result = await runEnableNode({ helper, parameters: { resource: 'deal', operation: 'get', dealId: id } });
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.json.id)).toEqual([id]);
	});

	test("the report: the job's own 303 to its result, after each of the five redirects on its job link", async () => {
		useVirtualClock();
		for (const status of STATUSES) {
			rules = [];
			redirect('GET', /\/queue-jobs\//, status, (url) => `/moved${url.pathname}`);
			const result = await runEnableNode({ helper, parameters: { resource: 'report', operation: 'dealEarnings', viewBy: [] } });
			expect(result.error).toBeUndefined();
			expect(result.items).toHaveLength(12);
		}
		expect(simulator.requestLog.filter((entry) => entry.path.includes('/queue-jobs/')).map((entry) => entry.status)).toEqual(Array(5).fill([200, 303]).flat());
		expect(reached).toEqual([]);
	});

	test('a redirect loop within the origin stops after 10 redirects', async () => {
		redirect('GET', /^\/v1\/deals$/, 302, (url) => `/v1/deals${url.search}`, 0);
		const result = await runEnableNode({ helper, parameters: GET_MANY });
		expect(result.error?.message).toMatch(/^Enable redirected GET \/v1\/deals\?.+ more than 10 times$/);
		// The first answer and the ten redirects followed.
		expect(rules[0].seen).toBe(11);
	});
});

/** The messages of an error and of its causes: what n8n shows of it. */
function messagesOf(error: unknown): string {
	const parts: string[] = [];
	for (let current = error as { message?: unknown; cause?: unknown } | undefined, depth = 0; current && depth < 5; current = current.cause as typeof current, depth++) {
		if (typeof current.message === 'string') parts.push(current.message);
	}
	return parts.join('\n');
}

/**
 * n8n 1.123 (n8n-core 1.122.48) follows redirects in its request helpers too, and reads fewer
 * options than 2.41: `disableFollowRedirect` (not `maxRedirects`) for httpRequest, and
 * `sendCredentialsOnCrossOriginRedirect` and `allowedDomains` in both shapes (getBeforeRedirectFn).
 * These jest runs use n8n-core 2.41.1, so this checks that every request asks for what 1.123 reads.
 */
describe('what n8n 1.123 is asked', () => {
	/** A context whose helpers record the options they are given and answer 200. */
	function recording() {
		const sent: IDataObject[] = [];
		const context = {
			getNode: () => ({ id: '1', name: 'Enable', type: 'n8n-nodes-enable.enable', typeVersion: 1, position: [0, 0], parameters: {} }),
			helpers: {
				httpRequestWithAuthentication: async (_type: string, options: IDataObject) => {
					sent.push(options);
					return { statusCode: 200, headers: {}, body: { data: [] } };
				},
				httpRequest: async (options: IDataObject) => {
					sent.push(options);
					return { statusCode: 200, headers: {}, body: { access_token: 'a-token' } };
				},
			},
		} as unknown as IExecuteFunctions;
		return { sent, context };
	}

	test('the token request: no redirect is followed by n8n', async () => {
		const { sent, context } = recording();
		await requestAccessToken(context as never, credentialFor(frontOrigin(), CLIENT));
		expect(sent).toEqual([expect.objectContaining({ method: 'POST', disableFollowRedirect: true, maxRedirects: 0 })]);
	});

	test("the Enable node's requests: no redirect is followed by n8n, and every answer comes back as it is", async () => {
		const { sent, context } = recording();
		const subject = { name: 'Deal', noun: 'deal', nouns: 'deals', scope: 'read:deals', scopePublished: true };
		const connection = { baseUrl: frontOrigin(), credentials: { id: 'c', name: 'c', type: 'enableApi', data: {} }, gate: { pausedUntil: 0 } };
		await enableRequest(context, connection, { url: `${frontOrigin()}/v1/deals`, subject, itemIndex: 0, expect: 'list' });
		expect(sent).toEqual([expect.objectContaining({ disableFollowRedirect: true, maxRedirects: 0, returnFullResponse: true, ignoreHttpStatusErrors: true })]);
	});
});
