/**
 * Account → Check Access: for every collection, and the report, whether the credential reaches it
 * in this Enable and what that Enable honours. Per collection at most three small reads: one page
 * asked at size 1000 (its status, the attribute and relationship names, the size served), then
 * newest first by its first timestamp attribute (was it sorted?) and with its first relationship
 * included (did `included` come back?). Collections run in parallel within Parallel Requests.
 * No record content is returned beyond names and types; nothing is remembered.
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { concurrencyOption } from '../descriptions';
import { ACCOUNT, COLLECTIONS, type EnableCollection, REPORTS, subjectOf } from '../resources';
import { schemaOf } from '../schema';
import { stampOf } from '../timestamps';
import { DEFAULT_PAGE_SIZE, type ListQuery, readPages } from '../transport/paging';
import { DEFAULT_CONCURRENCY, inParallel } from '../transport/parallel';
import { enableRequest, toNodeError } from '../transport/request';
import type { EnableConnection, EnableContext, JsonApiDocument, ResourceObject } from '../transport/types';
import { validateConcurrency } from '../validation';

/** Records asked for when checking sort and include: enough to see an order, few to transfer. */
const PROBE_SIZE = 20;

export type AccessStatus = 'ok' | 'forbidden' | 'not_found' | 'error';

export interface AccessCheck extends IDataObject {
	collection: string;
	path: string;
	status: AccessStatus;
	httpStatus: number | null;
	scopeUsed: string;
	attributes: string[];
	relationships: string[];
	pageSizeHonoured: boolean | null;
	sortHonoured: boolean | null;
	includeHonoured: boolean | null;
}

/** The status a failed request reports, from the HTTP status the transport kept on the error. */
export function statusOf(httpStatus: number | null): AccessStatus {
	if (httpStatus === 401 || httpStatus === 403) return 'forbidden';
	if (httpStatus === 404) return 'not_found';
	return 'error';
}

function httpStatusOf(error: unknown): number | null {
	const code = Number((error as { httpCode?: unknown } | undefined)?.httpCode);
	return Number.isInteger(code) && code >= 100 ? code : null;
}

/** Whether the records came newest first by `attribute` (null when too few carry it to tell). */
export function newestFirst(records: readonly ResourceObject[], attribute: string): boolean | null {
	const stamps = records.map((record) => stampOf(record, attribute)).filter((stamp): stamp is number => stamp !== undefined);
	if (stamps.length < 2) return null;
	return stamps.every((stamp, index) => index === 0 || stamp <= stamps[index - 1]);
}

/** One page of the collection, asked at `size` (a size given is not stepped down when refused). */
async function list(context: EnableContext, connection: EnableConnection, collection: EnableCollection, query: Omit<ListQuery, 'filters'>, size: number): Promise<JsonApiDocument> {
	let document: JsonApiDocument | undefined;
	const target = { path: collection.path, subject: subjectOf(collection) };
	await readPages(context, connection, { target, query: { filters: [], ...query, pageSize: size } }, { itemIndex: 0, included: new Map(), maxPages: 1 }, (page) => {
		document = page.document;
		return false;
	});
	return document as JsonApiDocument;
}

/** One optional probe: true or false from its answer, false when Enable refuses it (400). */
async function probe(context: EnableContext, read: () => Promise<JsonApiDocument>, judge: (document: JsonApiDocument) => boolean | null): Promise<boolean | null> {
	try {
		return judge(await read());
	} catch (error) {
		if (httpStatusOf(error) === 400 || httpStatusOf(error) === 422) return false;
		throw toNodeError(context.getNode(), error, 0);
	}
}

/** A check before anything is known: filled in as Enable answers. */
function newCheck(collection: string, path: string, scopeUsed: string): AccessCheck {
	return { collection, path, status: 'ok', httpStatus: null, scopeUsed, attributes: [], relationships: [], pageSizeHonoured: null, sortHonoured: null, includeHonoured: null };
}

/** What a failed read says about access: the HTTP status, the status it means, and the node's message. */
function failed(check: AccessCheck, error: unknown): void {
	check.httpStatus = httpStatusOf(error);
	check.status = statusOf(check.httpStatus);
	check.message = error instanceof Error ? error.message : String(error);
}

