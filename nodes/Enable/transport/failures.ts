/**
 * Reading and explaining failures: what n8n threw (in its 1.x or 2.x shape), whether and when to
 * try again, and the message a user sees, which says what to do and never holds a secret.
 */
import { type Failure as DeclaredFailure, type INode, type JsonObject, NodeApiError, NodeOperationError } from 'n8n-workflow';

import { excerpt } from './redact';
import type { EnableRequest } from './types';

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

/**
 * n8n 1.x wraps what preAuthentication throws in a NodeApiError that keeps only its message and
 * description (the cause is dropped), so the transport could not tell a busy token endpoint from a
 * final refusal. The latest transient token failures are remembered by their message to be
 * recognised again; n8n 2.x keeps the error itself as the cause.
 */
const recentTransientTokenFailures = new Map<string, EnableCredentialError>();
const REMEMBERED_TOKEN_FAILURES = 20;

/** Builds the error for a token request worth retrying, and remembers it for n8n 1.x. */
export function transientTokenFailure(message: string, description: string, transient: TransientTokenFailure): EnableCredentialError {
	const error = new EnableCredentialError(message, description, transient);
	recentTransientTokenFailures.delete(message);
	recentTransientTokenFailures.set(message, error);
	if (recentTransientTokenFailures.size > REMEMBERED_TOKEN_FAILURES) {
		recentTransientTokenFailures.delete(recentTransientTokenFailures.keys().next().value as string);
	}
	return error;
}

/** A token request that failed with a status or connection fault worth retrying. */
export interface TransientTokenFailure {
	/** The message without advice, to which the transport adds how often it tried. */
	summary: string;
	status?: number;
	retryAfter?: string;
	networkCode?: string;
}

const NETWORK_PROBLEMS: Record<string, string> = {
	ECONNREFUSED: 'connection refused',
	ENOTFOUND: 'host not found',
	EAI_AGAIN: 'DNS lookup failed',
	ETIMEDOUT: 'timed out',
	ESOCKETTIMEDOUT: 'timed out',
	ECONNRESET: 'connection reset',
	ECONNABORTED: 'connection aborted',
	EHOSTUNREACH: 'host unreachable',
	ENETUNREACH: 'network unreachable',
	EPIPE: 'connection closed',
};

/**
 * A network error code in words. The code itself stays out of error messages: n8n replaces any
 * message containing one with a generic sentence that would hide which host failed.
 */
export function networkProblem(code: string | undefined): string {
	return (code && NETWORK_PROBLEMS[code]) ?? (code && !/^E[A-Z_]+$/.test(code) ? code : 'no response');
}

/** Bounds of the retries of one request. */
export const RETRY_LIMITS = {
	maxAttempts: 5,
	maxTotalWaitMs: 60_000,
	firstBackoffMs: 1_000,
};

const TRANSIENT_STATUSES = new Set([502, 503, 504]);
const TRANSIENT_NETWORK_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'ECONNABORTED', 'EPIPE', 'ESOCKETTIMEDOUT', 'EAI_AGAIN']);

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

