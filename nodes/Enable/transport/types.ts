/**
 * What a request to Enable is, in the transport's own terms: it knows nothing of the node's
 * resource table. The caller says where to go, what shape to expect and how to name the request in
 * a message a user reads.
 */
import type { ICredentialsDecrypted, IDataObject, IExecuteFunctions, IPollFunctions, ILoadOptionsFunctions } from 'n8n-workflow';

/** What the transport runs in: the action node's, the trigger's or the editor's context. */
export type EnableContext = IExecuteFunctions | IPollFunctions | ILoadOptionsFunctions;

/** How a request names what it reads, so that its failures can say what to do. */
export interface RequestSubject {
	/** Display name, e.g. "Trading Partner". */
	name: string;
	/** One record in a sentence, e.g. "trading partner". */
	noun: string;
	/** Many records in a sentence, e.g. "trading partners". */
	nouns: string;
	/** The scope assumed to reach it, and whether Enable published that or we guessed it. */
	scope: string;
	scopePublished: boolean;
	/** An example id, for a message about a record that was not found. */
	sampleId?: string;
	/** The relationships asked for with `include=`, so a refusal can name them. */
	include?: readonly string[];
}

/** One GET: which page, record or job, for which input item. */
export interface EnableRequest {
	url: string;
	subject: RequestSubject;
	itemIndex: number;
	/** The `data` Enable must answer with: a list, one record, or either (a report or its job). */
	expect: 'list' | 'record' | 'any';
	/** Set for Get: the record id, so a 404 can name it. */
	recordId?: string;
	/**
	 * Epoch ms by which the request must be done (a poll's budget, a picker's wait): no wait or
	 * retry may run past it; a retry due later ends the request with a declared cause instead.
	 */
	deadline?: number;
}

export interface ResourceObject extends IDataObject {
	type: string;
	id: string;
}

export interface JsonApiDocument {
	data: ResourceObject | ResourceObject[] | null;
	included?: ResourceObject[];
	links?: { next?: string | null; self?: string | null } & IDataObject;
	meta?: IDataObject;
}

/** Waits for the rate limit of every request of one execution: a 429 pauses them all. */
export interface RateGate {
	/** Epoch milliseconds before which no request may start. */
	pausedUntil: number;
}

/**
 * The credential, decrypted once per execution, and its validated Base URL. Handing the decrypted
 * credential to every request spares n8n a decryption per page; n8n still authenticates each
 * request and stores a refreshed token, because the credential's id travels with it.
 */
export interface EnableConnection {
	baseUrl: string;
	credentials: ICredentialsDecrypted;
	/** Shared by every request of the execution, so concurrent requests honour one Retry-After. */
	gate: RateGate;
	/** The page size Enable accepted after refusing a larger default, remembered for the execution. */
	acceptedPageSize?: number;
}
