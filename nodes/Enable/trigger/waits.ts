/**
 * What the Enable Trigger remembers between polls besides its memory of records: Enable's request
 * to wait (a 429's Retry-After that did not fit in a poll) and which poll of a trigger is running.
 *
 * n8n 2.41.1 keeps a poll's static-data writes only in some cases: the legacy poller keeps them in
 * memory (one Workflow object per active workflow, n8n-core active-workflow-triggers.ts) and saves
 * them to its database when a poll emits; the durable scheduler with durable cursors commits them
 * when a poll returns (trigger-execution-context.factory.ts, __emit and __commitCursor) and drops
 * them when it throws; the scheduler without durable cursors reads them from the database for every
 * poll and saves them only with emitted items. So a wait is written by a poll that returns normally,
 * into the static data and into this process's memory as well, and is declared to n8n (a thrown
 * `rate-limited` failure with `retryAfterMs`, which n8n's poll back-off reads where it runs) once,
 * by the first poll that finds it pending.
 *
 * n8n's legacy poller starts a poll on every cron tick even while the last one still runs
 * (n8n-core scheduled-task-manager.ts): a second poll of the same trigger would read the same memory
 * and report the same changes, so one poll at a time runs per trigger in this process.
 */
import type { IDataObject } from 'n8n-workflow';

/** Static-data keys: the end of Enable's wait (epoch ms), and the wait already declared to n8n. */
export const WAIT_KEY = 'enableTriggerWaitUntil';
const DECLARED_KEY = 'enableTriggerWaitDeclared';

export interface PendingWait {
	until: number;
	/** A poll already told n8n about this wait (a failed execution with its cause). */
	declared: boolean;
}

/** Waits by trigger (and Enable host), for pollers that do not keep a poll's writes. */
const waitsInProcess = new Map<string, PendingWait>();

/** The wait a poll starting now must honour, if any; waits that passed are forgotten. */
export function pendingWait(staticData: IDataObject, key: string, now: number): PendingWait | undefined {
	const stored = typeof staticData[WAIT_KEY] === 'number' ? (staticData[WAIT_KEY] as number) : undefined;
	const kept = waitsInProcess.get(key);
	const until = Math.max(stored ?? 0, kept?.until ?? 0);
	if (now >= until) {
		if (kept) waitsInProcess.delete(key);
		return undefined;
	}
	const declared = (staticData[DECLARED_KEY] === until) || (kept?.until === until && kept.declared);
	return { until, declared };
}

/** Enable asked for a wait that does not fit in this poll: kept until it has passed. */
export function keepWait(staticData: IDataObject, key: string, until: number): void {
	staticData[WAIT_KEY] = until;
	delete staticData[DECLARED_KEY];
	waitsInProcess.set(key, { until, declared: false });
}

/** The wait was declared to n8n: later polls before its end skip quietly. */
export function declareWait(staticData: IDataObject, key: string, wait: PendingWait): void {
	staticData[DECLARED_KEY] = wait.until;
	waitsInProcess.set(key, { until: wait.until, declared: true });
}

export function clearWait(staticData: IDataObject, key: string): void {
	if (WAIT_KEY in staticData) delete staticData[WAIT_KEY];
	if (DECLARED_KEY in staticData) delete staticData[DECLARED_KEY];
	waitsInProcess.delete(key);
}

/** Polls under way, by trigger: the time after which a poll that never ended no longer holds its place. */
const pollsUnderWay = new Map<string, number>();

/** Takes the trigger's place for one poll; false when another poll of it is under way. */
export function startPoll(key: string, now: number, leaseMs: number): boolean {
	const held = pollsUnderWay.get(key);
	if (held !== undefined && now < held) return false;
	pollsUnderWay.set(key, now + leaseMs);
	return true;
}

export function endPoll(key: string): void {
	pollsUnderWay.delete(key);
}
