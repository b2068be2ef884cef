/**
 * Deterministic seed data and the mutable record store behind the Enable API simulator.
 * Every collection is a list of JSON:API resource objects kept in insertion order.
 */

export type CollectionName = 'deals' | 'activity' | 'users';

export interface RelationshipLinkage {
	data: { type: string; id: string } | Array<{ type: string; id: string }> | null;
}

export interface ResourceObject {
	type: string;
	id: string;
	attributes: Record<string, unknown>;
	relationships?: Record<string, RelationshipLinkage>;
	links?: { self: string };
}

export interface SeedCounts {
	deals: number;
	activity: number;
	users: number;
}

/** JSON:API resource type of each collection. */
export const RESOURCE_TYPES: Record<CollectionName, string> = {
	deals: 'deals',
	activity: 'activity',
	users: 'users',
};

/** mulberry32: a tiny seedable PRNG, so the same seed always yields the same data. */
export function createRandom(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const ID_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

const DEAL_TYPES = [
	'01 - Guaranteed Rebate',
	'02 - Growth Rebate',
	'03 - Promotional Allowance',
	'04 - Marketing Fund',
];
const PEOPLE = [
	'Alex Morgan',
	'Sam Patel',
	'Jo Whitfield',
	'Priya Nair',
	'Chris Okafor',
	'Dana Kowalski',
	'Lee Fernández',
	'Robin Schultz',
];
const ACTIONS = ['Created', 'Updated', 'Approved', 'Claimed', 'Deleted', 'Exported'];
const PARTNERS = ['Acme Foods', 'Northwind', 'Globex', 'Initech', 'Umbrella Supplies', 'Stark Retail'];

function pad(value: number, width = 2): string {
	return String(value).padStart(width, '0');
}

function isoDate(date: Date): string {
	return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
}

/** Enable's timestamp style: a local offset and 7 fractional digits. */
function enableTimestamp(date: Date, random: () => number): string {
	const fraction = pad(Math.floor(random() * 10_000_000), 7);
	return `${isoDate(date)}T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}.${fraction}+01:00`;
}

/** Generates collections of seeded records and allocates short opaque ids. */
export class RecordStore {
	private readonly random: () => number;

	private readonly usedIds = new Set<string>();

	private readonly collections: Record<CollectionName, ResourceObject[]> = {
		deals: [],
		activity: [],
		users: [],
	};

	private readonly indexes: Record<CollectionName, Map<string, ResourceObject>> = {
		deals: new Map(),
		activity: new Map(),
		users: new Map(),
	};

	private sequence = 0;

	constructor(counts: SeedCounts, seed = 20190214) {
		this.random = createRandom(seed);
		for (let i = 0; i < counts.users; i++) this.add('users', this.makeUserAttributes());
		for (let i = 0; i < counts.deals; i++) {
			const { attributes, relationships } = this.makeDeal();
			this.add('deals', attributes, relationships);
		}
		for (let i = 0; i < counts.activity; i++) {
			const { attributes, relationships } = this.makeActivity();
			this.add('activity', attributes, relationships);
		}
	}

	list(collection: CollectionName): readonly ResourceObject[] {
		return this.collections[collection];
	}

	get(collection: CollectionName, id: string): ResourceObject | undefined {
		return this.indexes[collection].get(id);
	}

	/** Adds a record; attributes not given are generated, so tests can pass only what they assert on. */
	add(
		collection: CollectionName,
		attributes: Record<string, unknown> = {},
		relationships?: Record<string, RelationshipLinkage>,
	): ResourceObject {
		const generated =
			collection === 'deals'
				? this.makeDeal()
				: collection === 'activity'
					? this.makeActivity()
					: { attributes: this.makeUserAttributes(), relationships: undefined };
		const record: ResourceObject = {
			type: RESOURCE_TYPES[collection],
			id: this.newId(),
			attributes: { ...generated.attributes, ...attributes },
		};
		const links = relationships ?? generated.relationships;
		if (links) record.relationships = links;
		this.collections[collection].push(record);
		this.indexes[collection].set(record.id, record);
		return record;
	}

	update(collection: CollectionName, id: string, attributes: Record<string, unknown>): ResourceObject {
		const record = this.get(collection, id);
		if (!record) throw new Error(`No ${collection} record with id ${id}`);
		record.attributes = { ...record.attributes, ...attributes };
		return record;
	}

	remove(collection: CollectionName, id: string): boolean {
		const record = this.get(collection, id);
		if (!record) return false;
		this.indexes[collection].delete(id);
		this.collections[collection] = this.collections[collection].filter((r) => r !== record);
		return true;
	}

	private pick<T>(values: readonly T[]): T {
		return values[Math.floor(this.random() * values.length)];
	}

	private newId(): string {
		// 4 characters while there is room, then longer: short, opaque, never numeric-looking.
		for (;;) {
			const length = this.usedIds.size < 100_000 ? 4 : 6;
			let id = '';
			for (let i = 0; i < length; i++) id += ID_ALPHABET[Math.floor(this.random() * ID_ALPHABET.length)];
			if (!this.usedIds.has(id)) {
				this.usedIds.add(id);
				return id;
			}
		}
	}

	private someDate(): Date {
		this.sequence++;
		const start = Date.UTC(2019, 0, 1);
		return new Date(start + Math.floor(this.random() * 6 * 365) * 86_400_000 + this.sequence * 1000);
	}

	private someUserId(): string | undefined {
		const users = this.collections.users;
		return users.length ? users[Math.floor(this.random() * users.length)].id : undefined;
	}

	private makeDeal(): { attributes: Record<string, unknown>; relationships: Record<string, RelationshipLinkage> } {
		const start = this.someDate();
		const end = new Date(start.getTime() + (90 + Math.floor(this.random() * 640)) * 86_400_000);
		const partner = this.pick(PARTNERS);
		const owner = this.someUserId();
		const partnerIndex = PARTNERS.indexOf(partner);
		return {
			attributes: {
				dealType: this.pick(DEAL_TYPES),
				startDate: isoDate(start),
				endDate: isoDate(end),
				reference: `DL-${pad(1000 + this.sequence, 6)}`,
				description: `${partner} ${this.pick(['annual', 'quarterly', 'seasonal', 'launch'])} agreement`,
				notes: this.random() < 0.3 ? '' : `Negotiated by ${this.pick(PEOPLE)}`,
				latestTransactionDate: isoDate(new Date(start.getTime() + 30 * 86_400_000)),
				contraEarnings: this.random() < 0.2,
				modifiedBy: this.pick(PEOPLE),
				earningsModified: enableTimestamp(start, this.random),
				postPeriod: Math.floor(this.random() * 4),
				paymentFrequency: this.pick([1, 3, 6, 12]),
				claimPoint: this.random() < 0.5 ? null : this.pick(['Invoice', 'Delivery', 'Payment']),
				quarterlyWithInstalment: this.random() < 0.25,
			},
			relationships: {
				tradingPartner: { data: { type: 'trading-partners', id: `TP${pad(partnerIndex + 1)}` } },
				owner: { data: owner ? { type: 'users', id: owner } : null },
			},
		};
	}

	private makeActivity(): { attributes: Record<string, unknown>; relationships: Record<string, RelationshipLinkage> } {
		const deals = this.collections.deals;
		const entity = deals.length ? deals[Math.floor(this.random() * deals.length)] : undefined;
		const userId = this.someUserId();
		const user = userId ? this.get('users', userId) : undefined;
		const action = this.pick(ACTIONS);
		return {
			attributes: {
				// Activity timestamps only grow, as an audit log's do.
				date: new Date(Date.UTC(2024, 0, 1) + this.sequence++ * 60_000).toISOString(),
				action,
				description: `${action} deal ${entity ? String(entity.attributes.reference) : ''}`.trim(),
				entityType: 'deal',
				entityId: entity?.id ?? null,
				userName: user ? String(user.attributes.name) : 'System',
			},
			relationships: { user: { data: userId ? { type: 'users', id: userId } : null } },
		};
	}

	private makeUserAttributes(): Record<string, unknown> {
		const name = this.pick(PEOPLE);
		const username = `${name.toLowerCase().replace(/[^a-z]+/g, '.')}${this.collections.users.length + 1}`;
		return {
			name,
			email: `${username}@example.com`,
			username,
			enabled: this.random() < 0.9,
			lastLogin: this.someDate().toISOString(),
		};
	}
}

/**
 * The attributes each collection can be filtered and sorted by: exactly those the generator
 * writes (for deals, the list in shared/ENABLE_API.md), so the schema cannot drift from the data.
 */
export const COLLECTION_ATTRIBUTES: Record<CollectionName, readonly string[]> = (() => {
	const sample = new RecordStore({ deals: 1, activity: 1, users: 1 }, 1);
	const keys = (collection: CollectionName) => Object.keys(sample.list(collection)[0].attributes);
	return { deals: keys('deals'), activity: keys('activity'), users: keys('users') };
})();
