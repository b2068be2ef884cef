/**
 * The one transport for every Enable request: authentication through n8n's credential helpers,
 * redirects followed only within the Base URL's origin (never by n8n, which would take the token
 * along anywhere), one new token for the requests of an execution that Enable refused together
 * (auth.ts), bounded retries for rate limits and transient faults (failures.ts decides and
 * explains), one rate-limit pause shared by the execution's concurrent requests, and JSON:API
 * validation of what comes back. It knows nothing of the node's resources: a request names
 * itself (types.ts).
 */
import {
	type IHttpRequestOptions,
	type INode,
	type JsonObject,
	NodeApiError,
	NodeOperationError,
} from 'n8n-workflow';

import { afterRefusal, credentialDataForOneRequest, normaliseBaseUrl } from './auth';
import { clock } from './clock';
import { type Failure, inspectFailure } from './failures/read';
import { retryDelay } from './failures/retry';
import { describeFailure, requestLabel, toNodeError } from './failures/wording';
import { excerpt, redact, redactBody } from './redact';
import type { EnableConnection, EnableContext, EnableRequest, JsonApiDocument } from './types';

export { RETRY_LIMITS } from './failures/retry';
export { toNodeError } from './failures/wording';
export type { EnableConnection, EnableContext, EnableRequest, JsonApiDocument, RequestSubject, ResourceObject } from './types';

export const CREDENTIAL_TYPE = 'enableApi';

function cancelSignal(context: EnableContext): AbortSignal | undefined {
	return 'getExecutionCancelSignal' in context ? context.getExecutionCancelSignal() : undefined;
}

export async function openConnection(context: EnableContext, itemIndex: number): Promise<EnableConnection> {
	const data = await context.getCredentials(CREDENTIAL_TYPE, itemIndex);
	let baseUrl: string;
	try {
		baseUrl = normaliseBaseUrl(data.baseUrl).baseUrl;
	} catch (error) {
		throw toNodeError(context.getNode(), error, itemIndex);
	}
	const details = context.getNode().credentials?.[CREDENTIAL_TYPE];
	return {
		baseUrl,
		credentials: { id: details?.id ?? '', name: details?.name ?? '', type: CREDENTIAL_TYPE, data },
		gate: { pausedUntil: 0 },
	};
}

/** Waits `ms`, returning early (without throwing) when the execution is cancelled. */
export async function waitOrCancel(context: EnableContext, ms: number): Promise<void> {
	if (ms <= 0) return;
	try {
		await clock.sleep(ms, cancelSignal(context));
	} catch {
		// sleep rejects when the execution is cancelled; the caller checks the signal next.
	}
}

export function throwIfCancelled(context: EnableContext, itemIndex: number): void {
	if (cancelSignal(context)?.aborted) {
		throw new NodeOperationError(context.getNode(), 'The execution was cancelled', { itemIndex });
	}
}

const REQUEST_TIMEOUT_MS = 120_000;

/** A retry inside a poll is sent only if its wait and this many times the last answer's time still fit. */
const RETRY_ROOM = 1.5;

/** Whether waiting `ms` from now would pass a deadline (never, without one). */
export function passesDeadline(deadline: number | undefined, ms: number): boolean {
	return deadline !== undefined && clock.now() + ms >= deadline;
}

/** At most this many redirects, each to the Base URL's origin, are followed for one request. */
const MAX_REDIRECTS = 10;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** An answer as n8n hands it back with returnFullResponse (a helper that ignores the option hands back the body). */
interface Answer {
	statusCode: number;
	headers: Record<string, unknown>;
	body: unknown;
}

function asAnswer(result: unknown): Answer {
	const full = result as Partial<Answer> | undefined;
	if (full && typeof full === 'object' && typeof full.statusCode === 'number' && full.headers && typeof full.headers === 'object' && 'body' in full) {
		return full as Answer;
	}
	return { statusCode: 200, headers: {}, body: result };
}

function header(answer: Answer, name: string): string | undefined {
	const value = answer.headers[name] ?? answer.headers[name.replace(/(^|-)\w/g, (letter) => letter.toUpperCase())];
	return value === undefined || value === null ? undefined : String(value);
}

/**
 * Where a redirect of `from` leads: the next URL when it stays on the Base URL's origin. A redirect
 * anywhere else is refused without being followed, so the token never leaves that origin.
 */
