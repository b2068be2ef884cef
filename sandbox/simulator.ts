/**
 * A local Enable API simulator (development only: never published, never imported by node code).
 *
 * It implements shared/ENABLE_API.md: the OAuth2 client-credentials token endpoint with Enable's
 * extra `dealtrack_registration_id`, JSON:API collections with filters, sort and `links.next`
 * paging, scope checks, and fault injection for the reliability tests. Every ASSUMED behaviour of
 * the real API is an option here, so the client can be tested against each variant.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- development tooling, never published: it runs in Node, with its files, processes and console */
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

import {
	COLLECTION_ATTRIBUTES,
	COLLECTION_NAMES,
	type CollectionName,
	isCollectionName,
	RecordStore,
	type ResourceObject,
	type Scope,
	type SeedCounts,
	SIM_COLLECTIONS,
} from './data';
import { type ReportJobOptions, ReportJobs } from './reports';

export type { Scope } from './data';

export const ALL_SCOPES: readonly Scope[] = ['read:deals', 'read:activity', 'read:users'];

export const COLLECTION_SCOPES = Object.fromEntries(COLLECTION_NAMES.map((name) => [name, SIM_COLLECTIONS[name].scope])) as Record<
	CollectionName,
	Scope
>;

export interface SimulatorClient {
	clientId: string;
	clientSecret: string;
	registrationId: string;
	/** The scopes Enable granted this client; asking for any other one fails with invalid_scope. */
	scopes: Scope[];
}

/** The documented client of the demo and the sandbox (it is printed by `npm run sandbox`). */
export const DEMO_CLIENT: SimulatorClient = {
	clientId: '3f6c2a1e-8b4d-4e7a-9c21-5d0e7b9a4f10',
	clientSecret: 'sandbox-demo-secret-not-for-production',
	registrationId: '9a7d3c55-1e2f-4b8a-a6d4-2c3b4e5f6a70',
	scopes: [...ALL_SCOPES],
};

/** The Enable API credential fields a user would save for a simulator client. */
export function credentialData(baseUrl: string, client: SimulatorClient = DEMO_CLIENT) {
	return {
		baseUrl,
		clientId: client.clientId,
		clientSecret: client.clientSecret,
		registrationId: client.registrationId,
		scopes: [...client.scopes] as string[],
	};
}

/** Faults the simulator injects; request numbers count from 1 and are per target (api or token). */
export type FaultRule =
	| {
			kind: 'status';
			status: number;
			onRequest: number;
			/** How many consecutive requests fail, from onRequest on (default 1). */
			times?: number;
			/** Value of the Retry-After header (seconds or an HTTP date); omitted when undefined. */
			retryAfter?: string | number;
			target?: 'api' | 'token';
			/** The body to answer instead of a JSON:API error: JSON for an object, text/html for a string. */
			body?: Record<string, unknown> | string;
	  }
	| { kind: 'revokeTokens'; afterRequests: number }
	| { kind: 'malformed'; onRequest: number; body?: 'html' | 'truncated' | 'no-data' }
	| { kind: 'slow'; delayMs: number; onRequest?: number; times?: number }
	| { kind: 'reset'; onRequest: number; times?: number };

/**
 * How one collection of this Enable differs from the node's table (per test case): attribute and
 * relationship names, attributes it adds or lacks, its scope, or its absence.
 */
export interface CollectionOverride {
	/** Attributes served under another name: stored name → served name. */
	renameAttributes?: Record<string, string>;
	/** Relationships served under another name: stored name → served name. */
	renameRelationships?: Record<string, string>;
	/** Extra attributes, each a list of values given to the records in turn. */
	addAttributes?: Record<string, unknown[]>;
	/** Attributes this Enable does not have. */
	dropAttributes?: string[];
	/** The scope this collection demands here. */
	scope?: Scope;
	/** This Enable has no such collection (404). */
	missing?: boolean;
}

