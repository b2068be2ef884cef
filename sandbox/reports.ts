/**
 * The simulator's asynchronous deal-earnings report, as Enable's "Asynchronous and reporting
 * endpoints" guide describes it: the first answer is a `queue-jobs` resource; its `links.self`
 * answers Pending for a configurable number of polls, then redirects (303) to the result, which is
 * paged. Faults: a job that fails, a job that never finishes. `/v1/dimensions` lists the dimension
 * ids `viewBy` accepts.
 */
import type { RecordStore, ResourceObject } from './data';

export interface ReportJobOptions {
	/** Polls answered Pending before the job completes (default 2). */
	pendingPolls?: number;
	/** How the job ends: with a result (default), with a failure, or never. */
	outcome?: 'done' | 'failed' | 'never';
	/** Rows per result page (default 50). */
	pageSize?: number;
	/** The query key read for dimensions; the other spelling is refused with 400. */
	viewByKey?: 'viewBy[dimension]' | 'viewBy[dimensions]';
}

export interface ReportAnswer {
	status: number;
	body?: unknown;
	location?: string;
	/** Which report counter this request adds to. */
	counter?: 'start' | 'poll' | 'result' | 'dimensions';
}

interface Job {
	id: string;
	pollsLeft: number;
	outcome: 'done' | 'failed' | 'never';
	rows: ResourceObject[];
	includeItems: boolean;
}

export const DIMENSIONS: Record<string, { name: string; items: string[] }> = {
	DM01: { name: 'Product', items: ['Cola 330ml', 'Orange Juice 1l', 'Crisps Salted', 'Oat Biscuits'] },
	DM02: { name: 'Branch', items: ['London', 'Leeds', 'Bristol'] },
	DM03: { name: 'Region', items: ['North', 'South'] },
};

const ITEM_TYPE = 'dimension-items';

/** The dimension item records, by id: DM01-1 is the first product, and so on. */
function dimensionItem(id: string): ResourceObject | undefined {
	const [dimensionId, position] = id.split('-');
	const dimension = DIMENSIONS[dimensionId];
	const name = dimension?.items[Number(position) - 1];
	if (!dimension || !name) return undefined;
	return { type: ITEM_TYPE, id, attributes: { name, dimension: dimension.name, dimensionId } };
}

/** A stable amount from the ids it is for. */
function amountFor(key: string): number {
	let hash = 2166136261;
	for (const char of key) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0;
	return Math.round((hash % 5_000_000) + 1000) / 100;
}

function error(status: number, code: string, title: string, detail: string, parameter?: string) {
	return { errors: [{ status: String(status), code, title, detail, ...(parameter ? { source: { parameter } } : {}) }] };
}

export class ReportJobs {
	private options: Required<ReportJobOptions>;

	private readonly jobs = new Map<string, Job>();

	private sequence = 0;

	constructor(
		private readonly store: RecordStore,
		options: ReportJobOptions = {},
	) {
		this.options = { pendingPolls: 2, outcome: 'done', pageSize: 50, viewByKey: 'viewBy[dimension]', ...options };
	}

	configure(options: ReportJobOptions): void {
		this.options = { ...this.options, ...options };
	}

	/** The rows the report has for these dimensions and deal: one per deal and combination of items. */
	rowsFor(dimensionIds: string[], dealId?: string): ResourceObject[] {
		const deals = this.store.list('deals').filter((deal) => dealId === undefined || deal.id === dealId);
		let combinations: string[][] = [[]];
		for (const dimensionId of dimensionIds) {
			const items = DIMENSIONS[dimensionId].items.map((_, index) => `${dimensionId}-${index + 1}`);
			combinations = combinations.flatMap((combination) => items.map((item) => [...combination, item]));
		}
		const rows: ResourceObject[] = [];
		for (const deal of deals) {
			for (const combination of combinations) {
				const key = [deal.id, ...combination].join('/');
				const row: ResourceObject = {
					type: 'deal-earnings',
					id: `R${rows.length + 1}`,
					attributes: { deal: deal.id, dealReference: deal.attributes.reference, earnings: amountFor(key), currency: 'GBP' },
				};
				if (combination.length) row.relationships = { items: { data: combination.map((id) => ({ type: ITEM_TYPE, id })) } };
				rows.push(row);
			}
		}
		return rows;
	}

