/**
 * The `enableApi` credential against the simulator, through n8n's real HTTP helpers: the form it
 * sends, its validation, every token failure's message, the secret never leaking, the credential
 * test for each granted scope subset, and n8n's refresh contract.
 */
import type { ICredentialDataDecryptedObject, IExecuteFunctions, INode } from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';

import { CREDENTIAL_TEST_HEADER, EnableApi } from '../credentials/EnableApi.credentials';
import { RETRY_LIMITS } from '../nodes/Enable/transport/request';
import { ALL_SCOPES, DEMO_CLIENT, type EnableSimulator, type Scope, startSimulator } from '../sandbox/simulator';
import { restoreClock, useVirtualClock, wakeInTurn } from './harness/clock';
import { credentialFor, inNodeContext, runEnableNode, TestCredentialsHelper, TestNodeTypes } from './harness/n8n';
import { findLeaks } from './harness/secrets';

// eslint-disable-next-line @n8n/community-nodes/no-hardcoded-secrets -- a made-up secret: the tests check it never leaks
const SECRET = 'S3cr3t-Never-Shown-9f8e7d';
const CLIENT = {
	clientId: '07E965CC-2425-44C6-88D8-9A694C30CCAA',
	clientSecret: SECRET,
	registrationId: '688B42F8-60C8-4556-9912-0CD5E69C83D7',
	scopes: [...ALL_SCOPES],
};

let simulator: EnableSimulator;

beforeEach(async () => {
	simulator = await startSimulator({ clients: [CLIENT], counts: { deals: 5, activity: 5, users: 5 } });
});

afterEach(async () => {
	await simulator.close();
});

const credential = new EnableApi();

/** Runs preAuthentication with n8n's own httpRequest helper; returns the token or the raw error. */
async function fetchToken(data: ICredentialDataDecryptedObject): Promise<{ token?: string; error?: Error & { description?: string } }> {
	const helper = new TestCredentialsHelper(data);
	try {
		const result = await inNodeContext(helper, async (context: IExecuteFunctions) =>
			credential.preAuthentication.call({ helpers: { httpRequest: context.helpers.httpRequest } }, data),
		);
		return { token: result.accessToken };
	} catch (error) {
		return { error: error as Error & { description?: string } };
	}
}

/** Neither the client secret nor any token the simulator issued may appear anywhere in `error`. */
function expectNoSecret(error: unknown): void {
	expect(findLeaks(error, { 'client secret': SECRET, 'access token': simulator.issuedTokens() })).toEqual([]);
}

describe('the token request', () => {
	test('POSTs exactly the five form fields, scopes in the documented order', async () => {
		const { token, error } = await fetchToken(
			credentialFor(simulator.baseUrl, CLIENT, { scopes: ['read:users', 'read:deals', 'read:activity'] }),
		);
		expect(error).toBeUndefined();
		expect(token).toMatch(/^eyJ/);
		const entry = simulator.requestLog.find((e) => e.path === '/oauth2/token');
		expect(entry?.method).toBe('POST');
		expect(entry?.contentType).toBe('application/x-www-form-urlencoded');
		expect(entry?.formFields).toEqual(['client_id', 'client_secret', 'dealtrack_registration_id', 'scope', 'grant_type']);
		expect(entry?.form).toEqual({
			client_id: CLIENT.clientId,
			client_secret: expect.stringMatching(/^sha256:/),
			dealtrack_registration_id: CLIENT.registrationId,
			scope: 'read:deals read:activity read:users',
			grant_type: 'client_credentials',
		});
	});

	test('trims spaces around the UUIDs and tolerates a trailing slash on the Base URL', async () => {
		const { token } = await fetchToken(
			credentialFor(`${simulator.baseUrl}//`, CLIENT, {
				clientId: `  ${CLIENT.clientId.toLowerCase()} `,
				registrationId: ` ${CLIENT.registrationId}\t`,
			}),
		);
		expect(token).toBeDefined();
		expect(simulator.requestLog[0].path).toBe('/oauth2/token');
	});
});