export interface SimulatorOptions {
	port?: number;
	host?: string;
	clients?: SimulatorClient[];
	tokenLifetimeSeconds?: number;
	/**
	 * The shape of the access tokens the token endpoint issues: JWT-shaped (default, as Enable
	 * documents), or opaque random strings, which no JWT pattern matches: the leak checks must find
	 * a token by its exact value, whatever its shape.
	 */
	tokenFormat?: 'jwt' | 'opaque';
	counts?: Partial<SeedCounts>;
	seed?: number;
	defaultPageSize?: number;
	maxPageSize?: number;
	/** links.next as an absolute URL instead of the default relative path. */
	absoluteLinks?: boolean;
	/** meta.total on list documents (the real API may or may not send totals). */
	includeTotals?: boolean;
	/** Status for a token lacking the collection's scope: 403 by default, 401 as the other variant. */
	missingScopeStatus?: 401 | 403;
	/**
	 * A page[size] above maxPageSize is capped silently (default) or refused with 400, as JSON:API
	 * allows both; `refuse-vague` refuses without saying the maximum.
	 */
	oversizedPage?: 'cap' | 'refuse' | 'refuse-vague';
	/** Whether `include=` is honoured (default) or refused with 400 on every collection. */
	includeSupported?: boolean;
	/**
	 * How `sort=` is treated (Enable's sort support is not published): honoured (default), refused
	 * with 400 on every collection, or ignored (records come in their stored order).
	 */
	sort?: 'honour' | 'refuse' | 'ignore';
	/**
	 * How `filter[id]` is treated (not published): honoured like any filter (default), refused with
	 * 400, or ignored (the listing comes as if it were not there).
	 */
	idFilter?: 'honour' | 'refuse' | 'ignore';
	/**
	 * How a filter's value is matched (`filter[name]=value`): exactly as text (default), or with
	 * letter case ignored, as some servers do: a record can then be in a view its filter, read
	 * exactly, leaves out.
	 */
	filterMatch?: 'exact' | 'ignore-case';
	/** How the asynchronous deal-earnings report behaves. */
	report?: ReportJobOptions;
	/** Collections whose names, scope or presence differ from the node's table. */
	overrides?: Partial<Record<CollectionName, CollectionOverride>>;
	/** Serve HTTPS with this key and certificate (the WAN benchmark's self-signed pair). */
	tls?: { key: string; cert: string };
	/**
	 * Serve each successful collection page or record from the body computed the first time (the
	 * store must not change meanwhile): the benchmark's fast server, so the client's own cost shows.
	 */
	cacheResponses?: boolean;
	faults?: FaultRule[];
}

export interface RequestLogEntry {
	seq: number;
	/** When the request arrived (epoch ms). */
	at: number;
	method: string;
	path: string;
	query: Record<string, string>;
	status: number;
	contentType?: string;
	hadAuthorization: boolean;
	/** The names of the request's headers, lower-case. */
	headerNames: string[];
	/** Token requests only: the form's field names in the order sent, and the values but the secret. */
	formFields?: string[];
	form?: Record<string, string>;
	fault?: string;
}

export interface SimulatorStats {
	tokenRequests: number;
	tokensIssued: number;
	apiRequests: number;
	/** Successful list (page) requests by collection path, e.g. `/v1/deals`. */
	pageRequests: Record<string, number>;
	/** Successful single-record requests by collection path. */
	recordRequests: Record<string, number>;
	/** Report requests by kind: `start`, `poll`, `result`, `dimensions`. */
	reportRequests: Record<string, number>;
	/** The most API requests the simulator was answering at one time. */
	peakConcurrentApiRequests: number;
	statusCounts: Record<string, number>;
	faultsFired: Array<{ kind: string; request: number }>;
}

interface IssuedToken {
	clientId: string;
	scopes: Set<Scope>;
	expiresAt: number;
	revoked: boolean;
}

interface JsonApiError {
	status: string;
	code: string;
	title: string;
	detail: string;
	source?: { parameter: string };
}

const JSON_API = 'application/vnd.api+json';
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const REQUIRED_TOKEN_FIELDS = [
	'client_id',
	'client_secret',
	'dealtrack_registration_id',
	'scope',
	'grant_type',
] as const;

/** Fingerprint of a secret for the request log: lets tests compare without storing the secret. */
export function fingerprint(secret: string): string {
	return createHash('sha256').update(secret).digest('hex').slice(0, 12);
}

function emptyStats(): SimulatorStats {
	return {
		tokenRequests: 0,
		tokensIssued: 0,
		apiRequests: 0,
		pageRequests: {},
		recordRequests: {},
		reportRequests: {},
		peakConcurrentApiRequests: 0,
		statusCounts: {},
		faultsFired: [],
	};
}

function increment(counter: Record<string, number>, key: string): void {
	counter[key] = (counter[key] ?? 0) + 1;
}

async function readBody(req: http.IncomingMessage): Promise<string> {
	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks).toString('utf8');
}

function compareValues(a: unknown, b: unknown): number {
	if (a === b) return 0;
	if (a === null || a === undefined) return -1;
	if (b === null || b === undefined) return 1;
	if (typeof a === 'number' && typeof b === 'number') return a - b;
	return String(a) < String(b) ? -1 : 1;
}

export class EnableSimulator {
	readonly store: RecordStore;

	readonly requestLog: RequestLogEntry[] = [];

	private readonly server: http.Server | https.Server;

	private readonly tokens = new Map<string, IssuedToken>();

	private readonly options: Required<Omit<SimulatorOptions, 'counts' | 'seed' | 'faults' | 'port' | 'host' | 'report' | 'tls' | 'overrides'>>;

	private overrides: Partial<Record<CollectionName, CollectionOverride>>;

	/** Page cursors carry the generation they were issued in; expireCursors() makes every earlier one invalid. */
	private cursorGeneration = 0;

	/**
	 * Runs before each API request is answered (after it is counted): tests advance a virtual clock
	 * here to give every request a latency without sleeping.
	 */
	beforeApiRequest?: (path: string, query: URLSearchParams) => void | Promise<void>;

