/**
 * What the Enable Trigger keeps in this n8n process, because not every n8n poller keeps what a poll
 * writes: Enable's request to wait (a 429's Retry-After that did not fit in a poll), which poll of a
 * trigger is running, and the memory the last poll stored.
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
 *
 * The scheduler without durable cursors reads the memory from the database for every poll and saves
 * it only with emitted items, so a read that spans polls and finds nothing to report would never
 * end; the durable scheduler keeps nothing of an activation poll that emitted nothing. Each stored
 * memory carries a generation; when n8n hands a poll an older one than this process stored last,
 * the process's copy is used.
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

/** Static-data key of the memory's generation (the count of polls that stored it). */
export const GENERATION_KEY = 'enableTriggerGeneration';

/** The memory this process stored last, by trigger: its generation and its JSON. */
const storedInProcess = new Map<string, { generation: number; json: string }>();

/** The memory a poll starts from: n8n's, unless this process stored a later one that n8n dropped. */
export function latestMemory(staticData: IDataObject, key: string, stateKey: string): IDataObject | undefined {
	const generation = typeof staticData[GENERATION_KEY] === 'number' ? (staticData[GENERATION_KEY] as number) : 0;
	const kept = storedInProcess.get(key);
	if (kept && kept.generation > generation) return JSON.parse(kept.json) as IDataObject;
	return staticData[stateKey] as IDataObject | undefined;
}

/**
 * Stores the memory in the static data, with the next generation, and keeps a copy in this process:
 * n8n may not keep it (a poll that emitted nothing, the durable scheduler's activation poll), or
 * commit it only after the next poll has read the older one (an emitting poll's commit runs in the
 * background).
 */
export function storeMemory(staticData: IDataObject, key: string, stateKey: string, memory: IDataObject, previous: number): void {
	const generation = previous + 1;
	staticData[stateKey] = memory;
	staticData[GENERATION_KEY] = generation;
	storedInProcess.set(key, { generation, json: JSON.stringify(memory) });
}

/** The generation of the memory a poll starts from. */
export function generationOf(staticData: IDataObject, key: string): number {
	const generation = typeof staticData[GENERATION_KEY] === 'number' ? (staticData[GENERATION_KEY] as number) : 0;
	const kept = storedInProcess.get(key);
	return kept && kept.generation > generation ? kept.generation : generation;
}
