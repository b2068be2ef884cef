/**
 * Reading failures: what n8n threw for a request, in its 2.x shape (the axios error kept as the
 * cause) or its 1.x shape (httpCode, context.data and the message only), read into one Failure.
 */
import { clock } from '../clock';
import { tokenFailureByMessage } from '../n8n-compat';

/** A token request that failed with a status or connection fault worth retrying. */
export interface TransientTokenFailure {
	/** The message without advice, to which the transport adds how often it tried. */
	summary: string;
	status?: number;
	retryAfter?: string;
	networkCode?: string;
}

/**
 * A credential problem found by preAuthentication. n8n wraps whatever this hook throws in a
 * NodeApiError; a plain Error with no status field keeps its message and description intact.
 */
export class EnableCredentialError extends Error {
	readonly description: string;

	/** Set when the token endpoint may answer if asked again: the transport's retry policy decides. */
	readonly transient?: TransientTokenFailure;

	constructor(message: string, description: string, transient?: TransientTokenFailure) {
		super(message);
		this.name = 'EnableCredentialError';
		this.description = description;
		this.transient = transient;
	}
}

/** What went wrong with one attempt, read out of whatever n8n threw. */
export interface Failure {
	status?: number;
	retryAfter?: string;
	body?: unknown;
	networkCode?: string;
	credentialError?: EnableCredentialError;
	/** n8n's own wording, when nothing more specific could be read from the error. */
	unexplained?: { message: string; description?: string };
	cancelled: boolean;
}

const isCancelCode = (code: unknown) => code === 'ERR_CANCELED';

/** Reads status, headers, body and network code out of what n8n threw, in either of its shapes. */
export function inspectFailure(error: unknown): Failure {
	const failure: Failure = { cancelled: false };
	const seen = new Set<unknown>();
	const pending: unknown[] = [error];
	while (pending.length) {
		const current = pending.shift() as Record<string, unknown> | undefined;
		if (!current || typeof current !== 'object' || seen.has(current)) continue;
		seen.add(current);
		if (current instanceof EnableCredentialError) failure.credentialError = current;
		const response = current.response as
			| { status?: unknown; headers?: Record<string, unknown>; data?: unknown }
			| undefined;
		if (failure.status === undefined && response && typeof response.status === 'number') {
			failure.status = response.status;
			const retryAfter = response.headers?.['retry-after'] ?? response.headers?.['Retry-After'];
			if (retryAfter !== undefined) failure.retryAfter = String(retryAfter);
			failure.body = response.data;
		}
		const code = current.code;
		if (isCancelCode(code) || current.name === 'AbortError' || current.name === 'CanceledError') {
			failure.cancelled = true;
		} else if (typeof code === 'string' && /^E[A-Z_]+$/.test(code) && !failure.networkCode) {
			failure.networkCode = code;
		}
		pending.push(current.cause, current.errorResponse);
	}
	const top = (error ?? {}) as { httpCode?: unknown; context?: { data?: unknown }; message?: unknown; description?: unknown };
	if (failure.status === undefined && !failure.networkCode && !failure.credentialError && !failure.cancelled) {
		const httpCode = typeof top.httpCode === 'string' ? top.httpCode : '';
		if (/^\d{3}$/.test(httpCode)) {
			failure.status = Number(httpCode);
			failure.body = top.context?.data;
		} else if (isCancelCode(httpCode)) {
			failure.cancelled = true;
		} else if (/^E[A-Z_]+$/.test(httpCode)) {
			failure.networkCode = httpCode;
		} else if (typeof top.message === 'string' && top.message) {
			failure.unexplained = {
				message: top.message,
				description: typeof top.description === 'string' ? top.description : undefined,
			};
		}
	}
	if (failure.unexplained) {
		// n8n 1.x: only the message is left of what preAuthentication threw (n8n-compat.ts, 6).
		const remembered = tokenFailureByMessage(failure.unexplained.message);
		if (remembered instanceof EnableCredentialError) {
			failure.credentialError = remembered;
			failure.unexplained = undefined;
		}
	}
	// A failed token request is retried like the data request it was made for.
	const transient = failure.credentialError?.transient;
	if (transient && failure.status === undefined && !failure.networkCode) {
		failure.status = transient.status;
		failure.retryAfter = transient.retryAfter;
		failure.networkCode = transient.networkCode;
	}
	return failure;
}

/** Milliseconds to wait from a Retry-After header: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now = clock.now()): number | undefined {
	if (value === undefined || value.trim() === '') return undefined;
	const trimmed = value.trim();
	if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
	const date = Date.parse(trimmed);
	return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The JSON:API parameter Enable blamed for a 400 (`page[size]`, `include`, `filter[x]`, `sort`), as wording.ts marked it. */
export function refusedParameter(error: unknown): string | undefined {
	const value = (error as { context?: { refusedParameter?: unknown } } | undefined)?.context?.refusedParameter;
	return typeof value === 'string' ? value : undefined;
}