function redirectedUrl(context: EnableContext, connection: EnableConnection, request: EnableRequest, from: string, answer: Answer, hops: number): string {
	const location = header(answer, 'location');
	const enableOrigin = new URL(connection.baseUrl).origin;
	const status = answer.statusCode;
	let next: URL | undefined;
	try {
		next = location ? new URL(location, from) : undefined;
	} catch {
		next = undefined;
	}
	const fail = (message: string, description: string) =>
		new NodeApiError(context.getNode(), { status } as JsonObject, {
			message,
			description,
			httpCode: String(status),
			itemIndex: request.itemIndex,
			failure: { cause: 'configuration-invalid' },
		});
	if (!next) {
		throw fail(
			`Enable answered ${requestLabel(request.url)} with a redirect (HTTP ${status}) that has no valid Location`,
			`There is nothing to follow. Check the credential's Base URL (${enableOrigin}): it must be the Enable API host, such as https://api.deal-track.com.`,
		);
	}
	if (next.origin !== enableOrigin) {
		throw fail(
			`Enable's answer to ${requestLabel(request.url)} redirects to another origin (${next.origin}); n8n did not follow it`,
			`The credential's Base URL is ${enableOrigin}; the answer (HTTP ${status}) pointed to ${next.origin}. n8n follows redirects only within ${enableOrigin}, so your access token was not sent to ${next.origin}. If Enable moved, change the credential's Base URL; otherwise something in front of Enable (a proxy or gateway) redirects elsewhere.`,
		);
	}
	if (hops >= MAX_REDIRECTS) {
		throw fail(
			`Enable redirected ${requestLabel(request.url)} more than ${MAX_REDIRECTS} times`,
			`n8n stopped following the redirects within ${enableOrigin}: they may loop. Check the credential's Base URL, or try again later.`,
		);
	}
	return next.href;
}

/** Sends one GET with retries and returns the JSON:API document. */
export async function enableRequest(
	context: EnableContext,
	connection: EnableConnection,
	request: EnableRequest,
): Promise<JsonApiDocument> {
	const options: IHttpRequestOptions = {
		method: 'GET',
		url: request.url,
		headers: { Accept: 'application/vnd.api+json', 'Content-Type': 'application/vnd.api+json' },
		json: true,
		timeout: REQUEST_TIMEOUT_MS,
		// Every answer comes back as it is: n8n follows no redirect (it would take the token along to
		// any host) and throws for no status, so the transport sees a redirect's Location on n8n
		// 1.x too (whose errors drop the headers) and decides when a refused token is worth renewing.
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		disableFollowRedirect: true,
		maxRedirects: 0,
		sendCredentialsOnCrossOriginRedirect: false,
	};
	let attempt = 1;
	let waitedMs = 0;
	// The slowest answer to this request so far: a retry inside a poll must leave room for one more.
	let answerMs = 0;
	let hops = 0;
	let resends = 0;
	/** Enable refused the token this request sent: the next send gets a new one first. */
	let renew = false;
	/** This request already got a new token after a refusal. */
	let renewed = false;
	for (;;) {
		// A 429 or a failed token request seen by any request of this execution holds back every
		// request until it has passed; the pause may be extended while one waits, so every waiter
		// resumes at its end, together.
		let pause = connection.gate.pausedUntil - clock.now();
		if (pause > 0 && passesDeadline(request.deadline, pause + answerMs * RETRY_ROOM)) {
			// Another request of this poll was told to wait longer than the poll may last.
			const asked = { status: 429, retryAfter: String(Math.ceil(pause / 1000)), cancelled: false };
			throw describeFailure(context.getNode(), asked, request, attempt, waitedMs, pause);
		}
		while (pause > 0 && !cancelSignal(context)?.aborted) {
			await waitOrCancel(context, pause);
			waitedMs += pause;
			pause = connection.gate.pausedUntil - clock.now();
		}
		throwIfCancelled(context, request.itemIndex);
		if (request.deadline !== undefined) {
			// A request may not outlast its deadline: n8n abandons a poll that runs past its budget.
			options.timeout = Math.max(1_000, Math.min(REQUEST_TIMEOUT_MS, request.deadline - clock.now()));
		}
		// Its own copy, so that a refusal is known to be of the token this request sent (auth.ts).
		const data = credentialDataForOneRequest(connection.credentials.data ?? {}, renew);
		// Enable's words (and n8n's) reach an error's description: never the token this request sent, nor the secret.
		const secrets = [data.accessToken, data.clientSecret].filter((secret): secret is string => typeof secret === 'string');
		let answer: Answer | undefined;
		let failure: Failure = { cancelled: false };
		const sent = clock.now();
		try {
			answer = asAnswer(
				await context.helpers.httpRequestWithAuthentication.call(context, CREDENTIAL_TYPE, options, {
					credentialsDecrypted: { ...connection.credentials, data },
				}),
			);
		} catch (error) {
			failure = redactFailure(inspectFailure(error), secrets);
		}
		answerMs = Math.max(answerMs, clock.now() - sent);
		if (answer) {
			if (renew) renewed = true;
			renew = false;
			const status = answer.statusCode;
			if (status >= 200 && status < 300) return readDocument(context.getNode(), answer.body, request);
			if (REDIRECT_STATUSES.has(status)) {
				options.url = redirectedUrl(context, connection, request, options.url, answer, hops++);
				continue;
			}
			if (status === 401 || status === 403) {
				// Parallel requests refused together share one new token; a fresh token refused gets none.
				const next = afterRefusal(data, renewed);
				if (next === 'resend' && resends++ < 3) continue;
				if (next === 'renew') {
					renew = true;
					continue;
				}
			}
			failure = { status, retryAfter: header(answer, 'retry-after'), body: redactBody(answer.body, secrets), cancelled: false };
		}
		const delay = retryDelay(failure, attempt, waitedMs);
		if (delay === undefined) throw describeFailure(context.getNode(), failure, request, attempt, waitedMs);
		// Inside a poll, a wait that would pass its budget is not waited out: n8n polls again later.
		if (passesDeadline(request.deadline, delay + answerMs * RETRY_ROOM)) throw describeFailure(context.getNode(), failure, request, attempt, waitedMs, delay);
		attempt++;
		// Every concurrent request needs the token too: they wait together and share one token request.
		if (failure.status === 429 || failure.credentialError) {
			connection.gate.pausedUntil = Math.max(connection.gate.pausedUntil, clock.now() + delay);
			continue;
		}
		await waitOrCancel(context, delay);
		waitedMs += delay;
	}
}

