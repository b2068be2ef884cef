/**
 * Enable's OAuth2 client-credentials token request, run by the credential's `preAuthentication`
 * hook. Everything a user can get wrong is checked before a byte is sent, and every failure is
 * turned into a message that names what to fix, without ever quoting the secret or a token.
 */
import { createHash } from 'crypto';

import type { ICredentialDataDecryptedObject, IHttpRequestHelper } from 'n8n-workflow';

import { clock } from './clock';
import { EnableCredentialError, inspectFailure, parseRetryAfter, type TransientTokenFailure } from './failures/read';
import { networkProblem } from './failures/wording';
import { copyForRequest, executionDataOf, markRenewal, rememberTokenAfterRefusal, rememberTokenFailure, renewalAsked, tokenAfterRefusalAt } from './n8n-compat';
import { excerpt, redact } from './redact';
import { ENABLE_SCOPES } from './scopes';

export interface CredentialSettings {
	baseUrl: string;
	tokenUrl: string;
	host: string;
	clientId: string;
	clientSecret: string;
	registrationId: string;
	scopes: string[];
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SAMPLE_UUID = '07e965cc-2425-44c6-88d8-9a694c30ccaa';

function isLoopback(hostname: string): boolean {
	const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
	return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** The credential's Base URL without trailing slashes, checked for a secret-safe scheme. */
export function normaliseBaseUrl(raw: unknown): { baseUrl: string; host: string } {
	const text = String(raw ?? '').trim().replace(/\/+$/, '');
	let url: URL;
	try {
		url = new URL(text);
	} catch {
		return invalidSetting(
			'Base URL',
			`"${text}" is not a valid URL`,
			'Enter the address of the Enable API, for example https://api.deal-track.com (or your UAT host).',
		);
	}
	if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
		return invalidSetting(
			'Base URL',
			`must start with https:// (got ${url.protocol}//${url.host})`,
			'The Client Secret would travel in clear text. Plain http:// is only accepted for localhost.',
		);
	}
	if (url.search || url.hash) {
		return invalidSetting('Base URL', 'must not contain a query or fragment', 'Enter only the host, such as https://api.deal-track.com.');
	}
	return { baseUrl: `${url.origin}${url.pathname.replace(/\/+$/, '')}`, host: url.host };
}

/** n8n's credential dialog shows only the message: it says what is wrong and what to do. */
function invalidSetting(field: string, problem: string, description: string): never {
	throw new EnableCredentialError(`Enable credential: ${field} ${problem}. ${description}`, description);
}

/** Reads and validates every field of the credential before anything is sent. */
export function readCredentialSettings(credentials: ICredentialDataDecryptedObject): CredentialSettings {
	const { baseUrl, host } = normaliseBaseUrl(credentials.baseUrl);
	const uuidField = (field: string, label: string): string => {
		const value = String(credentials[field] ?? '').trim();
		if (!value) invalidSetting(label, 'is empty', `Enter the ${label} that Enable issued you (a UUID such as ${SAMPLE_UUID}).`);
		if (!UUID_PATTERN.test(value)) {
			invalidSetting(label, 'is not a UUID', `Enable issues it as a UUID such as ${SAMPLE_UUID}: check for a missing or extra character.`);
		}
		return value;
	};
	const clientId = uuidField('clientId', 'Client ID');
	const registrationId = uuidField('registrationId', 'Dealtrack Registration ID');
	const clientSecret = String(credentials.clientSecret ?? '');
	if (!clientSecret.trim()) invalidSetting('Client Secret', 'is empty', 'Enter the Client Secret that Enable sent you securely.');
	const chosen = Array.isArray(credentials.scopes) ? credentials.scopes.map(String) : [];
	// Send the scopes in the documented order, whatever order they were ticked in.
	const scopes = ENABLE_SCOPES.filter((scope) => chosen.includes(scope));
	if (!scopes.length) {
		invalidSetting('Scopes', 'has none selected', `Select at least one of ${ENABLE_SCOPES.join(', ')}: the ones Enable granted you.`);
	}
	return { baseUrl, host, tokenUrl: `${baseUrl}/oauth2/token`, clientId, clientSecret, registrationId, scopes };
}

interface TokenResponse {
	statusCode: number;
	headers: Record<string, unknown>;
	body: unknown;
}

/**
 * A short one-way hash of the settings a token is issued for, stored beside the token so that a
 * token is never used after the Base URL, client, secret or scopes changed. The secret only enters
 * the hash, never the stored value in a readable form.
 */
export function settingsFingerprint(settings: CredentialSettings): string {
	const { tokenUrl, clientId, clientSecret, registrationId, scopes } = settings;
	return createHash('sha256').update(JSON.stringify(['enable-token-v1', tokenUrl, clientId.toLowerCase(), clientSecret, registrationId.toLowerCase(), scopes])).digest('base64url').slice(0, 22);
}

/** A token request under way, and the executions (their credential data) waiting for it. */
interface TokenRequest {
	token: Promise<string>;
	/** Each waiting execution's data, and whether it asked because Enable refused its token. */
	executions: Map<ICredentialDataDecryptedObject, boolean>;
}

/**
 * Token requests in flight, by a hash of the settings they were made with. Concurrent requests of
 * one execution that all find the token missing or refused (a 401 after a revocation) share one
 * token request instead of each fetching its own. The new token is written to every waiting
 * execution's data in the same step that ends the token request, so a request refused a moment
 * later finds it there and never starts another.
 */
const tokensInFlight = new Map<string, TokenRequest>();

/**
 * A token the execution got in answer to a refusal is fresh for this long: Enable refusing it
 * meanwhile (a 403 for a scope it lacks, or a 401 for one in Enable's other variant) means a new
 * token would be refused too. Tokens live far longer (an hour is usual), so a long run whose
 * renewed token expires still gets another one.
 */
const FRESH_TOKEN_MS = 5 * 60_000;

/**
 * A copy of an execution's credential data for one request (n8n-compat.ts, 1). When n8n asks for a
 * new token because this request was refused, the copy still holds the token the request was sent
 * with: if another request of the execution has replaced that token meanwhile, the new one is used
 * instead of asking Enable again. A new token is written back to the execution's data at once.
 * `renew`: Enable refused the token this request's previous attempt sent; get a new one first.
 */
export function credentialDataForOneRequest(executionData: ICredentialDataDecryptedObject, renew = false): ICredentialDataDecryptedObject {
	const copy = copyForRequest(executionData);
	if (renew) markRenewal(copy);
	return copy;
}

/** What to do after Enable refused (401 or 403) the token a request sent. */
export type AfterRefusal = 'resend' | 'renew' | 'final';

/**
 * Decides, for a request Enable refused (401 or 403), whether a new token can help:
 * - `resend`: another request of the execution has replaced the token meanwhile: send it again with that one;
 * - `renew`: get a new token (one token request for every request of the execution that asks
 *   meanwhile), then send it again;
 * - `final`: this request already had a new token, or the token it sent is one the execution got
 *   in answer to a refusal moments ago: a fresh token refused lacks a scope, and another would too.
 * `requestData` is the request's copy (credentialDataForOneRequest), holding the token it sent.
 */
export function afterRefusal(requestData: ICredentialDataDecryptedObject, renewedAlready: boolean): AfterRefusal {
	const executionData = executionDataOf(requestData);
	const sent = String(requestData.accessToken ?? '');
	const current = executionData ? String(executionData.accessToken ?? '') : '';
	if (executionData && current && current !== sent && executionData.tokenFingerprint === requestData.tokenFingerprint) return 'resend';
	if (renewedAlready) return 'final';
	const issuedAt = executionData ? tokenAfterRefusalAt(executionData, sent) : undefined;
	if (issuedAt !== undefined && clock.now() - issuedAt < FRESH_TOKEN_MS) return 'final';
	return 'renew';
}

/** Gives an execution its new token, and remembers it as fresh when it answered a refusal. */
function issueTo(executionData: ICredentialDataDecryptedObject, issued: IssuedToken, answeredRefusal: boolean): void {
	Object.assign(executionData, issued);
	if (answeredRefusal) rememberTokenAfterRefusal(executionData, issued.accessToken, clock.now());
}

/** What the credential stores: the token and the fingerprint of the settings it was issued for. */
export type IssuedToken = {
	accessToken: string;
	tokenFingerprint: string;
};

/** POSTs the client-credentials form and returns the token to store, or throws an actionable error. */
export async function requestAccessToken(
	helper: IHttpRequestHelper,
	credentials: ICredentialDataDecryptedObject,
): Promise<IssuedToken> {
	const settings = readCredentialSettings(credentials);
	const tokenFingerprint = settingsFingerprint(settings);
	const executionData = executionDataOf(credentials);
	const answersRefusal = renewalAsked(credentials);
	if (executionData?.accessToken && executionData.tokenFingerprint === tokenFingerprint && executionData.accessToken !== credentials.accessToken) {
		return { accessToken: String(executionData.accessToken), tokenFingerprint };
	}
	let pending = tokensInFlight.get(tokenFingerprint);
	if (!pending) {
		const executions = new Map<ICredentialDataDecryptedObject, boolean>();
		const token = fetchToken(helper, settings).then((accessToken) => {
			for (const [data, refused] of executions) issueTo(data, { accessToken, tokenFingerprint }, refused);
			return accessToken;
		});
		const request: TokenRequest = { token, executions };
		const forget = () => {
			if (tokensInFlight.get(tokenFingerprint) === request) tokensInFlight.delete(tokenFingerprint);
		};
		token.then(forget, forget);
		tokensInFlight.set(tokenFingerprint, request);
		pending = request;
	}
	if (executionData) pending.executions.set(executionData, pending.executions.get(executionData) === true || answersRefusal);
	const issued = { accessToken: await pending.token, tokenFingerprint };
	// Also for a request that joined after the token arrived, before the request was forgotten.
	if (executionData) issueTo(executionData, issued, answersRefusal);
	return issued;
}

/** The error for a token request worth retrying, remembered by its message for n8n 1.x (n8n-compat.ts, 6). */
function transientTokenFailure(message: string, description: string, transient: TransientTokenFailure): EnableCredentialError {
	return rememberTokenFailure(new EnableCredentialError(message, description, transient));
}

async function fetchToken(helper: IHttpRequestHelper, settings: CredentialSettings): Promise<string> {
	const form = new URLSearchParams();
	form.set('client_id', settings.clientId);
	form.set('client_secret', settings.clientSecret);
	form.set('dealtrack_registration_id', settings.registrationId);
	form.set('scope', settings.scopes.join(' '));
	form.set('grant_type', 'client_credentials');

	// One attempt per call. A transient failure (429, 5xx, a dropped connection) is marked as such
	// and the transport retries the whole authenticated request with the policy of data requests,
	// which calls this again; the credential's Test button, which has no such loop, reports the
	// first failure at once instead of waiting up to a minute. An OAuth refusal is never transient.
	let response: TokenResponse | undefined;
	let networkCode: string | undefined;
	try {
		response = (await helper.helpers.httpRequest({
			method: 'POST',
			url: settings.tokenUrl,
			headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
			body: form.toString(),
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: 30_000,
			// Never follow a redirect: n8n would send the form, secret included, wherever a 307 or
			// 308 points. Both options, since n8n 1.x reads only the first and 2.x both.
			disableFollowRedirect: true,
			maxRedirects: 0,
		})) as TokenResponse;
	} catch (error) {
		// The raw error holds the request body (and so the secret): keep only its code.
		networkCode = inspectFailure(error).networkCode;
	}
	if (!response) {
		const summary = `Could not reach ${settings.host} (${networkProblem(networkCode)})`;
		throw transientTokenFailure(
			summary,
			`n8n could not connect to ${settings.tokenUrl} (${networkCode ?? 'no response'}). Check the credential's Base URL and that this n8n instance can reach that host.`,
			{ summary, networkCode },
		);
	}
	const status = response.statusCode;
	if (status >= 300 && status < 400) throw tokenRedirect(response, settings);
	if (status === 429 || status >= 500) {
		const retryAfter = response.headers['retry-after'];
		const wait = parseRetryAfter(retryAfter === undefined ? undefined : String(retryAfter));
		const when = wait === undefined ? 'in a minute' : `in ${Math.max(1, Math.ceil(wait / 1000))} s`;
		const summary = `Enable's token endpoint answered HTTP ${status}`;
		const reason = status === 429 ? 'rate-limited' : 'busy or unavailable';
		// The credential dialog shows only the message, so it carries the advice too.
		throw transientTokenFailure(`${summary} (${reason}): try again ${when}`, `Enable is ${reason} right now: try again ${when}.`, {
			summary,
			status,
			retryAfter: retryAfter === undefined ? undefined : String(retryAfter),
		});
	}
	return interpretTokenResponse(response, settings);
}

/** The origin a redirect points to, or why it has none; never its path or query, which may carry anything. */
function redirectTarget(location: unknown, from: string): string {
	if (typeof location !== 'string' || location === '') return 'nowhere (no Location header)';
	try {
		return new URL(location, from).origin;
	} catch {
		return 'an address that is not a URL';
	}
}

/** A redirect from the token endpoint: never followed, since the form carries the secret. */
function tokenRedirect(response: TokenResponse, settings: CredentialSettings): EnableCredentialError {
	const enableOrigin = new URL(settings.tokenUrl).origin;
	const target = redirectTarget(response.headers.location, settings.tokenUrl);
	return new EnableCredentialError(
		`Enable's token endpoint answered with a redirect (HTTP ${response.statusCode}) to ${target}; n8n did not follow it`,
		`${settings.tokenUrl} redirected to ${target}. n8n never follows a redirect from the token endpoint, so the Client Secret went to ${enableOrigin} only, not to ${target}. Enter the Enable API host itself as the credential's Base URL, such as https://api.deal-track.com, not an address that redirects.`,
	);
}

function parseJson(text: string): unknown {
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return undefined;
	}
}

