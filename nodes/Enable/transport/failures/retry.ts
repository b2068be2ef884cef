/** When to try a request again: bounded retries for rate limits and transient faults. */
import { type Failure, parseRetryAfter } from './read';

/** Bounds of the retries of one request. */
export const RETRY_LIMITS = {
	maxAttempts: 5,
	maxTotalWaitMs: 60_000,
	firstBackoffMs: 1_000,
};

const TRANSIENT_STATUSES = new Set([502, 503, 504]);
const TRANSIENT_NETWORK_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'ECONNABORTED', 'EPIPE', 'ESOCKETTIMEDOUT', 'EAI_AGAIN']);

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