describe('validation before anything is sent', () => {
	test.each([
		['Client ID', { clientId: 'not-a-uuid' }, 'Client ID is not a UUID'],
		['Client ID', { clientId: '' }, 'Client ID is empty'],
		['Dealtrack Registration ID', { registrationId: '688B42F8-60C8-4556-9912' }, 'Dealtrack Registration ID is not a UUID'],
		['Client Secret', { clientSecret: '' }, 'Client Secret is empty'],
		['Scopes', { scopes: [] }, 'Scopes has none selected'],
		['Base URL', { baseUrl: 'api.deal-track.com' }, 'Base URL "api.deal-track.com" is not a valid URL'],
		['Base URL', { baseUrl: 'http://api.deal-track.com' }, 'Base URL must start with https://'],
		['Base URL', { baseUrl: 'http://10.1.2.3:8787' }, 'Base URL must start with https://'],
	])('%s: %j', async (_field, overrides, message) => {
		const { error } = await fetchToken(credentialFor(simulator.baseUrl, CLIENT, overrides));
		expect(error?.message).toContain(message);
		expect(error?.description).toBeTruthy();
		expect(simulator.requestLog).toHaveLength(0);
		expectNoSecret(error);
	});

	test.each(['http://localhost:1', 'http://127.0.0.9:1', 'http://[::1]:1'])('plain http is allowed for loopback %s', async (baseUrl) => {
		// For [::1], n8n's HTTP stack builds "http://::1:1" with Node's legacy url.parse, which warns
		// (DEP0170) about that URL of its own; `npm test` disables that one warning.
		const { error } = await fetchToken(credentialFor(baseUrl, CLIENT));
		// Nothing listens there: the request was allowed and failed on the network, not on validation.
		expect(error?.message).toMatch(/^Could not reach/);
	});
});

