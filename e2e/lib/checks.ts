/**
 * The e2e scripts' named checks: each prints ✓ or ✗ with its message, and the run ends with the
 * counts. A failed check sets the exit code to 1 at once, and an exit guard keeps it non-zero when
 * a check failed or when the script ended without reaching `finish` (an early return, a forgotten
 * call): no path out of a script that uses these checks exits 0 unless every check passed and the
 * run reached its summary.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-globals, no-console -- development tooling, never published: it runs in Node, with its files, processes and console */

export interface CheckResult {
	name: string;
	error?: string;
}

export const results: CheckResult[] = [];

/** Whether the script reached its summary (`finish`). */
let finished = false;

/** The exit guard, set by the first check: a script that only borrows `waitFor` or `assert` (the benches) runs no checks. */
let guarded = false;

function guardExit(): void {
	if (guarded) return;
	guarded = true;
	process.on('exit', (code) => {
		const failed = results.filter((result) => result.error).length;
		if (!finished) {
			console.error(`\nThe run ended before its summary: ${results.length - failed} passed, ${failed} failed; the checks after those never ran`);
			if (!code) process.exitCode = 1;
		} else if (failed && !code) {
			process.exitCode = 1;
		}
	});
}

/** Called with a failed check's index before its result prints (the editor test takes a screenshot). */
let onFailure: ((index: number) => Promise<string | undefined>) | undefined;

export function whenACheckFails(handler: (index: number) => Promise<string | undefined>): void {
	onFailure = handler;
}

export async function check(name: string, body: () => Promise<void> | void): Promise<void> {
	guardExit();
	try {
		await body();
		results.push({ name });
		console.log(`  ✓ ${name}`);
	} catch (error) {
		const message = error instanceof Error ? error.message : String(error);
		results.push({ name, error: message });
		// Now, not in `finish`: a script that returns or exits early still fails.
		process.exitCode = 1;
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

/** Prints "N passed, M failed" (the line CI reads) and sets the exit code: 0 only when every check passed. */
export function finish(label: string, started: number): void {
	finished = true;
	const failed = results.filter((result) => result.error);
	console.log(`\n${label} finished in ${Math.round((Date.now() - started) / 1000)} s`);
	console.log(`${results.length - failed.length} passed, ${failed.length} failed`);
	process.exitCode = failed.length ? 1 : 0;
}
