/**
 * Where n8n's own interfaces fall short, the transport and the credential attach a little state to
 * the objects n8n hands them, or answer n8n in the shape it reacts to. Every such trick is here,
 * each with the n8n versions it serves (2.41.1 and 1.123.81 are tested end to end), why it is
 * needed, and the test that guards it. Nothing else in the package keeps state on n8n's objects.
 */
import type { ICredentialDataDecryptedObject, IHttpRequestOptions } from 'n8n-workflow';

/**
 * 1. Per-request credential data (n8n 2.41 and 1.123). A node hands n8n the decrypted credential
 *    with each request (`credentialsDecrypted`), and n8n hands that same object to the credential's
 *    `authenticate` and `preAuthentication`. The transport gives every request its own copy of the
 *    execution's data: when Enable refuses a token, the copy still holds the token that request
 *    sent, and the token step can tell whether another request of the execution already replaced
 *    it (use that one) or a new one is needed; a new token is written back to the execution's data.
 *    Guarded by test/credential.test.ts ("a request refused 300 ms after the others renewed the
 *    token") and test/token-refresh.test.ts.
 */
const executionDataOfCopy = new WeakMap<ICredentialDataDecryptedObject, ICredentialDataDecryptedObject>();

export function copyForRequest(executionData: ICredentialDataDecryptedObject): ICredentialDataDecryptedObject {
	const copy = { ...executionData };
	executionDataOfCopy.set(copy, executionData);
	return copy;
}

/** The execution's data a request's copy was made from (undefined outside this package's transport). */
export function executionDataOf(requestData: ICredentialDataDecryptedObject): ICredentialDataDecryptedObject | undefined {
	return executionDataOfCopy.get(requestData);
}

/**
 * 2. Renewals asked by the transport (n8n 2.41 and 1.123). n8n renews a token only on its own
 *    refusal rules (`preAuthenticationRetryStatusCode`), which would renew once per refused request:
 *    the transport decides instead (auth.ts afterRefusal) and marks the request's copy; the
 *    credential's `authenticate` then answers in the shape of a 401 (`needsNewToken`), which makes
 *    n8n run `preAuthentication` and send again. Guarded by test/token-refresh.test.ts.
 */
const renewalsDue = new WeakSet<ICredentialDataDecryptedObject>();
const renewalsAsked = new WeakSet<ICredentialDataDecryptedObject>();

export function markRenewal(requestData: ICredentialDataDecryptedObject): void {
	renewalsDue.add(requestData);
	renewalsAsked.add(requestData);
}

/** Whether this request must get a new token before it is sent (asked once: the mark is used up). */
export function takeRenewal(requestData: ICredentialDataDecryptedObject): boolean {
	return renewalsDue.delete(requestData);
}

/** Whether this request's token step answers a refusal (its new token is then fresh: see 3). */
export function renewalAsked(requestData: ICredentialDataDecryptedObject): boolean {
	return renewalsAsked.has(requestData);
}

/**
 * 3. Tokens an execution got in answer to a refusal, and when (n8n 2.41 and 1.123): a fresh token
 *    refused again lacks a scope, and another would be refused too. Kept on the execution's data,
 *    which n8n drops with the execution. Guarded by test/token-refresh.test.ts.
 */
const tokensAfterRefusal = new WeakMap<ICredentialDataDecryptedObject, Map<string, number>>();

export function rememberTokenAfterRefusal(executionData: ICredentialDataDecryptedObject, token: string, at: number): void {
	const fresh = tokensAfterRefusal.get(executionData) ?? new Map<string, number>();
	if (!fresh.has(token)) fresh.set(token, at);
	tokensAfterRefusal.set(executionData, fresh);
}

export function tokenAfterRefusalAt(executionData: ICredentialDataDecryptedObject, token: string): number | undefined {
	return tokensAfterRefusal.get(executionData)?.get(token);
}

/**
 * 4. An error in the shape of a 401 (n8n 2.41 and 1.123): thrown by the credential's `authenticate`,
 *    it makes n8n run `preAuthentication` with the values it has and repeat the request. Used when a
 *    stored token was issued for other settings, when the transport asked for a renewal (2), and for
 *    the credential test (5). Guarded by test/credential.test.ts.
 */
export function needsNewToken(reason: string): Error {
	return Object.assign(new Error(reason), { response: { status: 401 } });
}

/**
 * 5. The credential test's marker (n8n 2.41): n8n's Test button reuses a stored token whose
 *    fingerprint matches (its temporary node is not recognised as a test), so it would never check
 *    the values on screen against Enable. The test request carries this header; `authenticate`
 *    strips it and answers once with `needsNewToken`, so n8n fetches a new token and repeats the
 *    same options object, which is remembered so that it is let through the second time. The header
 *    never leaves n8n. Guarded by test/credential.test.ts and e2e:editor.
 */
export const CREDENTIAL_TEST_HEADER = 'x-enable-credential-test';

const testsWithNewToken = new WeakSet<IHttpRequestOptions>();

/** Strips the marker; true when this is a marked test request that has not had its new token yet. */
export function credentialTestNeedsNewToken(requestOptions: IHttpRequestOptions, headers: Record<string, unknown>): boolean {
	const markers = Object.keys(headers).filter((name) => name.toLowerCase() === CREDENTIAL_TEST_HEADER);
	for (const name of markers) delete headers[name];
	if (!markers.length || testsWithNewToken.has(requestOptions)) return false;
	testsWithNewToken.add(requestOptions);
	return true;
}

/**
 * 6. Token failures known by their message (n8n 1.123 only). n8n 1.x wraps what
 *    `preAuthentication` throws in a NodeApiError that keeps its message and description but drops
 *    the error itself, so the transport could not tell a busy token endpoint (worth retrying) from a
 *    final refusal. The latest transient token failures are remembered by their message, to be
 *    recognised again; n8n 2.x keeps the error as the cause and needs none of this. Guarded by
 *    test/error-shapes.test.ts ("a busy token endpoint is retried though n8n 1.x keeps only the
 *    message") and the e2e on n8n 1.123.81.
 */
const recentTokenFailures = new Map<string, Error>();
const REMEMBERED_TOKEN_FAILURES = 20;

export function rememberTokenFailure<T extends Error>(error: T): T {
	recentTokenFailures.delete(error.message);
	recentTokenFailures.set(error.message, error);
	if (recentTokenFailures.size > REMEMBERED_TOKEN_FAILURES) recentTokenFailures.delete(recentTokenFailures.keys().next().value as string);
	return error;
}

export function tokenFailureByMessage(message: string): Error | undefined {
	return recentTokenFailures.get(message);
}
