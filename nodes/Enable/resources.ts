/**
 * Enable's resources, described as data. The uniform collections share one JSON:API shape, so the
 * node's parameters, the credential's scopes and its test request are all derived from this table:
 * serving another collection is adding a row here. The report behaves differently (an asynchronous
 * job) and has its own module; the table only names it and its scope.
 */

import { ENABLE_SCOPES, type EnableScope, SCOPE_COLLECTIONS, SCOPE_LABELS } from './transport/scopes';
import type { RequestSubject } from './transport/types';

export { ENABLE_SCOPES, type EnableScope, SCOPE_LABELS };

export interface EnableCollection {
	kind: 'collection';
	/** Value of the node's `resource` parameter. */
	value: string;
	/** Display name, e.g. "Trading Partner". */
	name: string;
	/** One record in a sentence, e.g. "trading partner", "activity entry". */
	noun: string;
	/** Many records in a sentence, e.g. "trading partners", "activity entries". */
	nouns: string;
	/** The indefinite article of `noun`. */
	article: 'a' | 'an';
	/** Collection path below `/v1/`, e.g. `trading-partners` (note: `activity` is singular). */
	path: string;
	/** The JSON:API `type` of its records. */
	type: string;
	/** The token scope assumed to reach this collection. */
	scope: EnableScope;
	/** False where Enable has not published which scope reaches the collection (we assume `scope`). */
	scopePublished: boolean;
	/** Name of the node parameter holding a record id for Get. */
	idParameter: string;
	/** Attributes offered as filter and sort suggestions; any other attribute is still accepted. */
	knownAttributes: readonly string[];
	/** Relationship name → the collection (value) it points to; offered by Include Related. */
	relationships: Readonly<Record<string, string>>;
	/** An example record id for placeholders. */
	sampleId: string;
	/** Attributes that name a record in a list to pick from (the first ones present are shown). */
	titleAttributes: readonly string[];
}

export interface EnableReportOperation {
	/** Value of the node's `operation` parameter. */
	value: string;
	name: string;
	description: string;
	/** Path below `/v1/`. */
	path: string;
	scope: EnableScope;
	scopePublished: boolean;
}

export interface EnableReports {
	kind: 'report';
	value: 'report';
	name: string;
	operations: readonly EnableReportOperation[];
}

/** The account itself: what the credential reaches in this Enable (actions/access.ts). */
export interface EnableAccount {
	kind: 'account';
	value: 'account';
	name: string;
	operations: ReadonlyArray<{ value: string; name: string; description: string; action: string }>;
}

export type EnableResource = EnableCollection | EnableReports | EnableAccount;

type Row = Omit<EnableCollection, 'kind' | 'idParameter' | 'type' | 'scopePublished' | 'article' | 'noun' | 'nouns'> &
	Partial<Pick<EnableCollection, 'type' | 'article' | 'noun' | 'nouns'>>;

/** The three collections Enable documents a scope for; every other one is assumed to need read:deals. */
const PUBLISHED_SCOPE_PATHS = new Set(['deals', 'activity', 'users']);

function collection(row: Row): EnableCollection {
	const noun = row.noun ?? row.name.toLowerCase();
	return {
		kind: 'collection',
		...row,
		noun,
		nouns: row.nouns ?? `${noun}s`,
		article: row.article ?? (/^[aeiou]/i.test(noun) ? 'an' : 'a'),
		type: row.type ?? row.path,
		idParameter: `${row.value}Id`,
		scopePublished: PUBLISHED_SCOPE_PATHS.has(row.path),
	};
}

