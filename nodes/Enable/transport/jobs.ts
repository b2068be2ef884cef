/**
 * Enable's asynchronous endpoints: the first answer may be a `queue-jobs` resource whose
 * `links.self` is polled until it redirects to the result. Waits start at 1 s and grow to 10 s,
 * stop at once when the execution is cancelled, and give up after the caller's maximum wait.
 */
import { type JsonObject, NodeApiError, NodeOperationError } from 'n8n-workflow';

import { clock } from './clock';
import { followableLink } from './paging';
import { enableRequest, throwIfCancelled, waitOrCancel } from './request';
import type { EnableConnection, EnableContext, EnableRequest, JsonApiDocument, ResourceObject } from './types';

export const JOB_POLLING = { firstDelayMs: 1_000, growth: 1.5, maxDelayMs: 10_000 } as const;

const FAILED_STATUS = /fail|error|cancel|abort|reject/i;

/** The job a document describes, or undefined when the document is the result itself. */
function jobOf(document: JsonApiDocument): ResourceObject | undefined {
	const data = document.data;
	return data && !Array.isArray(data) && /queue-?jobs?/i.test(String(data.type)) ? data : undefined;
}

function attributeText(job: ResourceObject, name: string): string | undefined {
	const value = (job.attributes as Record<string, unknown> | undefined)?.[name];
	return typeof value === 'string' && value ? value : undefined;
}

function seconds(ms: number): string {
	return ms >= 90_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`;
}

export interface JobResult {
	document: JsonApiDocument;
	/** The URL the result was read from (the job's link once it redirected), for relative links. */
	url: string;
}

/**
 * Sends `first` and, while Enable answers with a pending job, polls the job until it has a result.
 * `name` says what the job computes, e.g. "deal-earnings report".
 */
export async function awaitJobResult(
	context: EnableContext,
	connection: EnableConnection,
	first: EnableRequest,
	name: string,
	maxWaitMs: number,
): Promise<JobResult> {
	const started = clock.now();
	let url = first.url;
	let document = await enableRequest(context, connection, { ...first, expect: 'any' });
	let delay: number = JOB_POLLING.firstDelayMs;
	for (;;) {
		const job = jobOf(document);
		if (!job) return { document, url };
		const status = attributeText(job, 'status') ?? 'unknown';
		if (FAILED_STATUS.test(status)) {
			const detail =
				attributeText(job, 'detail') ?? attributeText(job, 'message') ?? attributeText(job, 'error') ?? attributeText(job, 'reason');
			throw new NodeApiError(context.getNode(), { job: job.id, status } as JsonObject, {
				message: `Enable's ${name} failed (job ${job.id}, status "${status}")`,
				description: `${detail ? `Enable said: "${detail}". ` : ''}Check the report's parameters (dimension ids, deal id), then run it again; if it keeps failing, contact Enable support with the job id ${job.id}.`,
				itemIndex: first.itemIndex,
				failure: { cause: 'temporarily-unavailable' },
			});
		}
		const link = document.links?.self ?? (job.links as { self?: unknown } | undefined)?.self;
		if (typeof link !== 'string' || !link) {
			throw new NodeApiError(context.getNode(), { job: job.id } as JsonObject, {
				message: `Enable's ${name} answered with job ${job.id} but no link to follow it`,
				description: 'The job had no links.self, so n8n cannot tell when it is done. Contact Enable support with the job id.',
				itemIndex: first.itemIndex,
				failure: { cause: 'temporarily-unavailable' },
			});
		}
		const waited = clock.now() - started;
		if (waited >= maxWaitMs) {
			// Named by the Max Wait the user set, not the measured wait: the last answer can arrive a
			// moment after it, and "7 s" for a Max Wait of 6 s reads like a bug.
			throw new NodeOperationError(context.getNode(), `Enable's ${name} was not ready after ${seconds(maxWaitMs)} (job ${job.id}, status "${status}")`, {
				itemIndex: first.itemIndex,
				failure: { cause: 'temporarily-unavailable' },
				description: `n8n polled the job for ${seconds(maxWaitMs)}, the node's Max Wait. Raise Max Wait (Minutes) in the options, or ask for less (fewer dimensions, one deal), then run it again.`,
			});
		}
		await waitOrCancel(context, Math.min(delay, maxWaitMs - waited));
		throwIfCancelled(context, first.itemIndex);
		delay = Math.min(delay * JOB_POLLING.growth, JOB_POLLING.maxDelayMs);
		url = followableLink(context, link, connection.baseUrl, url, first.itemIndex);
		// Once the job is done Enable redirects this link to the result (303): the transport follows
		// it within the Base URL's origin only, so the token never goes anywhere else.
		document = await enableRequest(context, connection, { ...first, url, expect: 'any' });
	}
}
