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
 * memory carries a mark unique to this process; when n8n hands a poll the copy this process's
 * latest was built on, the process's copy is used (latestMemory).
 */
import type { IDataObject } from 'n8n-workflow';

/** Static-data keys: the end of Enable's wait (epoch ms), and the wait already declared to n8n. */
const WAIT_KEY = 'enableTriggerWaitUntil';
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

/** Static-data key of the memory's mark: which process stored it, and its count there. */
const MARK_KEY = 'enableTriggerGeneration';

/** This process's part of every mark it writes: marks from two n8n processes never collide. */
const PROCESS_MARK = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;
let marksWritten = 0;

/**
 * The memory this process stored last, by trigger: its mark, its JSON, and the mark of n8n's copy it
 * descends from (the copy n8n handed the poll that first ran ahead of n8n's).
 */
const storedInProcess = new Map<string, { mark: string; base: string; json: string }>();

/** The mark of the memory n8n handed this poll ("" before the first). */
function markIn(staticData: IDataObject): string {
	const mark = staticData[MARK_KEY];
	return typeof mark === 'string' || typeof mark === 'number' ? String(mark) : '';
}

/** Where a poll's memory comes from, and what it descends from in n8n's keeping. */
export interface MemorySource {
	memory: IDataObject | undefined;
	/** The mark of n8n's copy this memory descends from. */
	base: string;
}

/**
 * The memory a poll starts from: n8n's, unless this process stored a later one that n8n did not
 * keep (n8n still hands out the copy that one was built on). Any other mark means another process
 * (or n8n itself) stored the memory since: n8n's copy is the truth then, and this process's is dropped.
 */
export function latestMemory(staticData: IDataObject, key: string, stateKey: string): MemorySource {
	const mark = markIn(staticData);
	const kept = storedInProcess.get(key);
	if (kept && mark === kept.base && mark !== kept.mark) return { memory: JSON.parse(kept.json) as IDataObject, base: kept.base };
	if (kept && mark !== kept.mark) storedInProcess.delete(key);
	return { memory: staticData[stateKey] as IDataObject | undefined, base: mark };
}

/**
 * Stores the memory in the static data, with a new mark, and keeps a copy in this process: n8n may
 * not keep it (a poll that emitted nothing, the durable scheduler's activation poll), or commit it
 * only after the next poll has read the older one (the scheduler hands an emitting poll's items and
 * memory over without waiting, poll-trigger-task-handler.ts __emit). `kept: false` keeps no copy:
 * n8n may have abandoned the poll, dropping its items and writes, and the next poll must start from
 * what n8n kept.
 */
export function storeMemory(staticData: IDataObject, key: string, stateKey: string, memory: IDataObject, source: MemorySource, kept = true): void {
	const mark = `${PROCESS_MARK}.${++marksWritten}`;
	staticData[stateKey] = memory;
	staticData[MARK_KEY] = mark;
	if (kept) storedInProcess.set(key, { mark, base: source.base, json: JSON.stringify(memory) });
	else storedInProcess.delete(key);
}
