/** The e2e scripts' named checks: each prints ✓ or ✗ with its message, and the run ends with the counts. */
/* eslint-disable @n8n/community-nodes/no-restricted-globals, no-console -- development tooling, never published: it runs in Node, with its files, processes and console */

export interface CheckResult {
	name: string;
	error?: string;
}

export const results: CheckResult[] = [];

/** Called with a failed check's index before its result prints (the editor test takes a screenshot). */
let onFailure: ((index: number) => Promise<string | undefined>) | undefined;

export function whenACheckFails(handler: (index: number) => Promise<string | undefined>): void {
	onFailure = handler;
}

export async function check(name: string, body: () => Promise<void> | void): Promise<void> {
	try {
		await body();
		results.push({ name });
		console.log(`  ✓ ${name}`);
	} catch (error) {
		const message = error instanceof Error ? error.message : String(error);
		results.push({ name, error: message });
		const note = await onFailure?.(results.length).catch(() => undefined);
		console.log(`  ✗ ${name}\n      ${message.split('\n').join('\n      ')}${note ? `\n      (${note})` : ''}`);
	}
}

export function assert(condition: unknown, message: string): asserts condition {
	if (!condition) throw new Error(message);
}

/** Waits until the condition holds, checking every quarter second; fails after `seconds`. */
export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, seconds: number): Promise<void> {
	const deadline = Date.now() + seconds * 1000;
	while (!(await condition())) {
		assert(Date.now() < deadline, `timed out after ${seconds} s waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

/** Prints "N passed, M failed" (the line CI reads) and sets the exit code. */
export function finish(label: string, started: number): void {
	const failed = results.filter((result) => result.error);
	console.log(`\n${label} finished in ${Math.round((Date.now() - started) / 1000)} s`);
	console.log(`${results.length - failed.length} passed, ${failed.length} failed`);
	process.exitCode = failed.length ? 1 : 0;
}