describe('token failures, each with an actionable message and no secret', () => {
	test('invalid_client names the three fields', async () => {
		const { error } = await fetchToken(credentialFor(simulator.baseUrl, CLIENT, { clientSecret: `${SECRET}x` }));
		expect(error?.message).toBe('Enable rejected the Client ID, Client Secret or Dealtrack Registration ID');
		expect(error?.description).toContain('Client authentication failed.');
		expectNoSecret(error);
	});

	test('invalid_scope names the requested scopes and says what to do', async () => {
		await simulator.close();
		simulator = await startSimulator({ clients: [{ ...CLIENT, scopes: ['read:deals'] }] });
		const { error } = await fetchToken(credentialFor(simulator.baseUrl, CLIENT, { scopes: ['read:deals', 'read:users'] }));
		expect(error?.message).toBe('Enable did not grant every requested scope (read:deals read:users)');
		expect(error?.description).toMatch(/Remove the scopes Enable did not grant.*or ask Enable to grant them/);
		expectNoSecret(error);
	});

	test.each(['unsupported_grant_type', 'invalid_request'])('%s quotes error_description', async (code) => {
		simulator.addFault({
			kind: 'status',
			status: 400,
			onRequest: 1,
			target: 'token',
			body: { error: code, error_description: `The server says ${code} happened for ${SECRET}` },
		});
		const { error } = await fetchToken(credentialFor(simulator.baseUrl, CLIENT));
		expect(error?.message).toBe(`Enable refused the token request (${code}): The server says ${code} happened for [redacted]`);
		expectNoSecret(error);
	});

	test('a response without access_token', async () => {
		simulator.addFault({ kind: 'status', status: 200, onRequest: 1, target: 'token', body: { token_type: 'Bearer', expires_in: 60 } });
		const { error } = await fetchToken(credentialFor(simulator.baseUrl, CLIENT));
		expect(error?.message).toBe("Enable's token endpoint answered without an access token");
		expect(error?.description).toContain('token_type, expires_in');
	});

	test('a body that is not JSON', async () => {
		simulator.addFault({ kind: 'status', status: 200, onRequest: 1, target: 'token', body: '<html><body>Enable sign-in</body></html>' });
		const { error } = await fetchToken(credentialFor(simulator.baseUrl, CLIENT));
		expect(error?.message).toBe("Enable's token endpoint did not answer with JSON (HTTP 200)");
		expect(error?.description).toContain('<html><body>Enable sign-in');
		expect(error?.description).toContain('Base URL');
	});

	test('an unavailable token endpoint: a workflow retries within the bounds, then a clear message', async () => {
		// Issue 14: the token request retries 429/5xx like data requests, on the virtual clock here.
		const time = useVirtualClock();
		try {
			simulator.addFault({ kind: 'status', status: 503, onRequest: 1, times: 100, target: 'token' });
			const helper = new TestCredentialsHelper(credentialFor(simulator.baseUrl, CLIENT));
			const result = await runEnableNode({ helper, parameters: { resource: 'deal', operation: 'getAll', limit: 1 } });
			expect(result.error?.message).toMatch(/^Enable's token endpoint answered HTTP 503 after 5 attempts over 1[2-8] s$/);
			expect(result.error?.description).toContain('try again');
			expect(simulator.stats().tokenRequests).toBe(5);
			expect(time.sleeps).toHaveLength(4);
			expect(simulator.requestLog.filter((e) => e.path.startsWith('/v1/'))).toHaveLength(0);
		} finally {
			restoreClock();
		}
	});

	test.each([
		['503 once', { kind: 'status' as const, status: 503, onRequest: 1, target: 'token' as const }, /^Enable's token endpoint answered HTTP 503 \(busy or unavailable\): try again in a minute$/],
		['429 with Retry-After', { kind: 'status' as const, status: 429, onRequest: 1, retryAfter: 2, target: 'token' as const }, /^Enable's token endpoint answered HTTP 429 \(rate-limited\): try again in 2 s$/],
	])('a transient token failure (%s): a workflow retries and gets its records', async (_label, fault, testButtonMessage) => {
		const time = useVirtualClock();
		try {
			simulator.addFault(fault);
			const helper = new TestCredentialsHelper(credentialFor(simulator.baseUrl, CLIENT));
			const result = await runEnableNode({ helper, parameters: { resource: 'deal', operation: 'getAll', returnAll: true } });
			expect(result.error).toBeUndefined();
			expect(result.items).toHaveLength(5);
			expect(simulator.stats().tokenRequests).toBe(2);
			expect(time.sleeps).toHaveLength(1);
			if (fault.status === 429) expect(time.sleeps[0]).toBe(2000);

			// The Test button runs the token step once, outside any retry loop: the first failure is its answer.
			simulator.addFault({ ...fault, onRequest: simulator.stats().tokenRequests + 1 });
			const sleepsBefore = time.sleeps.length;
			const { error } = await fetchToken(credentialFor(simulator.baseUrl, CLIENT));
			expect(error?.message).toMatch(testButtonMessage);
			expect(simulator.stats().tokenRequests).toBe(3);
			expect(time.sleeps).toHaveLength(sleepsBefore);
		} finally {
			restoreClock();
		}
	});

	test('concurrent requests that all need a token wait together and share each token request', async () => {
		// On the virtual clock, each wait held until the four requests all wait, then the earliest
		// one ended: the jitter gives each request its own delay, so only a shared pause makes them
		// ask for the token together.
		const time = useVirtualClock();
		time.holdWaits();
		try {
			// The first item gets the token alone; the token is revoked right after, so the four
			// concurrent Gets are all refused, and the token endpoint fails from then on.
			simulator.addFault({ kind: 'revokeTokens', afterRequests: 1 });
			simulator.addFault({ kind: 'status', status: 503, onRequest: 2, times: 100, target: 'token' });
			const helper = new TestCredentialsHelper(credentialFor(simulator.baseUrl, CLIENT));
			const ids = simulator.store.list('deals').map((record) => record.id);
			const running = runEnableNode({
				helper,
				parameters: { resource: 'deal', operation: 'get', dealId: '={{ $json.id }}' },
				inputItems: ids.map((id) => ({ id })),
			});
			await wakeInTurn(time, running, 4);
			const result = await running;
			expect(result.error?.message).toMatch(/^Enable's token endpoint answered HTTP 503 after 5 attempts over \d+ s$/);
			// 1 before the revocation, then one per round of attempts, shared by the four.
			expect(simulator.stats().tokenRequests).toBe(1 + RETRY_LIMITS.maxAttempts);
		} finally {
			restoreClock();
		}
	}, 10_000);

	test('another refusal without an OAuth error code points at the Base URL, at once', async () => {
		simulator.addFault({ kind: 'status', status: 404, onRequest: 1, target: 'token', body: { message: 'Not Found' } });
		const helper = new TestCredentialsHelper(credentialFor(simulator.baseUrl, CLIENT));
		const result = await runEnableNode({ helper, parameters: { resource: 'deal', operation: 'getAll', limit: 1 } });
		expect(result.error?.message).toBe("Enable's token endpoint answered HTTP 404: check the credential's Base URL");
		expect(simulator.stats().tokenRequests).toBe(1);
	});

	test('invalid_client is never retried', async () => {
		const { error } = await fetchToken(credentialFor(simulator.baseUrl, CLIENT, { clientSecret: 'wrong-secret' }));
		expect(error?.message).toBe('Enable rejected the Client ID, Client Secret or Dealtrack Registration ID');
		expect(simulator.stats().tokenRequests).toBe(1);
	});

	test('a network failure says which host could not be reached', async () => {
		const { error } = await fetchToken(credentialFor('http://127.0.0.1:1', CLIENT));
		expect(error?.message).toBe('Could not reach 127.0.0.1:1 (connection refused)');
		expect(error?.description).toContain('(ECONNREFUSED)');
		expect(error?.description).toContain('Base URL');
		expectNoSecret(error);
	});

	test('inside a workflow, a network failure still names the host n8n could not reach', async () => {
		const helper = new TestCredentialsHelper(credentialFor('http://127.0.0.1:1', CLIENT));
		const result = await runEnableNode({ helper, parameters: { resource: 'deal', operation: 'getAll', limit: 1 } });
		expect(result.error?.message).toBe('Could not reach 127.0.0.1:1 (connection refused)');
	});

	test('inside a workflow, the user sees the same message, still without the secret', async () => {
		const helper = new TestCredentialsHelper(credentialFor(simulator.baseUrl, CLIENT, { clientSecret: `${SECRET}x` }));
		const result = await runEnableNode({ helper, parameters: { resource: 'deal', operation: 'getAll', limit: 1 } });
		expect(result.error?.message).toBe('Enable rejected the Client ID, Client Secret or Dealtrack Registration ID');
		expect(result.error?.description).toContain('Check the three values');
		expectNoSecret(result.run.data.resultData.error);
		expect(findLeaks(result.run, { 'client secret': SECRET, 'access token': simulator.issuedTokens() })).toEqual([]);
	});
});

describe('the credential test', () => {
	/** Resolves the credential's test request as n8n does, then sends it with authentication. */
	async function runCredentialTest(data: ICredentialDataDecryptedObject) {
		const helper = new TestCredentialsHelper(data);
		const { request } = credential.test;
		const probeNode: INode = { id: 'x', name: 'x', type: 'test.items', typeVersion: 1, position: [0, 0], parameters: {} };
		const workflow = new Workflow({ nodes: [probeNode], connections: {}, active: false, nodeTypes: new TestNodeTypes() });
		const resolve = (value: string) =>
			workflow.expression.getSimpleParameterValue(probeNode, value, 'internal', { $credentials: data } as never, undefined, '') as string;
		return await inNodeContext(helper, async (context) =>
			(await context.helpers.httpRequestWithAuthentication.call(context, 'enableApi', {
				method: 'GET',
				baseURL: resolve(request.baseURL as string),
				url: resolve(request.url as string),
				qs: request.qs,
				headers: request.headers as Record<string, string>,
				json: true,
			})) as { data: unknown[] },
		);
	}

	const subsets: Scope[][] = [
		['read:deals'],
		['read:activity'],
		['read:users'],
		['read:deals', 'read:activity'],
		['read:activity', 'read:users'],
		['read:deals', 'read:users'],
		['read:deals', 'read:activity', 'read:users'],
	];

	test.each(subsets.map((granted) => [granted.join(' '), granted] as const))('passes for a client granted exactly "%s"', async (_label, granted) => {
		await simulator.close();
		simulator = await startSimulator({ clients: [{ ...CLIENT, scopes: granted }] });
		const body = await runCredentialTest(credentialFor(`${simulator.baseUrl}/`, { ...CLIENT, scopes: granted }));
		expect(body.data).toHaveLength(1);
		const reads = simulator.requestLog.filter((e) => e.path.startsWith('/v1/'));
		expect(reads).toEqual([expect.objectContaining({ status: 200, query: { 'page[size]': '1' } })]);
	});

	test('fails with the invalid_client message for a wrong secret', async () => {
		await expect(runCredentialTest(credentialFor(simulator.baseUrl, CLIENT, { clientSecret: 'nope-nope' }))).rejects.toThrow(
			'Enable rejected the Client ID, Client Secret or Dealtrack Registration ID',
		);
	});

	test('asks Enable for a new token every time, even when the stored one was issued for these values', async () => {
		const data = credentialFor(simulator.baseUrl, CLIENT);
		const issued = await inNodeContext(new TestCredentialsHelper(data), async (context) =>
			credential.preAuthentication.call({ helpers: { httpRequest: context.helpers.httpRequest } }, data),
		);
		const stored = { ...data, ...issued };
		expect(simulator.stats().tokenRequests).toBe(1);

		// A workflow uses the stored token as it is...
		const run = await runEnableNode({ helper: new TestCredentialsHelper(stored), parameters: { resource: 'deal', operation: 'getAll', limit: 1 } });
		expect(run.error).toBeUndefined();
		expect(simulator.stats().tokenRequests).toBe(1);

		// ...while the Test button checks the values against Enable, twice in a row.
		for (const expected of [2, 3]) {
			const body = await runCredentialTest(stored);
			expect(body.data).toHaveLength(1);
			expect(simulator.stats().tokenRequests).toBe(expected);
		}
		const reads = simulator.requestLog.filter((e) => e.path.startsWith('/v1/'));
		expect(reads.map((e) => e.status)).toEqual([200, 200, 200]);
		// The marker that asks for the new token stays inside n8n.
		expect(simulator.requestLog.every((e) => !e.headerNames.includes(CREDENTIAL_TEST_HEADER))).toBe(true);
	});
});

describe("n8n's refresh contract", () => {
	test('the first run fetches a token and stores it; the next run reuses it', async () => {
		const helper = new TestCredentialsHelper(credentialFor(simulator.baseUrl, CLIENT));
		const first = await runEnableNode({ helper, parameters: { resource: 'deal', operation: 'getAll', limit: 2 } });
		expect(first.items).toHaveLength(2);
		expect(helper.data().accessToken).toMatch(/^eyJ/);
		const second = await runEnableNode({ helper, parameters: { resource: 'user', operation: 'getAll', limit: 2 } });
		expect(second.items).toHaveLength(2);
		expect(simulator.stats().tokenRequests).toBe(1);
		expect(helper.counters.preAuthenticationCalls).toBe(1);
	});

	test('an expired token is replaced after the 401 and the request succeeds', async () => {
		const helper = new TestCredentialsHelper(credentialFor(simulator.baseUrl, CLIENT));
		await runEnableNode({ helper, parameters: { resource: 'deal', operation: 'getAll', limit: 1 } });
		const oldToken = helper.data().accessToken;
		simulator.expireAllTokens();
		const result = await runEnableNode({ helper, parameters: { resource: 'deal', operation: 'getAll', limit: 3 } });
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(3);
		expect(helper.counters.tokenRefreshes).toBe(1);
		expect(helper.data().accessToken).not.toBe(oldToken);
		expect(simulator.stats().tokenRequests).toBe(2);
		expect(simulator.requestLog.map((e) => e.status)).toEqual([200, 200, 401, 200, 200]);
		expect(simulator.issuedTokens()).toHaveLength(2);
	});
});

test('the demo client is a valid credential for the sandbox', () => {
	expect(DEMO_CLIENT.scopes).toEqual([...ALL_SCOPES]);
});

describe('the token fingerprint (issue 14): a stored token is only used with the settings it was issued for', () => {
	const apiStatuses = () => simulator.requestLog.filter((entry) => entry.path.startsWith('/v1/')).map((entry) => entry.status);

	test('a changed secret gets a token request with it before the next request, not the old token', async () => {
		const helper = new TestCredentialsHelper(credentialFor(simulator.baseUrl, CLIENT));
		await runEnableNode({ helper, parameters: { resource: 'deal', operation: 'getAll', limit: 1 } });
		const { accessToken, tokenFingerprint } = helper.data();
		expect(tokenFingerprint).toMatch(/^[\w-]{22}$/);
		expect(JSON.stringify(helper.data())).not.toContain(Buffer.from(SECRET).toString('base64'));
		helper.stored.set('cred-1', { ...helper.data(), clientSecret: 'a-wrong-secret', accessToken, tokenFingerprint });
		simulator.resetStats();
		const result = await runEnableNode({ helper, parameters: { resource: 'deal', operation: 'getAll', limit: 1 } });
		expect(result.error?.message).toBe('Enable rejected the Client ID, Client Secret or Dealtrack Registration ID');
		// The old token never reached Enable with the new settings.
		expect(apiStatuses()).toEqual([]);
		expect(simulator.stats().tokenRequests).toBe(1);
	});

	test.each([
		['scopes', { scopes: ['read:deals'] }],
		['Base URL', {}],
	])('changed %s: a new token before the next request, then one token per lifetime again', async (label, change) => {
		const helper = new TestCredentialsHelper(credentialFor(simulator.baseUrl, CLIENT));
		await runEnableNode({ helper, parameters: { resource: 'deal', operation: 'getAll', limit: 1 } });
		const before = helper.data();
		const baseUrl = label === 'Base URL' ? simulator.baseUrl.replace('127.0.0.1', 'localhost') : before.baseUrl;
		helper.stored.set('cred-1', { ...before, ...change, baseUrl });
		simulator.resetStats();
		const result = await runEnableNode({ helper, parameters: { resource: 'deal', operation: 'getAll', limit: 1 } });
		expect(result.error).toBeUndefined();
		expect(simulator.stats().tokenRequests).toBe(1);
		expect(apiStatuses()).toEqual([200]);
		expect(helper.data().tokenFingerprint).not.toBe(before.tokenFingerprint);
		await runEnableNode({ helper, parameters: { resource: 'deal', operation: 'getAll', limit: 1 } });
		expect(simulator.stats().tokenRequests).toBe(1);
	});

	test('a token stored without a fingerprint (an older version of this package) is replaced once', async () => {
		const helper = new TestCredentialsHelper(credentialFor(simulator.baseUrl, CLIENT));
		await runEnableNode({ helper, parameters: { resource: 'deal', operation: 'getAll', limit: 1 } });
		helper.stored.set('cred-1', { ...helper.data(), tokenFingerprint: '' });
		simulator.resetStats();
		await runEnableNode({ helper, parameters: { resource: 'deal', operation: 'getAll', limit: 1 } });
		await runEnableNode({ helper, parameters: { resource: 'deal', operation: 'getAll', limit: 1 } });
		expect(simulator.stats().tokenRequests).toBe(1);
		expect(apiStatuses()).toEqual([200, 200]);
	});
});
