/**
 * Enable's token scopes, as its Authentication guide publishes them: the token request sends them,
 * the credential offers them, and the credential's test reads one record of the collection the
 * guide documents for each. The resource table (resources.ts) says which scope each collection needs.
 */

/** The scopes Enable publishes, in Enable's documented order: the token request sends them so. */
export const ENABLE_SCOPES = ['read:deals', 'read:activity', 'read:users'] as const;

export type EnableScope = (typeof ENABLE_SCOPES)[number];

/** How each scope is shown in the credential. */
export const SCOPE_LABELS: Record<EnableScope, string> = {
	'read:deals': 'Deals',
	'read:activity': 'Activity Log',
	'read:users': 'Users',
};

/** The collection (below `/v1/`) Enable's guides document for each scope: a token with the scope can surely read it. */
export const SCOPE_COLLECTIONS: Record<EnableScope, string> = {
	'read:deals': 'deals',
	'read:activity': 'activity',
	'read:users': 'users',
};
