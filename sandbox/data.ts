/**
 * Deterministic seed data and the mutable record store behind the Enable API simulator.
 * Every collection is a list of JSON:API resource objects kept in insertion order.
 */

/** Every top-level collection in Enable's Data structure guide, by its path below /v1/. */
export const COLLECTION_NAMES = [
	'trading-partners',
	'schemes',
	'deals',
	'items',
	'earnings',
	'turnover',
	'activity',
	'attachments',
	'users',
	'collaborators',
	'collection-items',
	'collections',
	'granular-earnings',
] as const;

export type CollectionName = (typeof COLLECTION_NAMES)[number];

export type Scope = 'read:deals' | 'read:activity' | 'read:users';

/**
 * The simulator's one description of the collections: JSON:API type, the scope it demands, and
 * each relationship with the collection it points to. The node keeps its own table; a test holds
 * the two against each other.
 */
export const SIM_COLLECTIONS: Record<CollectionName, { type: string; scope: Scope; relationships: Record<string, CollectionName> }> = {
	'trading-partners': { type: 'trading-partners', scope: 'read:deals', relationships: {} },
	schemes: { type: 'schemes', scope: 'read:deals', relationships: { tradingPartner: 'trading-partners' } },
	deals: { type: 'deals', scope: 'read:deals', relationships: { tradingPartner: 'trading-partners', owner: 'users', scheme: 'schemes' } },
	items: { type: 'items', scope: 'read:deals', relationships: {} },
	earnings: { type: 'earnings', scope: 'read:deals', relationships: { deal: 'deals', tradingPartner: 'trading-partners' } },
	turnover: { type: 'turnover', scope: 'read:deals', relationships: { tradingPartner: 'trading-partners', item: 'items', deal: 'deals' } },
	activity: { type: 'activity', scope: 'read:activity', relationships: { user: 'users' } },
	attachments: { type: 'attachments', scope: 'read:deals', relationships: { deal: 'deals', uploadedBy: 'users' } },
	users: { type: 'users', scope: 'read:users', relationships: {} },
	collaborators: { type: 'collaborators', scope: 'read:deals', relationships: { deal: 'deals', user: 'users' } },
	'collection-items': { type: 'collection-items', scope: 'read:deals', relationships: { collection: 'collections', item: 'items' } },
	collections: { type: 'collections', scope: 'read:deals', relationships: {} },
	'granular-earnings': {
		type: 'granular-earnings',
		scope: 'read:deals',
		relationships: { deal: 'deals', earning: 'earnings', item: 'items', tradingPartner: 'trading-partners' },
	},
};

export function isCollectionName(name: string): name is CollectionName {
	return (COLLECTION_NAMES as readonly string[]).includes(name);
}

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

export type SeedCounts = Record<CollectionName, number>;

/** Records per collection unless a test asks otherwise (trading partners and schemes are fixed lists). */
export const DEFAULT_COUNTS: SeedCounts = {
	'trading-partners': 6,
	schemes: 6,
	deals: 120,
	items: 40,
	earnings: 200,
	turnover: 150,
	activity: 300,
	attachments: 30,
	users: 25,
	collaborators: 20,
	'collection-items': 30,
	collections: 5,
	'granular-earnings': 200,
};

/** JSON:API resource type of each collection. */
export const RESOURCE_TYPES = Object.fromEntries(COLLECTION_NAMES.map((name) => [name, SIM_COLLECTIONS[name].type])) as Record<CollectionName, string>;

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
const PARTNER_COUNTRIES = ['GB', 'US', 'DE', 'FR', 'NL', 'IE'];
const PRODUCTS = ['Cola 330ml', 'Orange Juice 1l', 'Sparkling Water 500ml', 'Crisps Salted', 'Oat Biscuits', 'Dark Chocolate 100g', 'Coffee Beans 1kg', 'Green Tea 50 bags'];
const CATEGORIES = ['Beverages', 'Snacks', 'Hot Drinks', 'Confectionery'];
const ROLES = ['Approver', 'Reviewer', 'Viewer', 'Negotiator'];

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

type Generated = { attributes: Record<string, unknown>; relationships?: Record<string, RelationshipLinkage> };

const one = (type: string, id: string | undefined): RelationshipLinkage => ({ data: id ? { type, id } : null });

/** Generates collections of seeded records and allocates short opaque ids. */
export class RecordStore {
	private readonly random: () => number;

	private readonly usedIds = new Set<string>();

	private readonly collections = Object.fromEntries(COLLECTION_NAMES.map((name) => [name, []])) as unknown as Record<CollectionName, ResourceObject[]>;

	private readonly indexes = Object.fromEntries(COLLECTION_NAMES.map((name) => [name, new Map()])) as unknown as Record<
		CollectionName,
		Map<string, ResourceObject>
	>;

	private sequence = 0;

