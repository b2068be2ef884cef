/**
 * A virtual clock for the transport: back-off and report polling advance it instead of sleeping,
 * so tests of minutes of waiting take milliseconds. Restore it after each test.
 *
 * A slow Enable is virtual too: `holdApiRequests` keeps the simulator's answers until the test
 * gives them, after a latency of virtual time, so that requests overlap as they would against a
 * slow server without a real timer.
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
	/**
	 * From now on (or, with `false`, no longer: every held wait then ends at its due time) each wait
	 * is held until `wake()` instead of ending at once. For concurrent waits whose order matters:
	 * by default a wait moves the clock on the moment it starts, so that a request that did not wait
	 * cannot be told from one that did once another has waited.
	 */
	holdWaits: (hold?: boolean) => void;
	/** How many waits are held now. */
	held: () => number;
	/** Resolves once `count` waits are held at the same time. */
	waiting: (count: number) => Promise<void>;
	/** Moves the clock to the end of the earliest held wait and ends every held wait due by then. */
	wake: () => void;
}

export function useVirtualClock(): VirtualClock {
	let offset = 0;
	let holding = false;
	const held: Array<{ due: number; end: () => void }> = [];
	let wanted: { count: number; resolve: () => void } | undefined;
	const end = (waits: Array<{ due: number; end: () => void }>) => {
		for (const wait of waits) {
			held.splice(held.indexOf(wait), 1);
			wait.end();
		}
	};
	const virtual: VirtualClock = {
		sleeps: [],
		advanced: () => offset,
		advance: (ms) => {
			offset += ms;
		},
		holdWaits: (hold = true) => {
			holding = hold;
			if (hold || !held.length) return;
			offset = Math.max(offset, ...held.map((wait) => wait.due));
			end([...held]);
		},
		held: () => held.length,
		waiting: async (count) => {
			if (held.length >= count) return;
			await new Promise<void>((resolve) => (wanted = { count, resolve }));
		},
		wake: () => {
			if (!held.length) return;
			offset = Math.max(offset, Math.min(...held.map((wait) => wait.due)));
			end(held.filter((wait) => wait.due <= offset));
		},
	};
	const start = real.now();
	// Time stands still but for the waits, so that sums of waits are exact.
	clock.now = () => start + offset;
	clock.sleep = async (ms, signal) => {
		virtual.sleeps.push(ms);
		if (holding) {
			await new Promise<void>((resolve) => {
				const wait = { due: offset + ms, end: resolve };
				held.push(wait);
				// A cancelled execution's wait ends at once, as n8n's sleep does.
				signal?.addEventListener('abort', () => held.includes(wait) && end([wait]), { once: true });
				if (wanted && held.length >= wanted.count) {
					wanted.resolve();
					wanted = undefined;
				}
			});
		} else {
			offset += ms;
		}
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

/** The simulator's hook for holding requests (structural, so that this file needs no simulator import). */
interface HoldsApiRequests {
	beforeApiRequest?: (path: string, query: URLSearchParams) => void | Promise<void>;
}

/** An API request the simulator holds: its number (from 1, in the order they arrived) and path. */
export interface HeldRequest {
	number: number;
	path: string;
}

/**
 * API requests that wait at the simulator until the test answers them: a slow server without a
 * real timer. Requests the node sends together are held together, then answered together after a
 * latency of virtual time, so that they overlap exactly as they would against a slow Enable.
 */
export interface HeldRequests {
	/** When each API request arrived, on the virtual clock, in the order they arrived. */
	arrivals: number[];
	/** The requests waiting now. */
	waiting: () => HeldRequest[];
	/** Resolves once `count` requests are waiting at the same time. */
	arrived: (count: number) => Promise<void>;
	/** Moves the virtual clock on by `latencyMs`, then answers every waiting request (or those `only` picks). */
	answer: (latencyMs: number, only?: (request: HeldRequest) => boolean) => void;
	/**
	 * Stops holding: answers every waiting request, and from now on each request as it comes, after
	 * `latencyMs` of virtual time each (one after another: enough to show a run that goes on).
	 */
	open: (latencyMs?: number) => void;
}

export function holdApiRequests(simulator: HoldsApiRequests, time: VirtualClock): HeldRequests {
	const held: Array<HeldRequest & { release: () => void }> = [];
	const arrivals: number[] = [];
	let wanted: { count: number; resolve: () => void } | undefined;
	let latencyWhenOpen: number | undefined;
	const answer = (latencyMs: number, only: (request: HeldRequest) => boolean = () => true) => {
		time.advance(latencyMs);
		for (const request of held.filter(only)) {
			held.splice(held.indexOf(request), 1);
			request.release();
		}
	};
	simulator.beforeApiRequest = async (path) => {
		arrivals.push(clock.now());
		if (latencyWhenOpen !== undefined) {
			time.advance(latencyWhenOpen);
			return;
		}
		await new Promise<void>((release) => {
			held.push({ number: arrivals.length, path, release });
			if (wanted && held.length >= wanted.count) {
				wanted.resolve();
				wanted = undefined;
			}
		});
	};
	return {
		arrivals,
		waiting: () => held.map(({ number, path }) => ({ number, path })),
		arrived: async (count) => {
			if (held.length >= count) return;
			await new Promise<void>((resolve) => (wanted = { count, resolve }));
		},
		answer,
		open: (latencyMs = 0) => {
			latencyWhenOpen = latencyMs;
			answer(0);
		},
	};
}

/**
 * Ends held waits in the order they fall due while `running` lasts (`holdWaits`): each time `count`
 * waits are held at once (every concurrent request waits), the earliest ends. Should fewer be left
 * to wait (a request that gave up, or one that did not wait with the others), the earliest ends
 * once the event loop has turned `quietTurns` times without `count` waiting, so that such a run
 * fails on its assertions instead of hanging.
 */
export async function wakeInTurn(time: VirtualClock, running: Promise<unknown>, count: number, quietTurns = 1000): Promise<void> {
	let finished = false;
	const ended = running.then(
		() => (finished = true),
		() => (finished = true),
	);
	while (!finished) {
		let decided = false;
		const quiet = (async () => {
			for (let turn = 0; turn < quietTurns && !decided; turn++) await new Promise((resolve) => setImmediate(resolve));
		})();
		await Promise.race([time.waiting(count), ended, quiet]);
		decided = true;
		if (!finished) time.wake();
	}
}

/**
 * Lets the event loop turn `turns` times: a request the node had started reaches the simulator
 * within a few turns (two, measured), so fifty show that none was on its way, without a real wait.
 */
export async function settle(turns = 50): Promise<void> {
	for (let turn = 0; turn < turns; turn++) await new Promise((resolve) => setImmediate(resolve));
}

/**
 * A slow Enable, while `running` lasts: whenever the node has sent all it will send for now
 * (`settle`), every waiting request is answered together after `latencyMs` of virtual time. So
 * requests the node sends together are in flight together and refused together, as against a
 * server that takes `latencyMs` to answer, without a real timer. Returns the waves answered, in
 * order, for tests whose point is that some requests overlapped.
 */
export async function answerInWaves(server: HeldRequests, running: Promise<unknown>, latencyMs: number): Promise<HeldRequest[][]> {
	let finished = false;
	running.then(
		() => (finished = true),
		() => (finished = true),
	);
	const waves: HeldRequest[][] = [];
	while (!finished) {
		await settle();
		const wave = server.waiting();
		if (!wave.length) continue;
		waves.push(wave);
		server.answer(latencyMs);
	}
	return waves;
}
