/**
 * The one transport for every Enable request: authentication through n8n's credential helpers,
 * bounded retries for rate limits and transient faults (failures.ts decides and explains), one
 * rate-limit pause shared by the execution's concurrent requests, and JSON:API validation of what
 * comes back. It knows nothing of the node's resources: a request names itself (types.ts).
 */
import {
	type IHttpRequestOptions,
	type INode,
	type JsonObject,
	NodeApiError,
	NodeOperationError,
} from 'n8n-workflow';

import { credentialDataForOneRequest, normaliseBaseUrl } from './auth';
import { clock } from './clock';
import { describeFailure, inspectFailure, requestLabel, retryDelay, toNodeError } from './failures';
import { excerpt } from './redact';
import type { EnableConnection, EnableContext, EnableRequest, JsonApiDocument } from './types';

export { RETRY_LIMITS, toNodeError } from './failures';
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

/** Whether waiting `ms` from now would pass the poll's deadline (never, outside a poll). */
export function passesDeadline(connection: EnableConnection, ms: number): boolean {
	return connection.deadline !== undefined && clock.now() + ms >= connection.deadline;
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
	};
	let waitedMs = 0;
	for (let attempt = 1; ; attempt++) {
		// A 429 or a failed token request seen by any request of this execution holds back every
		// request until it has passed; the pause may be extended while one waits, so every waiter
		// resumes at its end, together.
		let pause = connection.gate.pausedUntil - clock.now();
		if (pause > 0 && passesDeadline(connection, pause)) {
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
		if (connection.deadline !== undefined) {
			// A request may not outlast the poll: n8n abandons a poll that runs past its budget.
			options.timeout = Math.max(1_000, Math.min(REQUEST_TIMEOUT_MS, connection.deadline - clock.now()));
		}
		let body: unknown;
		try {
			body = await context.helpers.httpRequestWithAuthentication.call(context, CREDENTIAL_TYPE, options, {
				// Its own copy, so that a refusal is known to be of the token this request sent (auth.ts).
				credentialsDecrypted: { ...connection.credentials, data: credentialDataForOneRequest(connection.credentials.data ?? {}) },
				// A 403 may come from a scope added since the token was issued: get a new token once.
				preAuthenticationRetryStatusCode: [401, 403],
			});
		} catch (error) {
			const failure = inspectFailure(error);
			const delay = retryDelay(failure, attempt, waitedMs);
			if (delay === undefined) throw describeFailure(context.getNode(), failure, request, attempt, waitedMs);
			// Inside a poll, a wait that would pass its budget is not waited out: n8n polls again later.
			if (passesDeadline(connection, delay)) throw describeFailure(context.getNode(), failure, request, attempt, waitedMs, delay);
			// Every concurrent request needs the token too: they wait together and share one token request.
			if (failure.status === 429 || failure.credentialError) {
				connection.gate.pausedUntil = Math.max(connection.gate.pausedUntil, clock.now() + delay);
				continue;
			}
			await waitOrCancel(context, delay);
			waitedMs += delay;
			continue;
		}
		return readDocument(context.getNode(), body, request);
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