/** Every top-level collection in Enable's Data structure guide, in the guide's order. */
export const COLLECTIONS: readonly EnableCollection[] = [
	collection({
		value: 'tradingPartner',
		titleAttributes: ['name', 'code'],
		name: 'Trading Partner',
		path: 'trading-partners',
		scope: 'read:deals',
		sampleId: 'TP01',
		knownAttributes: ['name', 'code', 'accountNumber', 'country', 'currency', 'active'],
		relationships: {},
	}),
	collection({
		value: 'scheme',
		titleAttributes: ['name', 'reference'],
		name: 'Scheme',
		path: 'schemes',
		scope: 'read:deals',
		sampleId: 'SC01',
		knownAttributes: ['name', 'reference', 'description', 'startDate', 'endDate', 'status'],
		relationships: { tradingPartner: 'tradingPartner' },
	}),
	collection({
		value: 'deal',
		titleAttributes: ['reference', 'description'],
		name: 'Deal',
		path: 'deals',
		scope: 'read:deals',
		sampleId: 'Hg7f',
		knownAttributes: [
			'dealType',
			'startDate',
			'endDate',
			'reference',
			'description',
			'notes',
			'latestTransactionDate',
			'contraEarnings',
			'modifiedBy',
			'earningsModified',
			'postPeriod',
			'paymentFrequency',
			'claimPoint',
			'quarterlyWithInstalment',
		],
		relationships: { tradingPartner: 'tradingPartner', owner: 'user', scheme: 'scheme' },
	}),
	collection({
		value: 'item',
		titleAttributes: ['name', 'code'],
		name: 'Item',
		path: 'items',
		scope: 'read:deals',
		sampleId: 'It4q',
		knownAttributes: ['code', 'name', 'category', 'unitOfMeasure', 'active'],
		relationships: {},
	}),
	collection({
		value: 'earning',
		titleAttributes: ['period', 'amount', 'status'],
		name: 'Earning',
		path: 'earnings',
		scope: 'read:deals',
		sampleId: 'Er8m',
		knownAttributes: ['period', 'periodStart', 'periodEnd', 'amount', 'currency', 'status', 'calculatedAt'],
		relationships: { deal: 'deal', tradingPartner: 'tradingPartner' },
	}),
	collection({
		value: 'turnover',
		titleAttributes: ['invoiceNumber', 'transactionDate', 'amount'],
		name: 'Turnover',
		noun: 'turnover record',
		path: 'turnover',
		scope: 'read:deals',
		sampleId: 'Tv2n',
		knownAttributes: ['transactionDate', 'invoiceNumber', 'quantity', 'amount', 'currency'],
		relationships: { tradingPartner: 'tradingPartner', item: 'item', deal: 'deal' },
	}),
	collection({
		value: 'activity',
		titleAttributes: ['date', 'action', 'description'],
		name: 'Activity',
		noun: 'activity entry',
		nouns: 'activity entries',
		path: 'activity',
		scope: 'read:activity',
		sampleId: '8gVX',
		knownAttributes: ['date', 'action', 'description', 'entityType', 'entityId', 'userName'],
		relationships: { user: 'user' },
	}),
	collection({
		value: 'attachment',
		titleAttributes: ['fileName', 'description'],
		name: 'Attachment',
		path: 'attachments',
		scope: 'read:deals',
		sampleId: 'At5p',
		knownAttributes: ['fileName', 'contentType', 'size', 'description', 'uploadedAt'],
		relationships: { deal: 'deal', uploadedBy: 'user' },
	}),
	collection({
		value: 'user',
		titleAttributes: ['name', 'email'],
		name: 'User',
		article: 'a',
		path: 'users',
		scope: 'read:users',
		sampleId: 'Qm3d',
		knownAttributes: ['name', 'email', 'username', 'enabled', 'lastLogin'],
		relationships: {},
	}),
	collection({
		value: 'collaborator',
		titleAttributes: ['name', 'email', 'role'],
		name: 'Collaborator',
		path: 'collaborators',
		scope: 'read:deals',
		sampleId: 'Cb6r',
		knownAttributes: ['name', 'email', 'role', 'company', 'addedAt'],
		relationships: { deal: 'deal', user: 'user' },
	}),
	collection({
		value: 'collectionItem',
		titleAttributes: ['value', 'description'],
		name: 'Collection Item',
		path: 'collection-items',
		scope: 'read:deals',
		sampleId: 'Ci3s',
		knownAttributes: ['value', 'description', 'addedAt'],
		relationships: { collection: 'collection', item: 'item' },
	}),
	collection({
		value: 'collection',
		titleAttributes: ['name', 'category'],
		name: 'Collection',
		path: 'collections',
		scope: 'read:deals',
		sampleId: 'Cl9t',
		knownAttributes: ['name', 'description', 'category', 'createdAt'],
		relationships: {},
	}),
	collection({
		value: 'granularEarning',
		titleAttributes: ['invoiceNumber', 'transactionDate', 'amount'],
		name: 'Granular Earning',
		path: 'granular-earnings',
		scope: 'read:deals',
		sampleId: 'Ge7w',
		knownAttributes: ['transactionDate', 'invoiceNumber', 'quantity', 'turnover', 'amount', 'currency'],
		relationships: { deal: 'deal', earning: 'earning', item: 'item', tradingPartner: 'tradingPartner' },
	}),
];

/** Enable's reports: asynchronous jobs, read by the report module (actions/report.ts). */
export const REPORTS: EnableReports = {
	kind: 'report',
	value: 'report',
	name: 'Report',
	operations: [
		{
			value: 'dealEarnings',
			name: 'Deal Earnings',
			description: 'Run the deal-earnings report, optionally by dimensions',
			path: 'reports/deal-earnings',
			scope: 'read:deals',
			scopePublished: false,
		},
	],
};

export const ACCOUNT: EnableAccount = {
	kind: 'account',
	value: 'account',
	name: 'Account',
	operations: [
		{
			value: 'checkAccess',
			name: 'Check Access',
			description: 'For every collection and the report: whether the credential reaches it, the names Enable shows, and which paging, sorting and include features it honours',
			action: 'Check what the credential can read',
		},
	],
};

/** Every resource the node offers, in the order of its Resource list. */
export const RESOURCES: readonly EnableResource[] = [...COLLECTIONS, REPORTS, ACCOUNT];

const COLLECTIONS_BY_VALUE = new Map(COLLECTIONS.map((entry) => [entry.value, entry]));

export function findCollection(value: string): EnableCollection | undefined {
	return COLLECTIONS_BY_VALUE.get(value);
}

/**
 * The collection a token with only `scope` can certainly read: the one Enable documents for that
 * scope (transport/scopes.ts). The credential test reads it, so that it never tests a collection
 * whose scope is a guess.
 */
export function collectionProvenBy(scope: EnableScope): EnableCollection {
	const found = COLLECTIONS.find((entry) => entry.path === SCOPE_COLLECTIONS[scope] && entry.scope === scope && entry.scopePublished);
	if (!found) throw new Error(`No collection documents the scope ${scope}`);
	return found;
}

/** How a collection's requests name themselves in messages. */
export function subjectOf(collection: EnableCollection): RequestSubject {
	const { name, noun, nouns, scope, scopePublished, sampleId } = collection;
	return { name, noun, nouns, scope, scopePublished, sampleId };
}

/** The name of the list method that lets a user pick one of the collection's records (methods/listSearch.ts). */
export function searchMethodName(collection: EnableCollection): string {
	return `search${collection.value.charAt(0).toUpperCase()}${collection.value.slice(1)}`;
}