async function checkCollection(context: EnableContext, connection: EnableConnection, collection: EnableCollection): Promise<AccessCheck> {
	const check = newCheck(collection.value, collection.path, collection.scope);
	try {
		let page: JsonApiDocument;
		try {
			page = await list(context, connection, collection, {}, DEFAULT_PAGE_SIZE);
			const served = (page.data as ResourceObject[]).length;
			// Fewer than asked with a next page means Enable capped the size; fewer and no next, the collection fit.
			check.pageSizeHonoured = served >= DEFAULT_PAGE_SIZE || !page.links?.next;
			if (!check.pageSizeHonoured) check.pageSizeCappedTo = served;
		} catch (error) {
			if (httpStatusOf(error) !== 400) throw toNodeError(context.getNode(), error, 0);
			// Refused the size: the collection may still be readable at a small one.
			check.pageSizeHonoured = false;
			page = await list(context, connection, collection, {}, PROBE_SIZE);
		}
		check.httpStatus = 200;
		const schema = schemaOf(page.data as ResourceObject[]);
		check.attributes = [...schema.attributes.keys()];
		check.attributeTypes = Object.fromEntries([...schema.attributes].map(([name, seen]) => [name, seen.type]));
		check.relationships = schema.relationships;
		const timestamp = [...schema.attributes].find(([, seen]) => seen.timestamp)?.[0];
		if (timestamp) {
			check.sortAttribute = timestamp;
			check.sortHonoured = await probe(
				context,
				async () => await list(context, connection, collection, { sort: `-${timestamp}` }, PROBE_SIZE),
				(document) => newestFirst(document.data as ResourceObject[], timestamp),
			);
		}
		const relationship = schema.relationships[0];
		if (relationship) {
			check.includeTried = relationship;
			check.includeHonoured = await probe(
				context,
				async () => await list(context, connection, collection, { include: [relationship] }, PROBE_SIZE),
				(document) => Array.isArray(document.included),
			);
		}
	} catch (error) {
		failed(check, error);
	}
	return check;
}

async function checkReport(context: EnableContext, connection: EnableConnection): Promise<AccessCheck> {
	const report = REPORTS.operations[0];
	const check = newCheck(REPORTS.value, report.path, report.scope);
	try {
		// The first answer says whether the report is reachable (a queue job, or the result); it is not waited for.
		const document = await enableRequest(context, connection, {
			url: `${connection.baseUrl}/v1/${report.path}`,
			subject: { name: report.name, noun: 'deal earnings report', nouns: 'deal earnings reports', scope: report.scope, scopePublished: report.scopePublished },
			itemIndex: 0,
			expect: 'any',
		});
		const data = document.data;
		check.httpStatus = 200;
		check.attributes = Object.keys(((Array.isArray(data) ? data[0] : data)?.attributes ?? {}) as IDataObject);
	} catch (error) {
		failed(check, error);
	}
	return check;
}

export async function checkAccess(context: IExecuteFunctions, connection: () => Promise<EnableConnection>, itemIndex: number): Promise<IDataObject[]> {
	const options = context.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const concurrency = validateConcurrency(context.getNode(), options.concurrency ?? DEFAULT_CONCURRENCY);
	const open = await connection();
	const checks: Array<() => Promise<AccessCheck>> = [...COLLECTIONS.map((collection) => async () => await checkCollection(context, open, collection)), async () => await checkReport(context, open)];
	const results: AccessCheck[] = new Array(checks.length);
	await inParallel(checks.length, concurrency, async (index) => {
		results[index] = await checks[index]();
	});
	return results;
}

// Its parameters.

export const accountProperties: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: [ACCOUNT.value] } },
		options: ACCOUNT.operations.map(({ name, value, description, action }) => ({ name, value, description, action })),
		default: 'checkAccess',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { resource: [ACCOUNT.value], operation: ['checkAccess'] } },
		options: [{ ...concurrencyOption, description: 'How many collections are checked at the same time' }],
	},
];


