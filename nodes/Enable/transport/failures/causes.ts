/**
 * Why a failure happened, in the causes n8n 2.37+ reads to decide how long to back off a failing
 * poll (`failure` on NodeApiError / NodeOperationError: n8n-workflow's errors/failure, n8n's
 * poll-backoff-policy). The message a user reads stays ours (wording.ts).
 */
import type { Failure as DeclaredFailure } from 'n8n-workflow';

import { type Failure, parseRetryAfter } from './read';

export type { DeclaredFailure };

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

/** The wait to declare: the one a rate limit asked for, else the back-off the transport did not wait out. */
export function waitAskedFor(failure: Failure, backoffMs: number | undefined): number | undefined {
	return failure.status === 429 ? (parseRetryAfter(failure.retryAfter) ?? backoffMs) : backoffMs;
}
