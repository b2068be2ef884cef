/**
 * A virtual clock for the transport: back-off and report polling advance it instead of sleeping,
 * so tests of minutes of waiting take milliseconds. Restore it after each test.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-globals -- development tooling, never published: it runs in Node, with its files, processes and console */
import { clock } from '../../nodes/Enable/transport/clock';

const real = { ...clock };

export interface VirtualClock {
	/** Every wait the transport asked for, in ms, in order. */
	sleeps: number[];
	/** Milliseconds the virtual clock has advanced. */
	advanced: () => number;
	/** Runs before each wait returns, e.g. to cancel the execution after N waits. */
	onSleep?: (count: number) => void;
	/** Moves time on without a wait, e.g. a request's latency. */
	advance: (ms: number) => void;
}

export function useVirtualClock(): VirtualClock {
	let offset = 0;
	const virtual: VirtualClock = {
		sleeps: [],
		advanced: () => offset,
		advance: (ms) => {
			offset += ms;
		},
	};
	const start = real.now();
	// Time stands still but for the waits, so that sums of waits are exact.
	clock.now = () => start + offset;
	clock.sleep = async (ms, signal) => {
		virtual.sleeps.push(ms);
		offset += ms;
		virtual.onSleep?.(virtual.sleeps.length);
		// Let sockets and timers run, as a real wait would.
		await new Promise((resolve) => setImmediate(resolve));
		if (signal?.aborted) throw new Error('The execution was cancelled');
	};
	return virtual;
}

export function restoreClock(): void {
	Object.assign(clock, real);
}