function readDocument(node: INode, body: unknown, request: EnableRequest): JsonApiDocument {
	let parsed = body;
	if (typeof body === 'string') {
		try {
			parsed = JSON.parse(body) as unknown;
		} catch {
			throw malformed(node, request, 'a body that is not JSON', `It began: "${excerpt(body)}".`);
		}
	}
	if (!parsed || typeof parsed !== 'object' || !('data' in parsed)) {
		const shape = parsed && typeof parsed === 'object' ? `JSON with ${Object.keys(parsed).join(', ') || 'no fields'}` : String(parsed);
		throw malformed(node, request, 'JSON without a "data" member', `It held ${excerpt(shape)}.`);
	}
	const document = parsed as JsonApiDocument;
	if (request.expect === 'list' && !Array.isArray(document.data)) {
		throw malformed(node, request, '"data" that is not a list', '');
	}
	if (request.expect === 'record' && (!document.data || Array.isArray(document.data))) {
		throw malformed(node, request, '"data" that is not one record', '');
	}
	if (document.included !== undefined && !Array.isArray(document.included)) {
		throw malformed(node, request, '"included" that is not a list', '');
	}
	return document;
}

function malformed(node: INode, request: EnableRequest, what: string, detail: string): NodeApiError {
	return new NodeApiError(node, { status: 200 } as JsonObject, {
		message: `Enable answered ${requestLabel(request.url)} with ${what} (HTTP 200)`,
		description: `${detail} A proxy, firewall or maintenance page may have answered instead of the Enable API: check the credential's Base URL, or try again later.`.trim(),
		httpCode: '200',
		itemIndex: request.itemIndex,
		// A maintenance page or a proxy in the way: worth trying again later.
		failure: { cause: 'temporarily-unavailable' },
	});
}

/** A failure as n8n threw it, with the token and the secret taken out of the body and message it quotes. */
function redactFailure(failure: Failure, secrets: readonly string[]): Failure {
	if (failure.body !== undefined) failure.body = redactBody(failure.body, secrets);
	if (failure.unexplained) {
		const { message, description } = failure.unexplained;
		failure.unexplained = { message: redact(message, secrets), description: description === undefined ? undefined : redact(description, secrets) };
	}
	return failure;
}