/**
 * Reads status, headers, body and network code out of what n8n threw. n8n 2.x keeps the axios
 * error as the NodeApiError's cause; n8n 1.x drops it and leaves only httpCode (a status or a
 * network code), context.data (the body) and the message, so both shapes are read.
 */
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
		// n8n 1.x: only the message is left of what preAuthentication threw.
		const remembered = recentTransientTokenFailures.get(failure.unexplained.message);
		if (remembered) {
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
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
	if (value === undefined || value.trim() === '') return undefined;
	const trimmed = value.trim();
	if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
	const date = Date.parse(trimmed);
	return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Why a failure happened, in the causes n8n 2.37+ reads to decide how long to back off a failing
 * poll (`failure` on NodeApiError / NodeOperationError). The message a user reads stays ours.
 */
export function declaredFailure(failure: Failure, retryAfterMs?: number): DeclaredFailure | undefined {
	const { credentialError, status } = failure;
	const wait = retryAfterMs !== undefined && retryAfterMs > 0 ? { retryAfterMs } : {};
	if (credentialError && !credentialError.transient) return { cause: 'credential-invalid' };
	if (failure.cancelled || failure.unexplained) return undefined;
	if (status === 429) return { cause: 'rate-limited', ...wait };
	if (status === undefined || status >= 500) return { cause: 'temporarily-unavailable', ...wait };
	if (status === 401) return { cause: 'credential-invalid' };
	return { cause: 'configuration-invalid' };
}

/** The wait a rate limit asked for, else the back-off the transport would have waited. */
function waitAskedFor(failure: Failure, backoffMs: number | undefined): number | undefined {
	return failure.status === 429 ? (parseRetryAfter(failure.retryAfter) ?? backoffMs) : backoffMs;
}

function backoff(attempt: number): number {
	const jitter = 0.8 + Math.random() * 0.4;
	return Math.round(RETRY_LIMITS.firstBackoffMs * 2 ** (attempt - 1) * jitter);
}

/** How long to wait before the next attempt, or undefined when the failure is final. */
export function retryDelay(failure: Failure, attempt: number, waitedMs: number): number | undefined {
	if (failure.cancelled || (failure.credentialError && !failure.credentialError.transient) || failure.unexplained) return undefined;
	const { status } = failure;
	let delay: number | undefined;
	if (status === 429) {
		delay = parseRetryAfter(failure.retryAfter) ?? backoff(attempt);
	} else if (
		(status !== undefined && TRANSIENT_STATUSES.has(status)) ||
		(status === undefined && failure.networkCode && TRANSIENT_NETWORK_CODES.has(failure.networkCode))
	) {
		delay = backoff(attempt);
	} else if (status !== undefined && status >= 500 && attempt === 1) {
		delay = backoff(attempt);
	}
	if (delay === undefined || attempt >= RETRY_LIMITS.maxAttempts) return undefined;
	if (waitedMs + delay > RETRY_LIMITS.maxTotalWaitMs) return undefined;
	return delay;
}

export function requestLabel(url: string): string {
	try {
		const parsed = new URL(url);
		return `GET ${parsed.pathname}${parsed.search}`;
	} catch {
		return `GET ${url}`;
	}
}

/** Enable's JSON:API error objects, if the body has them. */
function jsonApiErrors(body: unknown): Array<{ title?: string; detail?: string; code?: string; source?: { parameter?: string } }> {
	let parsed = body;
	if (typeof parsed === 'string') {
		try {
			parsed = JSON.parse(parsed) as unknown;
		} catch {
			return [];
		}
	}
	const errors = parsed && typeof parsed === 'object' ? (parsed as { errors?: unknown }).errors : undefined;
	return Array.isArray(errors) ? (errors as Array<Record<string, never>>) : [];
}

function enableSaid(body: unknown): string {
	const errors = jsonApiErrors(body);
	if (errors.length) {
		return errors
			.map((error) => [error.title, error.detail].filter(Boolean).join(': '))
			.filter(Boolean)
			.join('; ');
	}
	return typeof body === 'string' && body.trim() ? excerpt(body) : '';
}

function withEnableSaid(description: string, said: string): string {
	return said ? `${description} Enable said: "${excerpt(said, [], 300)}"` : description;
}

/** The JSON:API parameter Enable blamed for a 400 (`page[size]`, `include`, `filter[x]`, `sort`), if any. */
export function refusedParameter(error: unknown): string | undefined {
	const value = (error as { context?: { refusedParameter?: unknown } } | undefined)?.context?.refusedParameter;
	return typeof value === 'string' ? value : undefined;
}

/** Which parameter a 400 is about: Enable's `source.parameter`, else a parameter its words name. */
function blamedParameter(errors: ReturnType<typeof jsonApiErrors>): string {
	const named = errors.find((error) => error.source?.parameter)?.source?.parameter;
	if (named) return named;
	const words = errors.map((error) => `${error.title ?? ''} ${error.detail ?? ''} ${error.code ?? ''}`).join(' ');
	if (/page\[size\]|page size/i.test(words)) return 'page[size]';
	if (/\binclude\b|relationship/i.test(words)) return 'include';
	return '';
}

/** Turns a final failure into the error the user sees. */
export function describeFailure(
	node: INode,
	failure: Failure,
	request: EnableRequest,
	attempts: number,
	waitedMs: number,
	/** Set when the next attempt was due in this many ms but would have passed the poll's time budget. */
	stoppedForBudgetMs?: number,
): NodeApiError | NodeOperationError {
	const { itemIndex, subject } = request;
	const { credentialError } = failure;
	const declared = declaredFailure(failure, waitAskedFor(failure, stoppedForBudgetMs));
	const budgetNote =
		stoppedForBudgetMs === undefined
			? ''
			: ` The poll stopped instead of waiting ${Math.ceil(stoppedForBudgetMs / 1000)} s, which would have passed the time n8n gives a poll; n8n polls again after that.`;
	if (credentialError) {
		// After retries a token failure says how often it was tried; its own message advises a single try.
		const { transient } = credentialError;
		const message = transient && attempts > 1 ? `${transient.summary} after ${attempts} attempts over ${Math.round(waitedMs / 1000)} s` : credentialError.message;
		return credentialNodeError(node, message, `${credentialError.description}${budgetNote}`, itemIndex, declared);
	}
	if (failure.cancelled) return new NodeOperationError(node, 'The execution was cancelled', { itemIndex });
	if (failure.unexplained) {
		// e.g. a credential error on n8n 1.x, which keeps its message and description but not its class.
		return new NodeApiError(node, { unexplained: true } as JsonObject, { ...failure.unexplained, itemIndex });
	}

	const status = failure.status;
	const said = enableSaid(failure.body);
	const label = requestLabel(request.url);
	const tries = attempts > 1 ? ` after ${attempts} attempts over ${Math.round(waitedMs / 1000)} s` : '';
	const make = (message: string, description: string, parameter?: string) => {
		const error = new NodeApiError(node, (status === undefined ? { network: failure.networkCode ?? 'none' } : { status }) as JsonObject, {
			message,
			description: `${description}${budgetNote}`,
			httpCode: status === undefined ? undefined : String(status),
			itemIndex,
			failure: declared,
		});
		if (parameter) error.context.refusedParameter = parameter;
		return error;
	};

	if (status === undefined) {
		const host = (() => {
			try {
				return new URL(request.url).host;
			} catch {
				return request.url;
			}
		})();
		return make(
			`Could not reach ${host} (${networkProblem(failure.networkCode)})${tries}`,
			`${label} got no answer${failure.networkCode ? ` (${failure.networkCode})` : ''}. Check the credential's Base URL and that this n8n instance can reach the Enable API, then try again.`,
		);
	}
	if ((status === 401 || status === 403) && !subject.scopePublished) {
		// Never a confident hint about a scope Enable has not published.
		return make(
			`Enable refused the token for ${subject.nouns} (HTTP ${status})`,
			withEnableSaid(
				`n8n fetched a fresh token and Enable still refused ${label}. Enable has not published which scope grants access to ${subject.nouns}; this node assumes ${subject.scope}. Ask Enable which scope your API client needs for ${subject.nouns}, then select it in the credential's Scopes.`,
				said,
			),
		);
	}
	if (status === 401) {
		return make(
			'Enable rejected the access token (HTTP 401)',
			withEnableSaid(
				`n8n fetched a fresh token and Enable still refused ${label}. If only ${subject.name} requests fail, the credential may lack the ${subject.scope} scope: add it to the credential's Scopes. Otherwise check that your Enable API client is still active.`,
				said,
			),
		);
	}
	if (status === 403) {
		return make(
			`The Enable credential lacks the ${subject.scope} scope`,
			withEnableSaid(
				`Reading ${subject.name} records needs ${subject.scope}. Add it to the credential's Scopes (Enable must have granted it to your client), then run the node again.`,
				said,
			),
		);
	}
	if (status === 404 && request.recordId !== undefined) {
		return make(
			`The ${subject.noun} "${request.recordId}" was not found in Enable`,
			withEnableSaid(
				`Check the ${subject.name} ID: Enable ids are short, case-sensitive strings${subject.sampleId ? ` such as ${subject.sampleId}` : ''}.`,
				said,
			),
		);
	}
	if (status === 404) {
		return make(`Enable has no collection at ${label}`, withEnableSaid("Check the credential's Base URL.", said));
	}
	if (status === 429) {
		const retryAfterMs = parseRetryAfter(failure.retryAfter);
		const when = retryAfterMs !== undefined ? `in ${Math.ceil(retryAfterMs / 1000)} s` : 'in a minute';
		return make(
			`Enable is rate-limiting requests (HTTP 429)${tries}`,
			`Enable asked n8n to slow down. Try again ${when}, or fetch fewer records per run (Limit, filters) or run the workflow less often.`,
		);
	}
	if (status === 400 || status === 422) {
		const errors = jsonApiErrors(failure.body);
		const parameter = blamedParameter(errors);
		if (parameter === 'include' && subject.include?.length) {
			const words = errors.map((error) => `${error.title ?? ''} ${error.detail ?? ''}`).join(' ');
			const named = subject.include.filter((name) => words.includes(name));
			const relationships = (named.length ? named : subject.include).join(', ');
			return make(
				`Enable refused to include ${relationships} with ${subject.nouns}`,
				withEnableSaid(
					`Remove ${named.length === 1 ? named[0] : 'the relationships Enable does not offer'} from Include Related (Options): Enable does not offer every relationship on every collection.`,
					said,
				),
				parameter,
			);
		}
		const hint = parameter.startsWith('filter[')
			? ` Not every Enable collection supports every filter: check the filter attribute ${parameter.slice(7, -1)}.`
			: parameter === 'sort'
				? ' Check the Sort option: use attribute names, with a leading - for descending order.'
				: parameter === 'page[size]'
					? ' Set a smaller Page Size in the options.'
					: '';
		return make(`Enable rejected the request: ${errors[0]?.title ?? `HTTP ${status}`}`, withEnableSaid(`${label} was refused.${hint}`, said), parameter);
	}
	if (status >= 500) {
		return make(
			`Enable failed to process the request (HTTP ${status})${tries}`,
			withEnableSaid(`${label} failed on Enable's side. Try again later; if it persists, contact Enable support.`, said),
		);
	}
	return make(`Enable answered HTTP ${status}`, withEnableSaid(`${label} was refused.`, said));
}

/** A credential problem as the user sees it: our message and description, nothing of n8n's wording. */
function credentialNodeError(node: INode, message: string, description: string, itemIndex: number, failure?: DeclaredFailure): NodeApiError {
	return new NodeApiError(node, { credential: 'enableApi' } as JsonObject, { message, description, itemIndex, failure });
}

/**
 * Wraps anything into a NodeApiError/NodeOperationError for this item. A NodeApiError passed to
 * NodeApiError's constructor is returned unchanged, so only fresh errors are built here.
 */
export function toNodeError(node: INode, error: unknown, itemIndex: number): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		error.context.itemIndex ??= itemIndex;
		return error;
	}
	const failure = inspectFailure(error);
	const { credentialError } = failure;
	if (credentialError) return credentialNodeError(node, credentialError.message, credentialError.description, itemIndex, declaredFailure(failure));
	const message = error instanceof Error ? error.message : String(error);
	// Nothing Enable or the user did explains an error the node did not foresee.
	return new NodeOperationError(node, message, { itemIndex, failure: { cause: 'node-defect' } });
}
