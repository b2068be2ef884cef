import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestHelper,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

import { readCredentialSettings, requestAccessToken, settingsFingerprint } from '../nodes/Enable/transport/auth';
import { EnableCredentialError } from '../nodes/Enable/transport/failures/read';
import { CREDENTIAL_TEST_HEADER, credentialTestNeedsNewToken, needsNewToken, takeRenewal } from '../nodes/Enable/transport/n8n-compat';
import { ENABLE_SCOPES, SCOPE_COLLECTIONS, SCOPE_LABELS } from '../nodes/Enable/transport/scopes';

export { CREDENTIAL_TEST_HEADER };

/** For each scope, the collection Enable documents it for: the credential test reads that one. */
const SCOPE_TEST_PATHS = Object.fromEntries(ENABLE_SCOPES.map((scope) => [scope, `/v1/${SCOPE_COLLECTIONS[scope]}`]));

/** `/v1/<collection>` of the first selected scope, as an n8n expression for the credential test. */
const FIRST_SCOPE_COLLECTION = `={{ (${JSON.stringify(SCOPE_TEST_PATHS)})[${JSON.stringify(ENABLE_SCOPES)}.filter((scope) => ($credentials.scopes || []).includes(scope))[0]] }}`;

/**
 * The host a request goes to: its url (and baseURL, as n8n's credential test sends it), or the
 * `uri` (and `baseUrl`) of the older request shape, which the HTTP Request node still uses.
 */
function requestOrigin(requestOptions: IHttpRequestOptions, fallback: string): string {
	const older = requestOptions as IHttpRequestOptions & { uri?: unknown; baseUrl?: unknown };
	const target = [requestOptions.url, older.uri].find((value) => typeof value === 'string' && value !== '') as string | undefined;
	const base = [requestOptions.baseURL, older.baseUrl].find((value) => typeof value === 'string' && value !== '') as string | undefined;
	try {
		return target === undefined ? new URL(base ?? fallback).origin : new URL(target, base ?? fallback).origin;
	} catch {
		return '';
	}
}

/** Whether a comma-separated allow-list in n8n's syntax (`example.com`, `*.example.com`) admits `hostname`. */
function listAdmits(allowedDomains: string, hostname: string): boolean {
	return allowedDomains
		.split(',')
		.map((domain) => domain.trim().toLowerCase().replace(/\.$/, ''))
		.some((domain) => (domain.startsWith('*.') ? domain.length > 2 && hostname.endsWith(domain.slice(1)) : domain !== '' && hostname === domain));
}

/**
 * The redirect rules n8n applies to a request that carries the token (the HTTP Request node, or any
 * node that lets n8n follow redirects): n8n 1.123 and 2.41 check every redirect's host against
 * `allowedDomains` before following it and refuse any other, and with
 * `sendCredentialsOnCrossOriginRedirect: false` they do not put the token back on a redirect to
 * another origin (by default they do). The allow-list is the Base URL's host name alone (inside a
 * list the user set on the credential, which is left as it is when it does not admit that host:
 * n8n then refuses the request as the user asked). A host name n8n's list syntax cannot hold
 * exactly gets no redirects at all.
 */
function redirectRules(requestOptions: IHttpRequestOptions, baseUrl: string): Partial<IHttpRequestOptions> & Record<string, unknown> {
	const hostname = new URL(baseUrl).hostname.toLowerCase().replace(/\.$/, '');
	if (!/^[a-z0-9.\-[\]:]+$/.test(hostname)) {
		return { sendCredentialsOnCrossOriginRedirect: false, disableFollowRedirect: true, maxRedirects: 0, followRedirect: false, followAllRedirects: false };
	}
	const given = typeof requestOptions.allowedDomains === 'string' ? requestOptions.allowedDomains.trim() : '';
	return { sendCredentialsOnCrossOriginRedirect: false, allowedDomains: given && !listAdmits(given, hostname) ? given : hostname };
}

export class EnableApi implements ICredentialType {
	name = 'enableApi';

	displayName = 'Enable API';

