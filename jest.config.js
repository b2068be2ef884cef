/** @type {import('jest').Config} */
module.exports = {
	preset: 'ts-jest',
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	// Transpile only: `npm run typecheck` type-checks tests and sources once, in CI too.
	transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false, tsconfig: { isolatedModules: true } }] },
	setupFilesAfterEnv: ['<rootDir>/test/harness/quiet-console.ts'],
	testTimeout: 60_000,
	// Two worker processes: `npm test` takes about a third less on two cores. Suites stay independent:
	// each test file loads its own n8n-core (its DI singletons and timers) even within one process,
	// each worker is a process of its own, and suites share nothing outside it (simulators on free
	// ports, mkdtemp scratch folders, one writer per test/results file).
	maxWorkers: 2,
};
