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
