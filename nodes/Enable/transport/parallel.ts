/**
 * Independent requests run side by side: n8n opens a connection per request, so overlapping them
 * is what makes many small reads quick. One pool for every place that does it.
 */

/** Requests run at the same time unless the user says otherwise (Parallel Requests). */
export const DEFAULT_CONCURRENCY = 5;

/**
 * Runs `run(index)` for each index from `from` (default 0) up to `count`, at most `concurrency` at
 * a time and started in order. Once `stopped()` is true no new one starts; those under way finish.
 */
export async function inParallel(
	count: number,
	concurrency: number,
	run: (index: number) => Promise<void>,
	{ from = 0, stopped = () => false }: { from?: number; stopped?: () => boolean } = {},
): Promise<void> {
	let next = from;
	const worker = async () => {
		while (next < count && !stopped()) {
			const index = next++;
			await run(index);
		}
	};
	await Promise.all(Array.from({ length: Math.max(0, Math.min(concurrency, count - from)) }, worker));
}
