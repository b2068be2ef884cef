/**
 * Enable's collections, described as data. Every collection shares one JSON:API shape, so the
 * node's parameters, the credential test and the transport are all derived from this table:
 * serving another collection (schemes, earnings, trading partners, ...) is adding a row here.
 */

/** Scopes in Enable's documented order: the token request sends them in this order. */
export const ENABLE_SCOPES = ['read:deals', 'read:activity', 'read:users'] as const;

export type EnableScope = (typeof ENABLE_SCOPES)[number];

export interface EnableResource {
	/** Value of the node's `resource` parameter. */
	value: string;
	/** Singular display name, e.g. "Deal". */
	name: string;
	/** Collection path below `/v1/`, e.g. `deals` (note: `activity` is singular). */
	path: string;
	/** The token scope that reaches this collection. */
	scope: EnableScope;
	/** Name of the node parameter holding a record id for Get. */
	idParameter: string;
	/** Attributes offered as filter and sort suggestions; any other attribute is still accepted. */
	knownAttributes: readonly string[];
	/** An example record id for placeholders. */
	sampleId: string;
}

export const RESOURCES: readonly EnableResource[] = [
	{
		value: 'deal',
		name: 'Deal',
		path: 'deals',
		scope: 'read:deals',
		idParameter: 'dealId',
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
	},
	{
		value: 'activity',
		name: 'Activity',
		path: 'activity',
		scope: 'read:activity',
		idParameter: 'activityId',
		sampleId: '8gVX',
		knownAttributes: ['date', 'action', 'description', 'entityType', 'entityId', 'userName'],
	},
	{
		value: 'user',
		name: 'User',
		path: 'users',
		scope: 'read:users',
		idParameter: 'userId',
		sampleId: 'Qm3d',
		knownAttributes: ['name', 'email', 'username', 'enabled', 'lastLogin'],
	},
];

const RESOURCES_BY_VALUE = new Map(RESOURCES.map((resource) => [resource.value, resource]));

export function findResource(value: string): EnableResource | undefined {
	return RESOURCES_BY_VALUE.get(value);
}
