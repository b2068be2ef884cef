/** Keeps secrets out of anything a user or a log can see. */

const JWT_PATTERN = /\beyJ[\w-]*\.[\w-]+\.[\w-]*/g;
const BEARER_PATTERN = /\bBearer\s+[\w.~+/=-]+/gi;

/** Replaces each known secret, anything shaped like a JWT, and Bearer header values. */
export function redact(text: string, secrets: readonly string[] = []): string {
	let result = text;
	for (const secret of secrets) {
		if (secret && secret.length >= 4) result = result.split(secret).join('[redacted]');
	}
	return result.replace(JWT_PATTERN, '[redacted token]').replace(BEARER_PATTERN, 'Bearer [redacted]');
}

/** A short single-line, redacted excerpt of a response body for an error description. */
export function excerpt(text: string, secrets: readonly string[] = [], maxLength = 120): string {
	const flat = redact(text, secrets).replace(/\s+/g, ' ').trim();
	return flat.length > maxLength ? `${flat.slice(0, maxLength)}…` : flat;
}

/** A copy of a response body (text or parsed JSON) with every known secret replaced in its strings. */
export function redactBody(body: unknown, secrets: readonly string[]): unknown {
	if (typeof body === 'string') return redact(body, secrets);
	if (Array.isArray(body)) return body.map((entry) => redactBody(entry, secrets));
	if (body && typeof body === 'object') return Object.fromEntries(Object.entries(body).map(([key, value]) => [key, redactBody(value, secrets)]));
	return body;
}
