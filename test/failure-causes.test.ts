/**
 * Every error the node throws declares why it failed (`failure`, read by n8n 2.37+ to decide how
 * long to back off a failing poll), while the message stays the one a user reads. One scenario per
 * error class, against the simulator's fault injection; retries wait on a virtual clock.
 */
import type { Failure, IDataObject } from 'n8n-workflow';

import { DEMO_CLIENT, type EnableSimulator, type FaultRule, type SimulatorOptions, startSimulator } from '../sandbox/simulator';
import { restoreClock, useVirtualClock } from './harness/clock';
import { credentialFor, runEnableNode, TestCredentialsHelper } from './harness/n8n';

let simulator: EnableSimulator;
const started: EnableSimulator[] = [];

beforeEach(() => {
	useVirtualClock();
});

afterEach(async () => {
	restoreClock();
	await Promise.all(started.splice(0).map(async (running) => await running.close()));
});

async function start(options: SimulatorOptions): Promise<EnableSimulator> {
	simulator = await startSimulator(options);
	started.push(simulator);
	return simulator;
}

const DEALS = { resource: 'deal', operation: 'getAll', returnAll: true, options: { pageSize: 10 } };

async function failureOf(
	parameters: IDataObject,
	faults: FaultRule[] = [],
	options: SimulatorOptions = {},
	credential: IDataObject = {},
): Promise<{ failure?: Failure; message?: string }> {
	await start({ counts: { deals: 30, users: 5 }, faults, ...options });
	const helper = new TestCredentialsHelper(credentialFor(simulator.baseUrl, undefined, credential as never));
	const { error } = await runEnableNode({ helper, parameters });
	expect(error).toBeDefined();
	return { failure: error?.failure, message: error?.message };
}

describe('timed causes: a wait can help', () => {
	test('429 with a Retry-After beyond the retry budget: rate-limited, with the wait Enable asked for', async () => {
		const { failure, message } = await failureOf(DEALS, [{ kind: 'status', status: 429, onRequest: 2, retryAfter: 120 }]);
		expect(message).toBe('Enable is rate-limiting requests (HTTP 429)');
		expect(failure).toEqual({ cause: 'rate-limited', retryAfterMs: 120_000 });
	});

	test('429 on every attempt: rate-limited', async () => {
		const { failure } = await failureOf(DEALS, [{ kind: 'status', status: 429, onRequest: 1, times: 99, retryAfter: 0 }]);
		expect(failure?.cause).toBe('rate-limited');
	});

	test('503 after every retry: temporarily-unavailable', async () => {
		const { failure, message } = await failureOf(DEALS, [{ kind: 'status', status: 503, onRequest: 1, times: 99 }]);
		expect(message).toMatch(/^Enable failed to process the request \(HTTP 503\) after 5 attempts/);
		expect(failure?.cause).toBe('temporarily-unavailable');
	});

	test('a connection reset on every attempt: temporarily-unavailable', async () => {
		const { failure } = await failureOf(DEALS, [{ kind: 'reset', onRequest: 1, times: 99 }]);
		expect(failure?.cause).toBe('temporarily-unavailable');
	});

	test('an HTML page instead of JSON:API: temporarily-unavailable', async () => {
		const { failure, message } = await failureOf(DEALS, [{ kind: 'malformed', onRequest: 2 }]);
		expect(message).toMatch(/with a body that is not JSON/);
		expect(failure?.cause).toBe('temporarily-unavailable');
	});

	test('the token endpoint busy on every attempt: temporarily-unavailable', async () => {
		const { failure } = await failureOf(DEALS, [{ kind: 'status', status: 503, onRequest: 1, times: 99, target: 'token' }]);
		expect(failure?.cause).toBe('temporarily-unavailable');
	});

	test('the token endpoint rate-limiting with a long Retry-After: rate-limited', async () => {
		const { failure } = await failureOf(DEALS, [{ kind: 'status', status: 429, onRequest: 1, times: 99, target: 'token', retryAfter: 300 }]);
		expect(failure).toEqual({ cause: 'rate-limited', retryAfterMs: 300_000 });
	});
});

describe('actionable causes: someone has to act', () => {
	test('a wrong client secret (invalid_client): credential-invalid', async () => {
		const { failure, message } = await failureOf(DEALS, [], {}, { clientSecret: 'not-the-secret' });
		expect(message).toBe('Enable rejected the Client ID, Client Secret or Dealtrack Registration ID');
		expect(failure).toEqual({ cause: 'credential-invalid' });
	});

	test('a scope Enable did not grant (invalid_scope): credential-invalid', async () => {
		await start({ clients: [{ ...DEMO_CLIENT, scopes: ['read:deals'] }] });
		const helper = new TestCredentialsHelper(credentialFor(simulator.baseUrl, undefined, { scopes: ['read:deals', 'read:users'] } as never));
		const { error } = await runEnableNode({ helper, parameters: DEALS });
		expect(error?.message).toMatch(/^Enable did not grant every requested scope/);
		expect(error?.failure).toEqual({ cause: 'credential-invalid' });
	});

	test('a 401 that a fresh token does not cure: credential-invalid', async () => {
		const { failure, message } = await failureOf(DEALS, [{ kind: 'status', status: 401, onRequest: 1, times: 99 }]);
		expect(message).toBe('Enable rejected the access token (HTTP 401)');
		expect(failure).toEqual({ cause: 'credential-invalid' });
	});

	test('a missing scope (403): configuration-invalid', async () => {
		const { failure, message } = await failureOf({ resource: 'user', operation: 'getAll', limit: 5 }, [], {}, { scopes: ['read:deals'] });
		expect(message).toBe('The Enable credential lacks the read:users scope');
		expect(failure).toEqual({ cause: 'configuration-invalid' });
	});

	test('an unknown record (404): configuration-invalid', async () => {
		const { failure, message } = await failureOf({ resource: 'deal', operation: 'get', dealId: 'Nope' });
		expect(message).toBe('The deal "Nope" was not found in Enable');
		expect(failure).toEqual({ cause: 'configuration-invalid' });
	});

	test('a refused filter, sort or include (400): configuration-invalid', async () => {
		for (const parameters of [
			{ ...DEALS, filters: { filter: [{ attribute: 'colour', value: 'red' }] } },
			{ ...DEALS, options: { sort: '-colour' } },
			{ ...DEALS, options: { include: ['lines'] } },
		]) {
			const { failure, message } = await failureOf(parameters);
			expect(message).toMatch(/^Enable (rejected the request|refused to include)/);
			expect(failure).toEqual({ cause: 'configuration-invalid' });
		}
	});

	test('a parameter refused before any request: configuration-invalid', async () => {
		const { failure, message } = await failureOf({ resource: 'deal', operation: 'get', dealId: 'a/b' });
		expect(message).toBe('Deal ID "a/b" contains "/"');
		expect(failure).toEqual({ cause: 'configuration-invalid' });
		expect(simulator.stats().apiRequests).toBe(0);
	});

	test('a next link to another host: configuration-invalid', async () => {
		const { failure } = await failureOf(DEALS, [
			{ kind: 'status', status: 200, onRequest: 1, body: { data: [], links: { next: 'https://elsewhere.example/v1/deals?page=2' } } },
		]);
		expect(failure).toEqual({ cause: 'configuration-invalid' });
	});
});
