/**
 * The transport reads failures in both shapes n8n throws them: n8n 2.x keeps the axios error as
 * the NodeApiError's cause; n8n 1.x keeps only httpCode, context.data, message and description.
 * These tests feed the 1.x shape straight to the transport (the 2.x shape is what every other
 * suite exercises through n8n-core 2.x).
 */
import type { IExecuteFunctions, IHttpRequestHelper, INode } from 'n8n-workflow';

import { findCollection, subjectOf } from '../nodes/Enable/resources';
import { requestAccessToken } from '../nodes/Enable/transport/auth';
import { type EnableConnection, enableRequest } from '../nodes/Enable/transport/request';
import { restoreClock, useVirtualClock } from './harness/clock';
import { credentialFor } from './harness/n8n';

// Back-off waits advance a virtual clock instead of the wall clock.
beforeEach(() => useVirtualClock());
afterEach(() => restoreClock());

const node: INode = { id: '1', name: 'Enable', type: 'n8n-nodes-enable.enable', typeVersion: 1, position: [0, 0], parameters: {} };
const connection: EnableConnection = {
	baseUrl: 'https://api.deal-track.com',
	credentials: { id: 'c', name: 'c', type: 'enableApi', data: {} },
	gate: { pausedUntil: 0 },
};
const deal = subjectOf(findCollection('deal')!);

/** An error shaped like n8n 1.x's NodeApiError: no cause, the facts in httpCode and context. */
function n8n1Error(fields: { httpCode: string | null; message: string; description?: string; data?: unknown }) {
	return Object.assign(new Error(fields.message), {
		name: 'NodeApiError',
		cause: undefined,
		httpCode: fields.httpCode,
		description: fields.description,
		context: fields.data === undefined ? {} : { data: fields.data },
	});
}

function contextThrowing(...errors: unknown[]) {
	const calls = { count: 0 };
	const context = {
		getNode: () => node,
		helpers: {
			httpRequestWithAuthentication: async () => {
				const error = errors[Math.min(calls.count, errors.length - 1)];
				calls.count++;
				if (error === 'ok') return { data: [], links: {} };
				throw error;
			},
		},
	} as unknown as IExecuteFunctions;
	return { context, calls };
}

const list = { url: 'https://api.deal-track.com/v1/deals?page[size]=10', subject: deal, itemIndex: 0, expect: 'list' as const };

test('404 with the JSON:API body in context.data', async () => {
	const { context } = contextThrowing(
		n8n1Error({ httpCode: '404', message: 'The resource you are requesting could not be found', data: { errors: [{ title: 'Not Found', detail: 'No deals record with id "Zz9z" exists.' }] } }),
	);
	await expect(enableRequest(context, connection, { ...list, recordId: 'Zz9z', expect: 'record' })).rejects.toMatchObject({
		message: 'The deal "Zz9z" was not found in Enable',
		description: expect.stringContaining('No deals record with id "Zz9z" exists.'),
	});
});

test('a network code in httpCode is a network failure, retried when transient', async () => {
	const { context, calls } = contextThrowing(n8n1Error({ httpCode: 'ECONNRESET', message: 'closed' }), 'ok');
	await expect(enableRequest(context, connection, list)).resolves.toEqual({ data: [], links: {} });
	expect(calls.count).toBe(2);
	const refused = contextThrowing(n8n1Error({ httpCode: 'ECONNREFUSED', message: 'refused' }));
	await expect(enableRequest(refused.context, connection, list)).rejects.toMatchObject({ message: 'Could not reach api.deal-track.com (connection refused)' });
	expect(refused.calls.count).toBe(1);
});

test('429 without its headers is still retried with back-off', async () => {
	const { context, calls } = contextThrowing(n8n1Error({ httpCode: '429', message: 'too many' }), 'ok');
	await expect(enableRequest(context, connection, list)).resolves.toBeDefined();
	expect(calls.count).toBe(2);
});