	handle(url: URL, link: (path: string) => string): ReportAnswer {
		const parts = url.pathname.split('/').filter(Boolean); // v1, reports, deal-earnings, ...
		if (parts[1] === 'dimensions' && parts.length === 2) {
			return {
				status: 200,
				counter: 'dimensions',
				body: {
					data: Object.entries(DIMENSIONS).map(([id, dimension]) => ({ type: 'dimensions', id, attributes: { name: dimension.name } })),
					links: { self: link('/v1/dimensions') },
				},
			};
		}
		if (parts[2] !== 'deal-earnings') return { status: 404, body: error(404, 'not_found', 'Not Found', `No report at ${url.pathname}.`) };
		if (parts.length === 3) return this.start(url, link);
		const job = this.jobs.get(parts[4] ?? '');
		if (!job || parts.length !== 5) return { status: 404, body: error(404, 'not_found', 'Not Found', `No report job at ${url.pathname}.`) };
		if (parts[3] === 'queue-jobs') return this.poll(job, link);
		if (parts[3] === 'results') return this.result(job, url, link);
		return { status: 404, body: error(404, 'not_found', 'Not Found', `No route ${url.pathname}.`) };
	}

	private start(url: URL, link: (path: string) => string): ReportAnswer {
		const params = url.searchParams;
		const otherKey = this.options.viewByKey === 'viewBy[dimension]' ? 'viewBy[dimensions]' : 'viewBy[dimension]';
		if (params.has(otherKey)) {
			return { status: 400, body: error(400, 'invalid_parameter', 'Invalid parameter', `Unknown parameter ${otherKey}.`, otherKey) };
		}
		const dimensionIds = (params.get(this.options.viewByKey) ?? '').split(',').filter(Boolean);
		const unknown = dimensionIds.find((id) => !DIMENSIONS[id]);
		if (unknown) {
			return { status: 400, body: error(400, 'invalid_dimension', 'Invalid dimension', `"${unknown}" is not a dimension id.`, this.options.viewByKey) };
		}
		const include = params.get('include');
		if (include && include !== 'items') {
			return { status: 400, body: error(400, 'invalid_include', 'Invalid include', `"${include}" is not a relationship of deal-earnings.`, 'include') };
		}
		const dealId = params.get('filter[deal]') ?? undefined;
		if (dealId !== undefined && !this.store.get('deals', dealId)) {
			return { status: 400, body: error(400, 'invalid_filter', 'Invalid filter', `No deal with id "${dealId}".`, 'filter[deal]') };
		}
		const id = `Q${(++this.sequence).toString(36).padStart(3, '0')}`;
		const job: Job = {
			id,
			pollsLeft: this.options.pendingPolls,
			outcome: this.options.outcome,
			rows: this.rowsFor(dimensionIds, dealId),
			includeItems: include === 'items',
		};
		this.jobs.set(id, job);
		return { status: 202, counter: 'start', body: this.jobDocument(job, 'Pending', link) };
	}

	private jobDocument(job: Job, status: string, link: (path: string) => string, detail?: string) {
		const self = link(`/v1/reports/deal-earnings/queue-jobs/${job.id}`);
		return {
			data: { type: 'queue-jobs', id: job.id, attributes: { status, ...(detail ? { detail } : {}) }, links: { self } },
			links: { self },
		};
	}

	private poll(job: Job, link: (path: string) => string): ReportAnswer {
		if (job.outcome === 'never' || job.pollsLeft > 0) {
			job.pollsLeft--;
			return { status: 200, counter: 'poll', body: this.jobDocument(job, 'Pending', link) };
		}
		if (job.outcome === 'failed') {
			return { status: 200, counter: 'poll', body: this.jobDocument(job, 'Failed', link, 'The report could not be computed: the earnings calculation timed out.') };
		}
		// The redirect is a path, as the guide's links are.
		return { status: 303, counter: 'poll', location: `/v1/reports/deal-earnings/results/${job.id}` };
	}

	private result(job: Job, url: URL, link: (path: string) => string): ReportAnswer {
		if (job.outcome !== 'done' || job.pollsLeft > 0) {
			return { status: 404, body: error(404, 'not_found', 'Not Found', `Job ${job.id} has no result yet.`) };
		}
		const cursor = Number(url.searchParams.get('page[cursor]') ?? '0');
		const size = this.options.pageSize;
		const page = job.rows.slice(cursor, cursor + size);
		const path = `/v1/reports/deal-earnings/results/${job.id}`;
		const links: Record<string, string> = { self: link(cursor ? `${path}?page[cursor]=${cursor}` : path) };
		if (cursor + size < job.rows.length) links.next = link(`${path}?page[cursor]=${cursor + size}`);
		const body: Record<string, unknown> = { data: page, links, meta: { total: job.rows.length } };
		if (job.includeItems) {
			const ids = new Set(page.flatMap((row) => ((row.relationships?.items?.data ?? []) as Array<{ id: string }>).map((item) => item.id)));
			body.included = [...ids].map((id) => dimensionItem(id)).filter(Boolean);
		}
		return { status: 200, counter: 'result', body };
	}
}