	/**
	 * How the `slow` fault waits: a real timer by default (the sandbox and the benchmarks); a test
	 * may hold the answer instead and end the wait itself, so that no test waits in real time.
	 */
	delay: (ms: number) => Promise<void> = async (ms) => await new Promise((resolve) => setTimeout(resolve, ms));

	private readonly scheme: 'http' | 'https';

	private readonly responseCache = new Map<string, string>();

	private readonly cacheKeys = new WeakMap<http.ServerResponse, string>();

	readonly reports: ReportJobs;

	private faults: FaultRule[];

	private counters = emptyStats();

	private firedRevocations = new Set<FaultRule>();

	private origin = '';

	private apiInFlight = 0;

	/** Bodies POSTed to /_admin/inbox: lets an n8n workflow under test report what it received. */
	readonly inbox: unknown[] = [];

	constructor(options: SimulatorOptions = {}) {
		this.store = new RecordStore(options.counts, options.seed);
		this.reports = new ReportJobs(this.store, options.report);
		this.options = {
			clients: options.clients ?? [DEMO_CLIENT],
			tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3600,
			tokenFormat: options.tokenFormat ?? 'jwt',
			defaultPageSize: options.defaultPageSize ?? 25,
			maxPageSize: options.maxPageSize ?? 100,
			absoluteLinks: options.absoluteLinks ?? false,
			includeTotals: options.includeTotals ?? true,
			missingScopeStatus: options.missingScopeStatus ?? 403,
			oversizedPage: options.oversizedPage ?? 'cap',
			includeSupported: options.includeSupported ?? true,
			sort: options.sort ?? 'honour',
			idFilter: options.idFilter ?? 'honour',
			filterMatch: options.filterMatch ?? 'exact',
			cacheResponses: options.cacheResponses ?? false,
		};
		this.faults = [...(options.faults ?? [])];
		this.overrides = options.overrides ?? {};
		this.scheme = options.tls ? 'https' : 'http';
		const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
			this.handle(req, res).catch((error: unknown) => {
				this.send(res, 500, { errors: [this.error(500, 'internal', 'Simulator failure', String(error))] });
			});
		};
		this.server = options.tls ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, listener) : http.createServer(listener);
		// close() ends kept-alive sockets itself (closeAllConnections). Node's HTTP client reuses a
		// socket only if the server's keep-alive timeout exceeds 1 s, so it is well above that.
		this.server.keepAliveTimeout = 5000;
	}

	get baseUrl(): string {
		return this.origin;
	}

	async listen(port = 0, host = '127.0.0.1'): Promise<this> {
		await new Promise<void>((resolve, reject) => {
			this.server.once('error', reject);
			this.server.listen(port, host, () => resolve());
		});
		const address = this.server.address() as AddressInfo;
		const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
		this.origin = `${this.scheme}://${shownHost}:${address.port}`;
		return this;
	}

	async close(): Promise<void> {
		this.server.closeAllConnections();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}

	/** Changes paging/link options between calls (e.g. relative then absolute links). */
	configure(changes: Partial<SimulatorOptions>): void {
		const { faults, report, overrides, ...rest } = changes;
		if (report) this.reports.configure(report);
		if (overrides) this.overrides = overrides;
		Object.assign(this.options, Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)));
		if (faults) this.faults = [...faults];
	}

	addFault(rule: FaultRule): void {
		this.faults.push(rule);
	}

	clearFaults(): void {
		this.faults = [];
		this.firedRevocations.clear();
	}

	/** Counters since start or the last reset; request numbers for faults restart too. */
	stats(): SimulatorStats {
		return structuredClone(this.counters);
	}

	resetStats(): void {
		this.counters = emptyStats();
		this.requestLog.length = 0;
		this.firedRevocations.clear();
	}

	/** Every access token issued so far, for tests that assert no token leaks. */
	issuedTokens(): string[] {
		return [...this.tokens.keys()];
	}

	/** Every page link issued so far stops working (400 invalid_cursor), as an expired cursor would. */
	expireCursors(): void {
		this.cursorGeneration++;
	}

	revokeAllTokens(): void {
		for (const token of this.tokens.values()) token.revoked = true;
	}

	expireAllTokens(): void {
		for (const token of this.tokens.values()) token.expiresAt = 0;
	}

	/** Sum of successful page requests over every collection. */
	totalPageRequests(): number {
		return Object.values(this.counters.pageRequests).reduce((a, b) => a + b, 0);
	}

	private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const url = new URL(req.url ?? '/', 'http://simulator.local');
		const entry: RequestLogEntry = {
			seq: this.requestLog.length + 1,
			at: Date.now(),
			method: req.method ?? 'GET',
			path: url.pathname,
			query: Object.fromEntries(url.searchParams),
			status: 0,
			contentType: req.headers['content-type'],
			hadAuthorization: typeof req.headers.authorization === 'string',
			headerNames: Object.keys(req.headers),
		};
		this.requestLog.push(entry);
		res.on('finish', () => {
			entry.status = res.statusCode;
			increment(this.counters.statusCounts, String(res.statusCode));
		});

		if (url.pathname.startsWith('/_admin/')) return await this.handleAdmin(req, res, url);
		if (url.pathname === '/oauth2/token') return await this.handleToken(req, res, entry);
		if (url.pathname.startsWith('/v1/')) return await this.handleApi(req, res, url, entry);
		this.send(res, 404, { errors: [this.error(404, 'not_found', 'Not Found', `No route ${url.pathname}`)] });
	}

	/** Applies the faults due for this request; returns true when the response was already sent. */
	private async applyFaults(
		target: 'api' | 'token',
		requestNumber: number,
		res: http.ServerResponse,
		entry: RequestLogEntry,
	): Promise<boolean> {
		const due = (onRequest: number | undefined, times = 1) =>
			onRequest === undefined || (requestNumber >= onRequest && requestNumber < onRequest + times);
		for (const rule of this.faults) {
			if (rule.kind === 'slow' && target === 'api' && due(rule.onRequest, rule.times ?? (rule.onRequest ? 1 : Infinity))) {
				await this.delay(rule.delayMs);
			}
		}
		for (const rule of this.faults) {
			if (rule.kind === 'revokeTokens' && target === 'api') {
				if (requestNumber > rule.afterRequests && !this.firedRevocations.has(rule)) {
					this.firedRevocations.add(rule);
					this.revokeAllTokens();
					this.fired(rule.kind, requestNumber, entry);
				}
				continue;
			}
			if (rule.kind === 'status' && (rule.target ?? 'api') === target && due(rule.onRequest, rule.times)) {
				this.fired(`status ${rule.status}`, requestNumber, entry);
				const headers: Record<string, string> = {};
				if (rule.retryAfter !== undefined) headers['Retry-After'] = String(rule.retryAfter);
				if (typeof rule.body === 'string') {
					res.writeHead(rule.status, { 'Content-Type': 'text/html', ...headers });
					res.end(rule.body);
				} else if (rule.body) {
					this.send(res, rule.status, rule.body, headers, 'application/json');
				} else {
					const title = rule.status === 429 ? 'Too Many Requests' : http.STATUS_CODES[rule.status] ?? 'Error';
					this.send(res, rule.status, { errors: [this.error(rule.status, 'injected_fault', title, 'Injected by the simulator')] }, headers);
				}
				return true;
			}
			if (rule.kind === 'malformed' && target === 'api' && due(rule.onRequest)) {
				this.fired(`malformed ${rule.body ?? 'html'}`, requestNumber, entry);
				if ((rule.body ?? 'html') === 'html') {
					res.writeHead(200, { 'Content-Type': 'text/html' });
					res.end('<html><body><h1>Service temporarily unavailable</h1></body></html>');
				} else if (rule.body === 'truncated') {
					res.writeHead(200, { 'Content-Type': JSON_API });
					res.end('{"data":[{"type":"deals","id":"Hg7f","attributes":{"reference":');
				} else {
					this.send(res, 200, { meta: { note: 'no data member' } });
				}
				return true;
			}
			if (rule.kind === 'reset' && target === 'api' && due(rule.onRequest, rule.times)) {
				this.fired(rule.kind, requestNumber, entry);
				res.socket?.destroy();
				return true;
			}
		}
		return false;
	}

	private fired(kind: string, request: number, entry: RequestLogEntry): void {
		this.counters.faultsFired.push({ kind, request });
		entry.fault = kind;
	}

	private async handleToken(req: http.IncomingMessage, res: http.ServerResponse, entry: RequestLogEntry): Promise<void> {
		const requestNumber = ++this.counters.tokenRequests;
		const body = await readBody(req);
		if (await this.applyFaults('token', requestNumber, res, entry)) return;
		const oauthError = (status: number, error: string, description: string) =>
			this.send(res, status, { error, error_description: description }, {}, 'application/json');

		if (req.method !== 'POST') return oauthError(405, 'invalid_request', 'The token endpoint only accepts POST.');
		const contentType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
		if (contentType !== 'application/x-www-form-urlencoded') {
			return oauthError(400, 'invalid_request', 'The request body must be application/x-www-form-urlencoded.');
		}
		const form = new URLSearchParams(body);
		entry.formFields = [...form.keys()];
		entry.form = Object.fromEntries(
			[...form.entries()].map(([key, value]) => [key, key === 'client_secret' ? `sha256:${fingerprint(value)}` : value]),
		);
		const missing = REQUIRED_TOKEN_FIELDS.filter((field) => !form.get(field));
		if (missing.length) return oauthError(400, 'invalid_request', `Missing required field(s): ${missing.join(', ')}.`);
		if (form.get('grant_type') !== 'client_credentials') {
			return oauthError(400, 'unsupported_grant_type', 'Only the client_credentials grant type is supported.');
		}
		const clientId = form.get('client_id') as string;
		const registrationId = form.get('dealtrack_registration_id') as string;
		if (!UUID_PATTERN.test(clientId) || !UUID_PATTERN.test(registrationId)) {
			return oauthError(400, 'invalid_request', 'client_id and dealtrack_registration_id must be UUIDs.');
		}
		const client = this.options.clients.find(
			(c) =>
				c.clientId.toLowerCase() === clientId.toLowerCase() &&
				c.registrationId.toLowerCase() === registrationId.toLowerCase() &&
				c.clientSecret === form.get('client_secret'),
		);
		if (!client) return oauthError(401, 'invalid_client', 'Client authentication failed.');
		const requested = (form.get('scope') as string).split(' ');
		const notGranted = requested.filter((scope) => !client.scopes.includes(scope as Scope));
		if (notGranted.length || requested.some((scope) => scope === '')) {
			return oauthError(400, 'invalid_scope', `The requested scope is invalid, unknown, or exceeds what was granted: ${notGranted.join(' ')}`.trim());
		}
		const accessToken =
			this.options.tokenFormat === 'opaque'
				? randomBytes(24).toString('hex')
				: [
						Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url'),
						Buffer.from(JSON.stringify({ sub: client.clientId, scope: requested.join(' '), n: this.counters.tokensIssued + 1 })).toString('base64url'),
						randomBytes(24).toString('base64url'),
					].join('.');
		this.tokens.set(accessToken, {
			clientId: client.clientId,
			scopes: new Set(requested as Scope[]),
			expiresAt: Date.now() + this.options.tokenLifetimeSeconds * 1000,
			revoked: false,
		});
		this.counters.tokensIssued++;
		this.send(
			res,
			200,
			{ access_token: accessToken, expires_in: this.options.tokenLifetimeSeconds, token_type: 'Bearer' },
			{},
			'application/json',
		);
	}

	private async handleApi(
		req: http.IncomingMessage,
		res: http.ServerResponse,
		url: URL,
		entry: RequestLogEntry,
	): Promise<void> {
		const requestNumber = ++this.counters.apiRequests;
		this.apiInFlight++;
		this.counters.peakConcurrentApiRequests = Math.max(this.counters.peakConcurrentApiRequests, this.apiInFlight);
		res.once('close', () => this.apiInFlight--);
		await this.beforeApiRequest?.(url.pathname, url.searchParams);
		if (await this.applyFaults('api', requestNumber, res, entry)) return;

		if (req.method !== 'GET') {
			return this.send(res, 405, { errors: [this.error(405, 'method_not_allowed', 'Method Not Allowed', 'The Enable API is read-only.')] });
		}
		const [, , collectionName, id, ...rest] = url.pathname.split('/');
		const isReport = collectionName === 'reports' || collectionName === 'dimensions';
		if (!isReport && (!isCollectionName(collectionName) || rest.length || this.overrides[collectionName]?.missing)) {
			return this.send(res, 404, { errors: [this.error(404, 'not_found', 'Not Found', `The collection ${url.pathname} does not exist.`)] });
		}

		const authorization = req.headers.authorization ?? '';
		const token = authorization.startsWith('Bearer ') ? this.tokens.get(authorization.slice(7)) : undefined;
		if (!token || token.revoked || token.expiresAt <= Date.now()) {
			return this.send(
				res,
				401,
				{ errors: [this.error(401, 'invalid_token', 'Unauthorized', 'The access token is missing, unknown, revoked or expired.')] },
				{ 'WWW-Authenticate': 'Bearer error="invalid_token"' },
			);
		}
		// Reports and dimensions are deal data: the simulator, like the node, assumes read:deals.
		const scope = isReport ? 'read:deals' : (this.overrides[collectionName as CollectionName]?.scope ?? COLLECTION_SCOPES[collectionName as CollectionName]);
		if (!token.scopes.has(scope)) {
			const status = this.options.missingScopeStatus;
			return this.send(
				res,
				status,
				{ errors: [this.error(status, 'insufficient_scope', status === 403 ? 'Forbidden' : 'Unauthorized', `The access token does not grant the ${scope} scope.`)] },
				{ 'WWW-Authenticate': `Bearer error="insufficient_scope", scope="${scope}"` },
			);
		}
		if (isReport) {
			const answer = this.reports.handle(url, (path) => this.link(path));
			if (answer.counter) increment(this.counters.reportRequests, answer.counter);
			if (answer.location) {
				res.writeHead(answer.status, { Location: answer.location });
				res.end();
				return;
			}
			return this.send(res, answer.status, answer.body);
		}
		const collection = collectionName as CollectionName;
		if (this.options.cacheResponses) {
			const key = `${url.pathname}${url.search}`;
			const cached = this.responseCache.get(key);
			if (cached !== undefined) {
				increment(id ? this.counters.recordRequests : this.counters.pageRequests, `/v1/${collection}`);
				res.writeHead(200, { 'Content-Type': JSON_API });
				res.end(cached);
				return;
			}
			this.cacheKeys.set(res, key);
		}
		const include = this.parseInclude(url, collection);
		if ('error' in include) return this.send(res, 400, { errors: [include.error] });

		if (id !== undefined && id !== '') {
			const record = this.store.get(collection, decodeURIComponent(id));
			if (!record) {
				return this.send(res, 404, {
					errors: [this.error(404, 'not_found', 'Not Found', `No ${collection} record with id "${decodeURIComponent(id)}" exists.`)],
				});
			}
			increment(this.counters.recordRequests, `/v1/${collection}`);
			const document: Record<string, unknown> = { data: this.present(record, collection), links: { self: this.link(`/v1/${collection}/${record.id}`) } };
			if (include.paths.length) document.included = this.included([record], collection, include.paths);
			return this.send(res, 200, document);
		}
		this.sendList(res, url, collection, include.paths);
	}

	/** `include=a,b.c`: each path must follow relationships of the collection (JSON:API refuses others with 400). */
	private parseInclude(url: URL, collection: CollectionName): { paths: string[][] } | { error: JsonApiError } {
		const raw = url.searchParams.get('include');
		if (raw === null || raw === '') return { paths: [] };
		if (!this.options.includeSupported) {
			return { error: this.error(400, 'include_not_supported', 'Include not supported', `The ${collection} endpoint does not support include.`, 'include') };
		}
		const paths = raw.split(',').map((path) => path.split('.'));
		for (const path of paths) {
			let current: CollectionName = collection;
			for (const name of path) {
				const target: CollectionName | undefined = SIM_COLLECTIONS[current].relationships[this.storedRelationship(current, name)];
				if (!target) {
					return {
						error: this.error(400, 'invalid_include', 'Invalid include', `"${name}" is not a relationship of ${current}.`, 'include'),
					};
				}
				current = target;
			}
		}
		return { paths };
	}

	/** The compound document's `included`: every record the paths reach from `records`, once each. */
	private included(records: readonly ResourceObject[], collection: CollectionName, paths: string[][]): ResourceObject[] {
		const found = new Map<string, ResourceObject>();
		for (const path of paths) {
			let level: Array<[ResourceObject, CollectionName]> = records.map((record) => [record, collection]);
			for (const name of path) {
				const nextLevel: Array<[ResourceObject, CollectionName]> = [];
				for (const [record, from] of level) {
					const stored = this.storedRelationship(from, name);
					const target = SIM_COLLECTIONS[from].relationships[stored];
					const data = record.relationships?.[stored]?.data;
					for (const linkage of Array.isArray(data) ? data : data ? [data] : []) {
						const related = this.store.get(target, linkage.id);
						if (!related) continue;
						found.set(`${related.type}/${related.id}`, this.present(related, target));
						nextLevel.push([related, target]);
					}
				}
				level = nextLevel;
			}
		}
		return [...found.values()];
	}

	/** A relationship's stored name, from the name this Enable serves it under. */
	private storedRelationship(collection: CollectionName, served: string): string {
		const renames = this.overrides[collection]?.renameRelationships ?? {};
		const stored = Object.keys(renames).find((name) => renames[name] === served);
		if (stored) return stored;
		// A relationship served under another name is not served under its own.
		return served in renames ? '' : served;
	}

	/** The attribute names this Enable serves for a collection. */
	private servedAttributeNames(collection: CollectionName): readonly string[] {
		const override = this.overrides[collection];
		if (!override) return COLLECTION_ATTRIBUTES[collection];
		const names = COLLECTION_ATTRIBUTES[collection].filter((name) => !override.dropAttributes?.includes(name)).map((name) => override.renameAttributes?.[name] ?? name);
		return [...names, ...Object.keys(override.addAttributes ?? {})];
	}

	/** A record as this Enable serves it (its names, added and missing attributes). */
	private served(record: ResourceObject, collection: CollectionName): ResourceObject {
		const override = this.overrides[collection];
		if (!override) return record;
		const attributes: Record<string, unknown> = {};
		for (const [name, value] of Object.entries(record.attributes)) {
			if (override.dropAttributes?.includes(name)) continue;
			attributes[override.renameAttributes?.[name] ?? name] = value;
		}
		const position = this.store.list(collection).indexOf(record);
		for (const [name, values] of Object.entries(override.addAttributes ?? {})) attributes[name] = values[Math.max(0, position) % values.length];
		const relationships = record.relationships && Object.fromEntries(Object.entries(record.relationships).map(([name, value]) => [override.renameRelationships?.[name] ?? name, value]));
		return { ...record, attributes, ...(relationships ? { relationships } : {}) };
	}

	private sendList(res: http.ServerResponse, url: URL, collection: CollectionName, includePaths: string[][] = []): void {
		const attributes = this.servedAttributeNames(collection);
		const relationshipNames = Object.keys(SIM_COLLECTIONS[collection].relationships).map((name) => this.overrides[collection]?.renameRelationships?.[name] ?? name);
		const params = url.searchParams;
		const filters: Array<[string, string]> = [];
		for (const [key, value] of params) {
			const match = /^filter\[(.*)\]$/.exec(key);
			if (!match) continue;
			// JSON:API style (ASSUMED for Enable): filter[<relationship>]=<id> keeps the records related to that id.
			if (!attributes.includes(match[1]) && match[1] !== 'id' && !relationshipNames.includes(match[1])) {
				return this.send(res, 400, {
					errors: [this.error(400, 'invalid_filter', 'Invalid filter', `"${match[1]}" is not a filterable attribute of ${collection}.`, key)],
				});
			}
			if (match[1] === 'id' && this.options.idFilter === 'refuse') {
				return this.send(res, 400, { errors: [this.error(400, 'invalid_filter', 'Invalid filter', `"id" is not a filterable attribute of ${collection}.`, key)] });
			}
			if (match[1] === 'id' && this.options.idFilter === 'ignore') continue;
			filters.push([match[1], value]);
		}

		const sortFields = this.options.sort === 'ignore' ? [] : (params.get('sort') ?? '').split(',').filter(Boolean);
		if (sortFields.length && this.options.sort === 'refuse') {
			return this.send(res, 400, { errors: [this.error(400, 'sort_not_supported', 'Sort not supported', `The ${collection} endpoint does not support sort.`, 'sort')] });
		}
		for (const field of sortFields) {
			const name = field.replace(/^-/, '');
			if (!attributes.includes(name) && name !== 'id') {
				return this.send(res, 400, {
					errors: [this.error(400, 'invalid_sort', 'Invalid sort', `"${name}" is not a sortable attribute of ${collection}.`, 'sort')],
				});
			}
		}

		const sizeParam = params.get('page[size]');
		let size = this.options.defaultPageSize;
		if (sizeParam !== null) {
			size = Number(sizeParam);
			if (!Number.isInteger(size) || size < 1) {
				return this.send(res, 400, {
					errors: [this.error(400, 'invalid_page_size', 'Invalid page size', `page[size] must be a whole number from 1 to ${this.options.maxPageSize}.`, 'page[size]')],
				});
			}
			if (size > this.options.maxPageSize && this.options.oversizedPage !== 'cap') {
				const detail =
					this.options.oversizedPage === 'refuse' ? `page[size] must be a whole number from 1 to ${this.options.maxPageSize}.` : 'The requested page size is too large.';
				return this.send(res, 400, { errors: [this.error(400, 'invalid_page_size', 'Invalid page size', detail, 'page[size]')] });
			}
			size = Math.min(size, this.options.maxPageSize);
		}
		const cursor = params.get('page[cursor]');
		// A cursor is the offset, prefixed with its generation once cursors have been expired.
		const decoded = cursor === null ? `${this.cursorGeneration}:0` : Buffer.from(cursor, 'base64url').toString('utf8');
		const [generation, offsetText] = decoded.includes(':') ? decoded.split(':') : ['0', decoded];
		const offset = Number(offsetText);
		if (Number(generation) !== this.cursorGeneration) {
			return this.send(res, 400, { errors: [this.error(400, 'invalid_cursor', 'Invalid page cursor', 'The page cursor has expired.', 'page[cursor]')] });
		}
		if (!Number.isInteger(offset) || offset < 0) {
			return this.send(res, 400, { errors: [this.error(400, 'invalid_cursor', 'Invalid page cursor', 'The page cursor is not valid.', 'page[cursor]')] });
		}

		const stored = this.store.list(collection);
		const servedRecords = this.overrides[collection] ? stored.map((record) => this.served(record, collection)) : stored;
		const storedOf = new Map(servedRecords.map((record, index) => [record, stored[index]]));
		let records: readonly ResourceObject[] = servedRecords;
		if (filters.length) {
			const valueOf = (record: ResourceObject, name: string): unknown => {
				if (name === 'id') return record.id;
				if (relationshipNames.includes(name) && !attributes.includes(name)) return (record.relationships?.[name]?.data as { id?: string } | null)?.id;
				return record.attributes[name];
			};
			const matches = this.options.filterMatch === 'ignore-case' ? (held: string, value: string) => held.toLowerCase() === value.toLowerCase() : (held: string, value: string) => held === value;
			records = records.filter((record) => filters.every(([name, value]) => matches(String(valueOf(record, name)), value)));
		}
		if (sortFields.length) {
			records = [...records].sort((a, b) => {
				for (const field of sortFields) {
					const descending = field.startsWith('-');
					const name = descending ? field.slice(1) : field;
					const order = compareValues(name === 'id' ? a.id : a.attributes[name], name === 'id' ? b.id : b.attributes[name]);
					if (order !== 0) return descending ? -order : order;
				}
				return 0;
			});
		}

		const page = records.slice(offset, offset + size);
		const pageLink = (pageOffset: number) => {
			const next = new URLSearchParams(params);
			next.delete('page[cursor]');
			const cursorText = this.cursorGeneration ? `${this.cursorGeneration}:${pageOffset}` : String(pageOffset);
			if (pageOffset > 0) next.set('page[cursor]', Buffer.from(cursorText).toString('base64url'));
			// JSON:API examples show literal brackets in links; keep them readable.
			const query = next.toString().replace(/%5B/g, '[').replace(/%5D/g, ']');
			return this.link(`/v1/${collection}${query ? `?${query}` : ''}`);
		};
		const links: Record<string, string> = { self: pageLink(offset), first: pageLink(0) };
		if (offset + size < records.length) links.next = pageLink(offset + size);
		const document: Record<string, unknown> = {
			jsonapi: { version: '1.0' },
			data: page.map((record) => this.present(storedOf.get(record) ?? record, collection)),
			...(includePaths.length ? { included: this.included(page.map((record) => storedOf.get(record) ?? record), collection, includePaths) } : {}),
			links,
		};
		if (this.options.includeTotals) document.meta = { total: records.length };
		increment(this.counters.pageRequests, `/v1/${collection}`);
		this.send(res, 200, document);
	}

	private present(record: ResourceObject, collection: CollectionName): ResourceObject {
		return { ...this.served(record, collection), links: { self: this.link(`/v1/${collection}/${record.id}`) } };
	}

	private link(path: string): string {
		return this.options.absoluteLinks ? `${this.origin}${path}` : path;
	}

	private error(status: number, code: string, title: string, detail: string, parameter?: string): JsonApiError {
		const error: JsonApiError = { status: String(status), code, title, detail };
		if (parameter) error.source = { parameter };
		return error;
	}

	private send(
		res: http.ServerResponse,
		status: number,
		body: unknown,
		headers: Record<string, string> = {},
		contentType = JSON_API,
	): void {
		if (res.headersSent) return;
		const text = JSON.stringify(body);
		const cacheKey = this.cacheKeys.get(res);
		if (cacheKey !== undefined && status === 200) this.responseCache.set(cacheKey, text);
		res.writeHead(status, { 'Content-Type': contentType, ...headers });
		res.end(text);
	}

	/** Test and demo administration: add or change records, read counters, set faults. */
	private async handleAdmin(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
		const parts = url.pathname.split('/').filter(Boolean); // ['_admin', ...]
		const body = req.method === 'GET' ? '' : await readBody(req);
		const json = body ? (JSON.parse(body) as Record<string, unknown>) : {};
		const reply = (status: number, payload: unknown) => this.send(res, status, payload, {}, 'application/json');
		if (parts[1] === 'stats' && req.method === 'GET') return reply(200, this.stats());
		if (parts[1] === 'reset-stats' && req.method === 'POST') {
			this.resetStats();
			return reply(200, this.stats());
		}
		if (parts[1] === 'faults' && req.method === 'POST') {
			this.configure({ faults: (json.faults as FaultRule[]) ?? [] });
			this.firedRevocations.clear();
			return reply(200, { faults: this.faults });
		}
		if (parts[1] === 'inbox') {
			if (req.method === 'POST') this.inbox.push(json);
			return reply(200, { inbox: this.inbox });
		}
		if (parts[1] === 'report' && req.method === 'POST') {
			this.reports.configure(json as ReportJobOptions);
			return reply(200, { configured: true });
		}
		if (parts[1] === 'cursors' && parts[2] === 'expire' && req.method === 'POST') {
			this.expireCursors();
			return reply(200, { expired: true });
		}
		if (parts[1] === 'configure' && req.method === 'POST') {
			this.configure(json as Partial<SimulatorOptions>);
			return reply(200, { configured: true });
		}
		if (parts[1] === 'tokens' && parts[2] === 'revoke' && req.method === 'POST') {
			this.revokeAllTokens();
			return reply(200, { revoked: true });
		}
		const collection = parts[2] as CollectionName;
		if (parts[1] === 'records' && collection in COLLECTION_ATTRIBUTES) {
			this.responseCache.clear();
			if (req.method === 'POST' && parts.length === 3) {
				return reply(201, { data: this.store.add(collection, (json.attributes as Record<string, unknown>) ?? {}) });
			}
			if (req.method === 'PATCH' && parts[3]) {
				if (!this.store.get(collection, parts[3])) return reply(404, { error: 'no such record' });
				return reply(200, { data: this.store.update(collection, parts[3], (json.attributes as Record<string, unknown>) ?? {}) });
			}
			if (req.method === 'DELETE' && parts[3]) return reply(this.store.remove(collection, parts[3]) ? 204 : 404, {});
		}
		reply(404, { error: `unknown admin route ${req.method} ${url.pathname}` });
	}
}

/** Starts a simulator (on a random free loopback port unless one is given). */
export async function startSimulator(options: SimulatorOptions = {}): Promise<EnableSimulator> {
	return await new EnableSimulator(options).listen(options.port ?? 0, options.host ?? '127.0.0.1');
}
