/**
 * Every string reachable from a value, own non-enumerable properties included (an Error's
 * message, stack, cause, description, context ...), so a test can assert a secret is nowhere.
 */
export function everyTextOf(value: unknown): string {
	const seen = new Set<unknown>();
	const parts: string[] = [];
	const visit = (current: unknown, depth: number) => {
		if (depth > 12 || current === null || current === undefined) return;
		if (typeof current === 'string') {
			parts.push(current);
			return;
		}
		if (typeof current !== 'object' || seen.has(current)) return;
		seen.add(current);
		for (const key of Object.getOwnPropertyNames(current)) {
			let child: unknown;
			try {
				child = (current as Record<string, unknown>)[key];
			} catch {
				continue;
			}
			parts.push(key);
			visit(child, depth + 1);
		}
	};
	visit(value, 0);
	try {
		parts.push(JSON.stringify(value));
	} catch {
		// circular: the walk above covered it
	}
	return parts.join('\n');
}

/**
 * The secrets that appear in `value` (a string, or anything `everyTextOf` reads), by exact value,
 * whatever their shape: a JWT pattern misses an opaque token, so the checks look for the very
 * tokens the simulator issued (`simulator.issuedTokens()`) and the very client secret. Returns
 * each leak's label (`access token 2 of 3`, `client secret`), never the secret itself, so a failed
 * assertion does not print it either. Used by the jest suites and the e2e scripts alike.
 */
export function findLeaks(value: unknown, secrets: Record<string, string | readonly string[]>): string[] {
	const text = typeof value === 'string' ? value : everyTextOf(value);
	const leaks: string[] = [];
	for (const [label, entry] of Object.entries(secrets)) {
		const list = typeof entry === 'string' ? [entry] : entry;
		list.forEach((secret, index) => {
			if (secret && text.includes(secret)) leaks.push(list.length > 1 ? `${label} ${index + 1} of ${list.length}` : label);
		});
	}
	return leaks;
}
