/**
 * The one transport for every Enable request: authentication through n8n's credential helpers,
 * bounded retries for rate limits and transient faults (failures.ts decides and explains), and
 * JSON:API validation of what comes back.
 */
import {
	type ICredentialsDecrypted,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestOptions,
	type IPollFunctions,
	type INode,
	type JsonObject,
	NodeApiError,
	NodeOperationError,
	sleep,
} from 'n8n-workflow';

import type { EnableResource } from '../resources';
import { normaliseBaseUrl } from './auth';
import { describeFailure, inspectFailure, requestLabel, retryDelay, toNodeError } from './failures';
import { excerpt } from './redact';

export { RETRY_LIMITS, toNodeError } from './failures';

export const CREDENTIAL_TYPE = 'enableApi';

/** What the transport runs in: the action node's or the trigger's context. */
export type EnableContext = IExecuteFunctions | IPollFunctions;

function cancelSignal(context: EnableContext): AbortSignal | undefined {
	return 'getExecutionCancelSignal' in context ? context.getExecutionCancelSignal() : undefined;
}

export interface ResourceObject extends IDataObject {
	type: string;
	id: string;
}

export interface JsonApiDocument {
	data: ResourceObject | ResourceObject[] | null;
	links?: { next?: string | null } & IDataObject;
	meta?: IDataObject;
}

/** One request: which record or page, for which input item. */
export interface EnableRequest {
	url: string;
	resource: EnableResource;
	itemIndex: number;
	/** Set for Get: the record id, so a 404 can name it. */
	recordId?: string;
}

/**
 * The credential, decrypted once per execution, and its validated Base URL. Handing the decrypted
 * credential to every request spares n8n a decryption per page; n8n still authenticates each
 * request and stores a refreshed token, because the credential's id travels with it.
 */
export interface EnableConnection {
	baseUrl: string;
	credentials: ICredentialsDecrypted;
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
	return { baseUrl, credentials: { id: details?.id ?? '', name: details?.name ?? '', type: CREDENTIAL_TYPE, data } };
}

async function waitOrCancel(context: EnableContext, ms: number): Promise<void> {
	try {
		await sleep(ms, cancelSignal(context));
	} catch {
		// sleep rejects when the execution is cancelled; the caller checks the signal next.
	}
}

function throwIfCancelled(context: EnableContext, itemIndex: number): void {
	if (cancelSignal(context)?.aborted) {
		throw new NodeOperationError(context.getNode(), 'The execution was cancelled', { itemIndex });
	}
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
		timeout: 120_000,
	};
	let waitedMs = 0;
	for (let attempt = 1; ; attempt++) {
		throwIfCancelled(context, request.itemIndex);
		let body: unknown;
		try {
			body = await context.helpers.httpRequestWithAuthentication.call(context, CREDENTIAL_TYPE, options, {
				credentialsDecrypted: connection.credentials,
				// A 403 may come from a scope added since the token was issued: get a new token once.
				preAuthenticationRetryStatusCode: [401, 403],
			});
		} catch (error) {
			const failure = inspectFailure(error);
			const delay = retryDelay(failure, attempt, waitedMs);
			if (delay === undefined) throw describeFailure(context.getNode(), failure, request, attempt, waitedMs);
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
	const isList = request.recordId === undefined;
	if (isList ? !Array.isArray(document.data) : !document.data || Array.isArray(document.data)) {
		throw malformed(node, request, isList ? '"data" that is not a list' : '"data" that is not one record', '');
	}
	return document;
}

function malformed(node: INode, request: EnableRequest, what: string, detail: string): NodeApiError {
	return new NodeApiError(node, { status: 200 } as JsonObject, {
		message: `Enable answered ${requestLabel(request.url)} with ${what} (HTTP 200)`,
		description: `${detail} A proxy, firewall or maintenance page may have answered instead of the Enable API: check the credential's Base URL, or try again later.`.trim(),
		httpCode: '200',
		itemIndex: request.itemIndex,
	});
}
