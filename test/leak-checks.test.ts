/**
 * The leak checks find a token by its exact value, whatever its shape (issue 29): the simulator
 * can issue opaque tokens, which no JWT pattern matches, and `findLeaks` (test/harness/secrets.ts,
 * used by the jest suites and the e2e scripts) catches one planted in a string, in an error's
 * description or deep in a run, where the JWT pattern sees nothing.
 */
import { ALL_SCOPES, DEMO_CLIENT, type EnableSimulator, startSimulator } from '../sandbox/simulator';
import { credentialFor, runEnableNode, TestCredentialsHelper } from './harness/n8n';
import { findLeaks } from './harness/secrets';

/** The pattern the node's redaction and the console capture look for: it only knows JWTs. */
const JWT_PATTERN = /\beyJ[\w-]*\.[\w-]+\.[\w-]*/;

let simulator: EnableSimulator | undefined;

afterEach(async () => {
	await simulator?.close();
	simulator = undefined;
});

async function issueToken(format?: 'jwt' | 'opaque'): Promise<string> {
	simulator = await startSimulator({ counts: { deals: 3, activity: 1, users: 1 }, ...(format ? { tokenFormat: format } : {}) });
	const response = await fetch(`${simulator.baseUrl}/oauth2/token`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({
			client_id: DEMO_CLIENT.clientId,
			client_secret: DEMO_CLIENT.clientSecret,
			dealtrack_registration_id: DEMO_CLIENT.registrationId,
			scope: ALL_SCOPES.join(' '),
			grant_type: 'client_credentials',
		}).toString(),
	});
	expect(response.status).toBe(200);
	return ((await response.json()) as { access_token: string }).access_token;
}

test('the simulator issues JWT-shaped tokens by default', async () => {
	expect(await issueToken()).toMatch(JWT_PATTERN);
});

test('with tokenFormat opaque it issues tokens no JWT pattern matches, and Enable accepts them', async () => {
	const token = await issueToken('opaque');
	expect(token).not.toMatch(JWT_PATTERN);
	expect(token).not.toMatch(/^eyJ/);
	expect(simulator?.issuedTokens()).toEqual([token]);
	const deals = await fetch(`${simulator?.baseUrl}/v1/deals`, { headers: { Authorization: `Bearer ${token}` } });
	expect(deals.status).toBe(200);
});

test('a planted opaque token is caught by findLeaks, in a string, an error and a run, where the JWT pattern sees nothing', async () => {
	const token = await issueToken('opaque');
	const secrets = { 'client secret': DEMO_CLIENT.clientSecret, 'access token': simulator?.issuedTokens() ?? [] };
	const line = `Enable answered HTTP 500: "invalid session ${token}"`;
	expect(line).not.toMatch(JWT_PATTERN);
	expect(findLeaks(line, secrets)).toEqual(['access token']);

	const error = Object.assign(new Error('The service was not able to process your request'), { description: `It said: ${token}` });
	expect(findLeaks(error, secrets)).toEqual(['access token']);
	const run = { data: { resultData: { error, runData: { Enable: [{ data: { main: [[{ json: { note: 'ok' } }]] } }] } } } };
	expect(findLeaks(run, secrets)).toEqual(['access token']);

	expect(findLeaks(`client_secret=${DEMO_CLIENT.clientSecret}`, secrets)).toEqual(['client secret']);
	expect(findLeaks('Enable answered HTTP 500: "invalid session [redacted]"', secrets)).toEqual([]);
});

test('with several tokens issued, findLeaks names which one leaked, never its value', () => {
	const leaks = findLeaks('…second-token-value…', { 'access token': ['first-token-value', 'second-token-value', 'third-token-value'] });
	expect(leaks).toEqual(['access token 2 of 3']);
	expect(leaks.join(' ')).not.toContain('second-token-value');
});

test("Enable echoing the opaque token in an error: the node's message and description do not hold it", async () => {
	simulator = await startSimulator({ counts: { deals: 3, activity: 1, users: 1 }, tokenFormat: 'opaque' });
	const helper = new TestCredentialsHelper(credentialFor(simulator.baseUrl));
	const parameters = { resource: 'deal', operation: 'getAll', returnAll: true };
	expect((await runEnableNode({ parameters, helper })).error).toBeUndefined();
	const [token] = simulator.issuedTokens();
	simulator.addFault({
		kind: 'status',
		status: 400,
		onRequest: simulator.stats().apiRequests + 1,
		body: { errors: [{ status: '400', title: 'Invalid session', detail: `The session of token ${token} is not valid for this request` }] },
	});
	const { error } = await runEnableNode({ parameters, helper });
	expect(error?.message).toBe('Enable rejected the request: Invalid session');
	expect(error?.description).toContain('[redacted]');
	expect(findLeaks(error, { 'access token': [token], 'client secret': DEMO_CLIENT.clientSecret })).toEqual([]);
});
