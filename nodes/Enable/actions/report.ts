/**
 * Report → Deal Earnings: Enable computes it as an asynchronous job (transport/jobs.ts waits for
 * it), and the result may be paged. One output item per report row.
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { concurrencyOption, type Show } from '../descriptions';
import { type EnableCollection, type EnableReportOperation, findCollection, REPORTS } from '../resources';
import { flattenRow, withIncluded } from '../simplify';
import { awaitJobResult } from '../transport/jobs';
import { buildQuery, collectIncluded, type IncludedIndex, once, readPages } from '../transport/paging';
import type { EnableConnection, ResourceObject } from '../transport/types';
import { validateMaxWaitMinutes, validateRecordId, validateViewBy } from '../validation';
import { capForTool, runsAsTool } from './tool';

/**
 * The query key of the report's dimensions. Enable's guide writes `viewBy[dimension]` in its syntax
 * line and `viewBy[dimensions]` in its example URL: should the real API want the other, change it here.
 */
export const VIEW_BY_KEY = 'viewBy[dimension]';

/** How the report is narrowed to one deal: not shown in Enable's guide, so assumed. */
export const DEAL_FILTER_KEY = 'filter[deal]';

export const DEFAULT_MAX_WAIT_MINUTES = 5;

export type ReportOperation = (
	context: IExecuteFunctions,
	connection: () => Promise<EnableConnection>,
	report: EnableReportOperation,
	itemIndex: number,
) => Promise<IDataObject[]>;

export const dealEarnings: ReportOperation = async (context, connection, report, itemIndex) => {
	const node = context.getNode();
	const viewBy = validateViewBy(node, context.getNodeParameter('viewBy', itemIndex, []), itemIndex);
	const includeItems = context.getNodeParameter('includeItems', itemIndex, true) as boolean;
	const rawDealId = String(context.getNodeParameter('dealId', itemIndex, '') ?? '').trim();
	const dealId = rawDealId ? validateRecordId(node, findCollection('deal') as EnableCollection, rawDealId, itemIndex) : undefined;
	const options = context.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const maxWaitMinutes = validateMaxWaitMinutes(node, options.maxWaitMinutes ?? DEFAULT_MAX_WAIT_MINUTES, itemIndex);
	const simplify = context.getNodeParameter('simplify', itemIndex, true) as boolean;

	const pairs: Array<[string, string]> = [];
	if (viewBy.length) pairs.push([VIEW_BY_KEY, viewBy.join(',')]);
	if (includeItems) pairs.push(['include', 'items']);
	if (dealId) pairs.push([DEAL_FILTER_KEY, dealId]);
	const open = await connection();
	const url = `${open.baseUrl}/v1/${report.path}${pairs.length ? `?${buildQuery(pairs)}` : ''}`;
	const request = {
		url,
		itemIndex,
		expect: 'any' as const,
		subject: { name: report.name, noun: `${report.name.toLowerCase()} report`, nouns: `${report.name.toLowerCase()} reports`, scope: report.scope, scopePublished: report.scopePublished },
	};
	const { document, url: resultUrl } = await awaitJobResult(context, open, request, `${report.name.toLowerCase()} report`, maxWaitMinutes * 60_000);

	const rows: ResourceObject[] = [];
	const included: IncludedIndex = new Map();
	if (Array.isArray(document.data)) {
		const take = once((row) => rows.push(row) > 0);
		await readPages(context, open, { document, url: resultUrl, subject: request.subject }, { itemIndex, included }, (page) => take(page.records));
	} else if (document.data) {
		collectIncluded(document, included);
		rows.push(document.data);
	}
	const shaped = rows.map((row) => (simplify ? flattenRow(row, included) : withIncluded(row, included)));
	return runsAsTool(context) ? capForTool(shaped, 'report rows') : shaped;
};

export const REPORT_OPERATIONS: Record<string, ReportOperation> = { dealEarnings };

// Its parameters.

export const reportOperationProperty: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: [REPORTS.value] } },
	options: REPORTS.operations.map(({ name, value, description }) => ({
		name,
		value,
		description,
		action: `Run the ${name.toLowerCase()} report`,
	})),
	default: 'dealEarnings',
};

const reportShow: Show = { resource: [REPORTS.value], operation: ['dealEarnings'] };

export const reportProperties: INodeProperties[] = [
	{
		displayName: 'View By',
		name: 'viewBy',
		type: 'string',
		typeOptions: { multipleValues: true, multipleValueButtonText: 'Add Dimension' },
		default: [],
		placeholder: 'Dimension ID',
		description:
			"IDs of Enable's dimensions (from its dimensions endpoint) to break the earnings down by, such as products or branches. None returns the deal earnings as they are. An expression may give a list or IDs separated by commas.",
		displayOptions: { show: reportShow },
	},
	{
		displayName: 'Include Dimension Items',
		name: 'includeItems',
		type: 'boolean',
		default: true,
		description: 'Whether to return the dimension items (products, branches, ...) of each row with it instead of their IDs',
		displayOptions: { show: reportShow },
	},
	{
		displayName: 'Deal ID',
		name: 'dealId',
		type: 'string',
		default: '',
		placeholder: 'Hg7f',
		description: "Only this deal's earnings. Empty reports every deal.",
		displayOptions: { show: reportShow },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: reportShow },
		options: [
			{
				displayName: 'Max Wait (Minutes)',
				name: 'maxWaitMinutes',
				type: 'number',
				typeOptions: { minValue: 0.1, maxValue: 1440, numberPrecision: 1 },
				default: DEFAULT_MAX_WAIT_MINUTES,
				description: 'How long to wait for Enable to compute the report before stopping with an error',
			},
			concurrencyOption,
		],
	},
];


