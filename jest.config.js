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
	// n8n-core keeps DI singletons and timers; one worker keeps runs independent and predictable.
	maxWorkers: 1,
};