function interpretTokenResponse(response: TokenResponse, settings: CredentialSettings): string {
	const secrets = [settings.clientSecret];
	const raw = response.body;
	const body = typeof raw === 'string' ? parseJson(raw) : raw;
	if (typeof raw === 'string' && body === undefined) {
		throw new EnableCredentialError(
			`Enable's token endpoint did not answer with JSON (HTTP ${response.statusCode})`,
			`${settings.tokenUrl} answered: "${excerpt(raw, secrets)}". Check that the Base URL is the Enable API host (such as https://api.deal-track.com), not the Enable web app.`,
		);
	}
	const payload = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
	// Quoted in a message: a server that echoes the request must not carry the secret into it.
	const oauthError = typeof payload.error === 'string' ? redact(payload.error, secrets) : undefined;
	const enableSaid =
		typeof payload.error_description === 'string' && payload.error_description
			? redact(payload.error_description, secrets)
			: undefined;

	if (oauthError === 'invalid_client') {
		throw new EnableCredentialError(
			'Enable rejected the Client ID, Client Secret or Dealtrack Registration ID',
			`Check the three values against what Enable sent you (the Client Secret is case-sensitive) and the Base URL of the right environment (production or UAT).${enableSaid ? ` Enable said: "${enableSaid}"` : ''}`,
		);
	}
	if (oauthError === 'invalid_scope') {
		throw new EnableCredentialError(
			`Enable did not grant every requested scope (${settings.scopes.join(' ')})`,
			`Remove the scopes Enable did not grant your client from the credential's Scopes, or ask Enable to grant them.${enableSaid ? ` Enable said: "${enableSaid}"` : ''}`,
		);
	}
	if (oauthError) {
		throw new EnableCredentialError(
			`Enable refused the token request (${oauthError})${enableSaid ? `: ${enableSaid}` : ''}`,
			oauthError === 'unauthorized_client'
				? 'Your client is not allowed to use the client-credentials flow: contact Enable support.'
				: 'Check the credential fields. If they are right, contact Enable support with this message.',
		);
	}
	if (response.statusCode < 200 || response.statusCode >= 300) {
		// 429 and 5xx were handled as transient before: this is another refusal without an OAuth code.
		throw new EnableCredentialError(
			`Enable's token endpoint answered HTTP ${response.statusCode}: check the credential's Base URL`,
			`Check the credential's Base URL (${settings.baseUrl}): it must be the Enable API host.`,
		);
	}
	const accessToken = payload.access_token;
	if (typeof accessToken !== 'string' || !accessToken) {
		throw new EnableCredentialError(
			"Enable's token endpoint answered without an access token",
			`The answer had no access_token field (fields: ${Object.keys(payload).join(', ') || 'none'}). Check that the Base URL is the Enable API host.`,
		);
	}
	return accessToken;
}