	icon: Icon = { light: 'file:../nodes/Enable/enable.svg', dark: 'file:../nodes/Enable/enable.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-enable/n8n-nodes-enable#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.deal-track.com',
			placeholder: 'https://api.deal-track.com',
			description: 'The Enable API host. Change it only for a UAT or regional host that Enable gave you.',
		},
		{
			displayName: 'Client ID',
			name: 'clientId',
			type: 'string',
			required: true,
			default: '',
			placeholder: '07e965cc-2425-44c6-88d8-9a694c30ccaa',
			description: 'The client_id UUID that Enable issued when it gave you API access',
		},
		{
			displayName: 'Client Secret',
			name: 'clientSecret',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description: 'The client_secret that Enable sent you securely. It is a password: n8n stores it encrypted.',
		},
		{
			displayName: 'Dealtrack Registration ID',
			name: 'registrationId',
			type: 'string',
			required: true,
			default: '',
			placeholder: '688b42f8-60c8-4556-9912-0cd5e69c83d7',
			description: 'The dealtrack_registration_id UUID that identifies your Enable instance',
		},
		{
			displayName: 'Scopes',
			name: 'scopes',
			type: 'multiOptions',
			required: true,
			options: ENABLE_SCOPES.map((scope) => ({ name: `${SCOPE_LABELS[scope]} (${scope})`, value: scope })),
			// No default: n8n's editor does not pre-select a multiOptions default in a credential, and it
			// stores a value equal to the default as nothing, which the editor then shows as empty. The
			// field is required instead, and the error says what to select.
			default: [],
			hint: 'Select only the scopes Enable granted your client: asking for any other one fails with invalid_scope',
			description:
				'Which parts of Enable the token may read. Enable publishes these three; for trading partners, schemes, earnings, reports and its other collections it has not said which scope applies, and this node assumes Deals (read:deals).',
		},
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'hidden',
			typeOptions: { expirable: true, password: true },
			default: '',
		},
		{
			displayName: 'Token Fingerprint',
			name: 'tokenFingerprint',
			type: 'hidden',
			typeOptions: { password: true },
			default: '',
		},
	];

	/** Called by n8n when the stored token is empty or was refused: gets a new one, with the fingerprint of what it was issued for. */
	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		return await requestAccessToken(this, credentials);
	}

	/**
	 * Adds the Bearer header; a function rather than an expression, so no template is evaluated per
	 * request. A stored token issued for other settings (the secret, Base URL, client or scopes were
	 * changed since) is not sent: the error has the shape of a 401, which makes n8n fetch a new token
	 * with the current settings and repeat the request, in nodes, triggers and the credential test alike.
	 * The credential test's request gets a new token that way even when the stored one would do,
	 * and so does a request of this package's transport whose token Enable refused (auth.ts).
	 * Wherever n8n follows a redirect of the request, the token goes only to the Base URL's origin
	 * (redirectRules).
	 */
	authenticate = async (credentials: ICredentialDataDecryptedObject, requestOptions: IHttpRequestOptions) => {
		const headers = { ...requestOptions.headers };
		if (credentialTestNeedsNewToken(requestOptions, headers)) throw needsNewToken('The credential test asks Enable for a new token');
		const settings = readCredentialSettings(credentials);
		// The token is Enable's: a request to any other host (the HTTP Request node can name one) goes without it.
		const origin = requestOrigin(requestOptions, settings.baseUrl);
		const enableOrigin = new URL(settings.baseUrl).origin;
		if (origin !== enableOrigin) {
			const elsewhere = origin ? new URL(origin).host : 'an address that is not a URL';
			throw new EnableCredentialError(
				`The Enable credential only sends its token to ${settings.host}, not to ${elsewhere}`,
				`This request goes to ${elsewhere}, which is not the credential's Base URL (${settings.host}), so n8n did not send it. Use a URL on ${settings.host}, or another credential for ${elsewhere}.`,
			);
		}
		if (takeRenewal(credentials)) throw needsNewToken('Enable refused the token this request sent');
		if (String(credentials.tokenFingerprint ?? '') !== settingsFingerprint(settings)) {
			throw needsNewToken('The stored Enable token was issued for other credential settings');
		}
		return {
			...requestOptions,
			...redirectRules(requestOptions, settings.baseUrl),
			headers: { ...headers, Authorization: `Bearer ${String(credentials.accessToken)}` },
		};
	};

	/** One record from the collection of the first selected scope: passes whatever subset was granted. */
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{ String($credentials.baseUrl).trim().replace(/\\/+$/, "") }}',
			url: FIRST_SCOPE_COLLECTION,
			qs: { 'page[size]': 1 },
			headers: { Accept: 'application/vnd.api+json', [CREDENTIAL_TEST_HEADER]: 'new-token' },
		},
		// The token step reports its own failures (preAuthentication); these name the second step.
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message: 'Enable issued a token, then refused it when reading one record (HTTP 401): check that your Enable API client is active, or ask Enable.',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message: 'Enable issued a token, but it may not read the collection of your first scope (HTTP 403): select only the scopes Enable granted your client.',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 404,
					message: 'The token was issued, but the Base URL has no Enable collections (HTTP 404): enter the Enable API host, such as https://api.deal-track.com.',
				},
			},
		],
	};
}
