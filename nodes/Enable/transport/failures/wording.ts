/**
 * The words a user reads for a failure: each message says what happened and what to do, names the
 * request and the record, quotes what Enable said, and never holds a secret or a token.
 */
import { type INode, type JsonObject, NodeApiError, NodeOperationError } from 'n8n-workflow';

import { excerpt } from '../redact';
import type { EnableRequest, RequestSubject } from '../types';
import { type DeclaredFailure, declaredFailure, waitAskedFor } from './causes';
import { type Failure, inspectFailure, parseRetryAfter } from './read';

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

export function requestLabel(url: string): string {
	try {
		const parsed = new URL(url);
		return `GET ${parsed.pathname}${parsed.search}`;
	} catch {
		return `GET ${url}`;
	}
}

type JsonApiError = { title?: string; detail?: string; code?: string; source?: { parameter?: string } };

/** Enable's JSON:API error objects, if the body has them. */
function jsonApiErrors(body: unknown): JsonApiError[] {
	let parsed = body;
	if (typeof parsed === 'string') {
		try {
			parsed = JSON.parse(parsed) as unknown;
		} catch {
			return [];
		}
	}
	const errors = parsed && typeof parsed === 'object' ? (parsed as { errors?: unknown }).errors : undefined;
	return Array.isArray(errors) ? (errors as JsonApiError[]) : [];
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

/** Which parameter a 400 is about: Enable's `source.parameter`, else a parameter its words name. */
function blamedParameter(errors: readonly JsonApiError[]): string {
	const named = errors.find((error) => error.source?.parameter)?.source?.parameter;
	if (named) return named;
	const words = errors.map((error) => `${error.title ?? ''} ${error.detail ?? ''} ${error.code ?? ''}`).join(' ');
	if (/page\[size\]|page size/i.test(words)) return 'page[size]';
	if (/\binclude\b|relationship/i.test(words)) return 'include';
	return '';
}

/** What a user reads for an answer from Enable (or none): the message, its description, the parameter blamed. */
interface Words {
	message: string;
	description: string;
	parameter?: string;
}

/** What the words of one failure are made from. */
interface Said {
	status?: number;
	failure: Failure;
	subject: RequestSubject;
	request: EnableRequest;
	/** `GET /v1/deals?...` */
	label: string;
	/** What Enable said, if anything. */
	said: string;
	/** " after 3 attempts over 7 s", or nothing. */
	tries: string;
}

function unreachable({ failure, request, label, tries }: Said): Words {
	let host: string;
	try {
		host = new URL(request.url).host;
	} catch {
		host = request.url;
	}
	return {
		message: `Could not reach ${host} (${networkProblem(failure.networkCode)})${tries}`,
		description: `${label} got no answer${failure.networkCode ? ` (${failure.networkCode})` : ''}. Check the credential's Base URL and that this n8n instance can reach the Enable API, then try again.`,
	};
}

function tokenRefused({ status, subject, label, said }: Said): Words {
	if (!subject.scopePublished) {
		// Never a confident hint about a scope Enable has not published.
		return {
			message: `Enable refused the token for ${subject.nouns} (HTTP ${status})`,
			description: withEnableSaid(
				`n8n fetched a fresh token and Enable still refused ${label}. Enable has not published which scope grants access to ${subject.nouns}; this node assumes ${subject.scope}. Ask Enable which scope your API client needs for ${subject.nouns}, then select it in the credential's Scopes.`,
				said,
			),
		};
	}
	if (status === 401) {
		return {
			message: 'Enable rejected the access token (HTTP 401)',
			description: withEnableSaid(
				`n8n fetched a fresh token and Enable still refused ${label}. If only ${subject.name} requests fail, the credential may lack the ${subject.scope} scope: add it to the credential's Scopes. Otherwise check that your Enable API client is still active.`,
				said,
			),
		};
	}
	return {
		message: `The Enable credential lacks the ${subject.scope} scope`,
		description: withEnableSaid(
			`Reading ${subject.name} records needs ${subject.scope}. Add it to the credential's Scopes (Enable must have granted it to your client), then run the node again.`,
			said,
		),
	};
}

function notFound({ request, subject, label, said }: Said): Words {
	if (request.recordId === undefined) return { message: `Enable has no collection at ${label}`, description: withEnableSaid("Check the credential's Base URL.", said) };
	return {
		message: `The ${subject.noun} "${request.recordId}" was not found in Enable`,
		description: withEnableSaid(`Check the ${subject.name} ID: Enable ids are short, case-sensitive strings${subject.sampleId ? ` such as ${subject.sampleId}` : ''}.`, said),
	};
}

function rateLimited({ failure, tries }: Said): Words {
	const retryAfterMs = parseRetryAfter(failure.retryAfter);
	const when = retryAfterMs !== undefined ? `in ${Math.ceil(retryAfterMs / 1000)} s` : 'in a minute';
	return {
		message: `Enable is rate-limiting requests (HTTP 429)${tries}`,
		description: `Enable asked n8n to slow down. Try again ${when}, or fetch fewer records per run (Limit, filters) or run the workflow less often.`,
	};
}

function requestRefused({ status, failure, subject, label, said }: Said): Words {
	const errors = jsonApiErrors(failure.body);
	const parameter = blamedParameter(errors);
	if (parameter === 'include' && subject.include?.length) {
		const words = errors.map((error) => `${error.title ?? ''} ${error.detail ?? ''}`).join(' ');
		const named = subject.include.filter((name) => words.includes(name));
		return {
			message: `Enable refused to include ${(named.length ? named : subject.include).join(', ')} with ${subject.nouns}`,
			description: withEnableSaid(
				`Remove ${named.length === 1 ? named[0] : 'the relationships Enable does not offer'} from Include Related (Options): Enable does not offer every relationship on every collection.`,
				said,
			),
			parameter,
		};
	}
	const hint = parameter.startsWith('filter[')
		? ` Not every Enable collection supports every filter: check the filter attribute ${parameter.slice(7, -1)}.`
		: parameter === 'sort'
			? ' Check the Sort option: use attribute names, with a leading - for descending order.'
			: parameter === 'page[size]'
				? ' Set a smaller Page Size in the options.'
				: '';
	return { message: `Enable rejected the request: ${errors[0]?.title ?? `HTTP ${status}`}`, description: withEnableSaid(`${label} was refused.${hint}`, said), parameter };
}

function failedOnEnable({ status, label, said, tries }: Said): Words {
	return {
		message: `Enable failed to process the request (HTTP ${status})${tries}`,
		description: withEnableSaid(`${label} failed on Enable's side. Try again later; if it persists, contact Enable support.`, said),
	};
}

/** The words for an answer Enable gave (or did not give), by its status. */
function wordsFor(said: Said): Words {
	const { status, label } = said;
	if (status === undefined) return unreachable(said);
	if (status === 401 || status === 403) return tokenRefused(said);
	if (status === 404) return notFound(said);
	if (status === 429) return rateLimited(said);
	if (status === 400 || status === 422) return requestRefused(said);
	if (status >= 500) return failedOnEnable(said);
	return { message: `Enable answered HTTP ${status}`, description: withEnableSaid(`${label} was refused.`, said.said) };
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
	const { credentialError, status } = failure;
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
	const tries = attempts > 1 ? ` after ${attempts} attempts over ${Math.round(waitedMs / 1000)} s` : '';
	const words = wordsFor({ status, failure, subject, request, label: requestLabel(request.url), said: enableSaid(failure.body), tries });
	const error = new NodeApiError(node, (status === undefined ? { network: failure.networkCode ?? 'none' } : { status }) as JsonObject, {
		message: words.message,
		description: `${words.description}${budgetNote}`,
		httpCode: status === undefined ? undefined : String(status),
		itemIndex,
		failure: declared,
	});
	if (words.parameter) error.context.refusedParameter = words.parameter;
	return error;
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
