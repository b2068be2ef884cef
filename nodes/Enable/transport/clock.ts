/**
 * Time for the transport: n8n-workflow's cancellable sleep and the wall clock. Tests replace these
 * two functions with a virtual clock so that back-off and report polling take no real time.
 */
import { sleep } from 'n8n-workflow';

export const clock = {
	now: (): number => Date.now(),
	sleep: async (ms: number, signal?: AbortSignal): Promise<void> => await sleep(ms, signal),
};