test("a credential error keeps its message and description (n8n 1.x drops the class)", async () => {
	const { context } = contextThrowing(
		n8n1Error({ httpCode: null, message: 'Enable rejected the Client ID, Client Secret or Dealtrack Registration ID', description: 'Check the three values.' }),
	);
	await expect(enableRequest(context, connection, list)).rejects.toMatchObject({
		message: 'Enable rejected the Client ID, Client Secret or Dealtrack Registration ID',
		description: 'Check the three values.',
	});
});

test('a busy token endpoint is retried though n8n 1.x keeps only the message of the token error', async () => {
	// The error our token request throws for a 503, as n8n 1.x hands it on: message and description only.
	const busyTokenEndpoint = { helpers: { httpRequest: async () => ({ statusCode: 503, headers: {}, body: '' }) } } as unknown as IHttpRequestHelper;
	const thrown = (await requestAccessToken(busyTokenEndpoint, credentialFor('https://api.deal-track.com')).catch((error: unknown) => error)) as Error & { description: string };
	expect(thrown.message).toBe("Enable's token endpoint answered HTTP 503 (busy or unavailable): try again in a minute");
	const as1x = () => n8n1Error({ httpCode: null, message: thrown.message, description: thrown.description });

	const recovering = contextThrowing(as1x(), 'ok');
	await expect(enableRequest(recovering.context, connection, list)).resolves.toEqual({ data: [], links: {} });
	expect(recovering.calls.count).toBe(2);

	const down = contextThrowing(as1x());
	await expect(enableRequest(down.context, connection, list)).rejects.toMatchObject({
		message: expect.stringMatching(/^Enable's token endpoint answered HTTP 503 after 5 attempts over \d+ s$/),
		description: 'Enable is busy or unavailable right now: try again in a minute.',
	});
	expect(down.calls.count).toBe(5);
});

test('an error n8n threw never quotes the token the request sent nor the client secret, in its body or message', async () => {
	// eslint-disable-next-line @n8n/community-nodes/no-hardcoded-secrets -- a made-up token: the test checks it never leaks
	const token = 'opaque-token-value-4711';
	// eslint-disable-next-line @n8n/community-nodes/no-hardcoded-secrets -- a made-up secret: the test checks it never leaks
	const secret = 'client-secret-value-0815';
	const withSecrets: EnableConnection = { ...connection, credentials: { ...connection.credentials, data: { accessToken: token, clientSecret: secret } } };
	const echoed = `Refused: Authorization Bearer ${token} for client_secret=${secret}`;
	for (const error of [
		n8n1Error({ httpCode: '400', message: 'Bad request', data: { errors: [{ title: 'Bad Request', detail: echoed }] } }),
		n8n1Error({ httpCode: null, message: echoed, description: echoed }),
	]) {
		const { context } = contextThrowing(error);
		const thrown = await enableRequest(context, withSecrets, list).then(
			() => undefined,
			(failure: unknown) => failure as Error & { description?: string },
		);
		expect(thrown).toBeDefined();
		const told = JSON.stringify({ message: thrown?.message, description: thrown?.description, context: (thrown as { context?: unknown }).context });
		expect(told).not.toContain(token);
		expect(told).not.toContain(secret);
	}
});

test("a token endpoint that echoes the client secret in its OAuth error code: the message quotes it redacted", async () => {
	const credentials = credentialFor('https://api.deal-track.com');
	const secret = String(credentials.clientSecret);
	const echoing = { helpers: { httpRequest: async () => ({ statusCode: 400, headers: {}, body: { error: `bad_request client_secret=${secret}` } }) } } as unknown as IHttpRequestHelper;
	const thrown = (await requestAccessToken(echoing, credentials).catch((error: unknown) => error)) as Error & { description: string };
	expect(thrown.message).toMatch(/^Enable refused the token request \(bad_request client_secret=\[redacted\]\)/);
	expect(`${thrown.message} ${thrown.description}`).not.toContain(secret);
});