	private readonly generators: Record<CollectionName, () => Generated> = {
		'trading-partners': () => this.makeTradingPartner(),
		schemes: () => this.makeScheme(),
		deals: () => this.makeDeal(),
		items: () => this.makeItem(),
		earnings: () => this.makeEarning(),
		turnover: () => this.makeTurnover(),
		activity: () => this.makeActivity(),
		attachments: () => this.makeAttachment(),
		users: () => ({ attributes: this.makeUserAttributes() }),
		collaborators: () => this.makeCollaborator(),
		'collection-items': () => this.makeCollectionItem(),
		collections: () => this.makeCollection(),
		'granular-earnings': () => this.makeGranularEarning(),
	};

	constructor(counts: Partial<SeedCounts> = {}, seed = 20190214) {
		this.random = createRandom(seed);
		const wanted = { ...DEFAULT_COUNTS, ...counts };
		// Users, deals and activity first, in this order, so their seeded data stays what it always was.
		const order: CollectionName[] = [
			'users',
			'deals',
			'activity',
			'trading-partners',
			'schemes',
			'items',
			'collections',
			'collection-items',
			'earnings',
			'turnover',
			'granular-earnings',
			'attachments',
			'collaborators',
		];
		for (const name of order) for (let i = 0; i < wanted[name]; i++) this.add(name);
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
		const generated = this.generators[collection]();
		const record: ResourceObject = {
			type: RESOURCE_TYPES[collection],
			id: this.newId(collection),
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

	private newId(collection: CollectionName): string {
		// Trading partners and schemes have the readable codes the deals refer to: TP01, SC01, ...
		const fixedPrefix = collection === 'trading-partners' ? 'TP' : collection === 'schemes' ? 'SC' : undefined;
		if (fixedPrefix) {
			for (let n = this.collections[collection].length + 1; ; n++) {
				const id = `${fixedPrefix}${pad(n)}`;
				if (!this.usedIds.has(id)) {
					this.usedIds.add(id);
					return id;
				}
			}
		}
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

	private someId(collection: CollectionName): string | undefined {
		const records = this.collections[collection];
		return records.length ? records[Math.floor(this.random() * records.length)].id : undefined;
	}

	private someUserId(): string | undefined {
		return this.someId('users');
	}

	private makeDeal(): Generated {
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
				tradingPartner: one('trading-partners', `TP${pad(partnerIndex + 1)}`),
				owner: one('users', owner),
				// Each trading partner has one scheme, with the same number: no random draw, so the
				// deals' seeded attributes are what they were before schemes existed.
				scheme: one('schemes', `SC${pad(partnerIndex + 1)}`),
			},
		};
	}

	private makeActivity(): Generated {
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
			relationships: { user: one('users', userId) },
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

	private makeTradingPartner(): Generated {
		const index = this.collections['trading-partners'].length;
		const name = PARTNERS[index % PARTNERS.length] + (index >= PARTNERS.length ? ` ${Math.floor(index / PARTNERS.length) + 1}` : '');
		return {
			attributes: {
				name,
				code: name.toUpperCase().replace(/[^A-Z0-9]+/g, '').slice(0, 8),
				accountNumber: `AC${pad(40000 + index * 17, 6)}`,
				country: PARTNER_COUNTRIES[index % PARTNER_COUNTRIES.length],
				currency: index % 3 === 1 ? 'USD' : index % 3 === 2 ? 'EUR' : 'GBP',
				active: index % 5 !== 4,
			},
		};
	}

	private makeScheme(): Generated {
		const index = this.collections.schemes.length;
		const partner = PARTNERS[index % PARTNERS.length];
		const start = this.someDate();
		return {
			attributes: {
				name: `${partner} rebate scheme`,
				reference: `SCH-${pad(index + 1, 4)}`,
				description: `Rebates agreed with ${partner}`,
				startDate: isoDate(start),
				endDate: isoDate(new Date(start.getTime() + 365 * 86_400_000)),
				status: this.pick(['Active', 'Active', 'Draft', 'Closed']),
			},
			relationships: { tradingPartner: one('trading-partners', `TP${pad((index % PARTNERS.length) + 1)}`) },
		};
	}

	private makeItem(): Generated {
		const index = this.collections.items.length;
		return {
			attributes: {
				code: `SKU-${pad(10001 + index, 5)}`,
				name: `${PRODUCTS[index % PRODUCTS.length]}${index >= PRODUCTS.length ? ` (pack ${Math.floor(index / PRODUCTS.length) + 1})` : ''}`,
				category: this.pick(CATEGORIES),
				unitOfMeasure: this.pick(['EA', 'CS', 'KG']),
				active: this.random() < 0.9,
			},
		};
	}

	private money(max: number): number {
		return Math.round(this.random() * max * 100) / 100;
	}

	/** A deal and its trading partner, for records that belong to a deal. */
	private someDeal(): { dealId?: string; partnerId?: string } {
		const dealId = this.someId('deals');
		const deal = dealId ? this.get('deals', dealId) : undefined;
		const partner = deal?.relationships?.tradingPartner?.data as { id: string } | null | undefined;
		return { dealId, partnerId: partner?.id };
	}

	private makeEarning(): Generated {
		const { dealId, partnerId } = this.someDeal();
		const year = 2023 + Math.floor(this.random() * 3);
		const quarter = 1 + Math.floor(this.random() * 4);
		const periodStart = new Date(Date.UTC(year, (quarter - 1) * 3, 1));
		const periodEnd = new Date(Date.UTC(year, quarter * 3, 0));
		return {
			attributes: {
				period: `${year}-Q${quarter}`,
				periodStart: isoDate(periodStart),
				periodEnd: isoDate(periodEnd),
				amount: this.money(50_000),
				currency: 'GBP',
				status: this.pick(['Accrued', 'Claimed', 'Paid']),
				calculatedAt: enableTimestamp(periodEnd, this.random),
			},
			relationships: { deal: one('deals', dealId), tradingPartner: one('trading-partners', partnerId) },
		};
	}

	private makeTurnover(): Generated {
		const { dealId, partnerId } = this.someDeal();
		const quantity = 1 + Math.floor(this.random() * 500);
		return {
			attributes: {
				transactionDate: isoDate(this.someDate()),
				invoiceNumber: `INV-${pad(500000 + this.sequence, 7)}`,
				quantity,
				amount: Math.round(quantity * (0.5 + this.random() * 20) * 100) / 100,
				currency: 'GBP',
			},
			relationships: { tradingPartner: one('trading-partners', partnerId), item: one('items', this.someId('items')), deal: one('deals', dealId) },
		};
	}

	private makeGranularEarning(): Generated {
		const earningId = this.someId('earnings');
		const earning = earningId ? this.get('earnings', earningId) : undefined;
		const dealId = (earning?.relationships?.deal?.data as { id: string } | null | undefined)?.id;
		const partnerId = (earning?.relationships?.tradingPartner?.data as { id: string } | null | undefined)?.id;
		const quantity = 1 + Math.floor(this.random() * 200);
		const turnover = Math.round(quantity * (0.5 + this.random() * 20) * 100) / 100;
		return {
			attributes: {
				transactionDate: isoDate(this.someDate()),
				invoiceNumber: `INV-${pad(700000 + this.sequence, 7)}`,
				quantity,
				turnover,
				amount: Math.round(turnover * 0.05 * 100) / 100,
				currency: 'GBP',
			},
			relationships: {
				deal: one('deals', dealId),
				earning: one('earnings', earningId),
				item: one('items', this.someId('items')),
				tradingPartner: one('trading-partners', partnerId),
			},
		};
	}

	private makeAttachment(): Generated {
		const kind = this.pick([
			['pdf', 'application/pdf'],
			['xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
			['png', 'image/png'],
		] as const);
		return {
			attributes: {
				fileName: `${this.pick(['contract', 'price-list', 'claim', 'signed-terms'])}-${pad(this.sequence, 4)}.${kind[0]}`,
				contentType: kind[1],
				size: 2048 + Math.floor(this.random() * 900_000),
				description: this.pick(['Signed agreement', 'Price list', 'Claim evidence', '']),
				uploadedAt: enableTimestamp(this.someDate(), this.random),
			},
			relationships: { deal: one('deals', this.someId('deals')), uploadedBy: one('users', this.someUserId()) },
		};
	}

	private makeCollaborator(): Generated {
		const name = this.pick(PEOPLE);
		return {
			attributes: {
				name,
				email: `${name.toLowerCase().replace(/[^a-z]+/g, '.')}@partner.example.com`,
				role: this.pick(ROLES),
				company: this.pick(PARTNERS),
				addedAt: enableTimestamp(this.someDate(), this.random),
			},
			relationships: { deal: one('deals', this.someId('deals')), user: one('users', this.random() < 0.5 ? this.someUserId() : undefined) },
		};
	}

	private makeCollection(): Generated {
		const index = this.collections.collections.length;
		const category = CATEGORIES[index % CATEGORIES.length];
		return {
			attributes: {
				name: `${category} range${index >= CATEGORIES.length ? ` ${Math.floor(index / CATEGORIES.length) + 1}` : ''}`,
				description: `Items in the ${category.toLowerCase()} range`,
				category,
				createdAt: enableTimestamp(this.someDate(), this.random),
			},
		};
	}

	private makeCollectionItem(): Generated {
		const itemId = this.someId('items');
		const item = itemId ? this.get('items', itemId) : undefined;
		return {
			attributes: {
				value: item ? String(item.attributes.code) : '',
				description: item ? String(item.attributes.name) : '',
				addedAt: enableTimestamp(this.someDate(), this.random),
			},
			relationships: { collection: one('collections', this.someId('collections')), item: one('items', itemId) },
		};
	}
}

/**
 * The attributes each collection can be filtered and sorted by: exactly those the generator
 * writes (for deals, the list in shared/ENABLE_API.md), so the schema cannot drift from the data.
 */
export const COLLECTION_ATTRIBUTES: Record<CollectionName, readonly string[]> = (() => {
	const sample = new RecordStore(Object.fromEntries(COLLECTION_NAMES.map((name) => [name, 1])) as SeedCounts, 1);
	return Object.fromEntries(COLLECTION_NAMES.map((name) => [name, Object.keys(sample.list(name)[0].attributes)])) as unknown as Record<
		CollectionName,
		readonly string[]
	>;
})();
