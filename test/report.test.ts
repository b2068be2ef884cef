/**
 * Report → Deal Earnings: the whole life of Enable's asynchronous job (pending → done, failed,
 * never done, cancelled) against the simulator, with a virtual clock for the waits.
 */
import type { IDataObject } from 'n8n-workflow';

import { DEAL_FILTER_KEY, VIEW_BY_KEY } from '../nodes/Enable/actions/report';
import { JOB_POLLING } from '../nodes/Enable/transport/jobs';
import { DIMENSIONS } from '../sandbox/reports';
import { DEMO_CLIENT, type EnableSimulator, type SimulatorOptions, startSimulator } from '../sandbox/simulator';
import { restoreClock, useVirtualClock, type VirtualClock } from './harness/clock';
import { credentialFor, runEnableNode, TestCredentialsHelper } from './harness/n8n';

let simulator: EnableSimulator;
let helper: TestCredentialsHelper;
let time: VirtualClock;

async function start(options: SimulatorOptions = {}) {
	simulator = await startSimulator({ counts: { deals: 12 }, ...options });
	helper = new TestCredentialsHelper(credentialFor(simulator.baseUrl, DEMO_CLIENT));
}

beforeEach(() => {
	time = useVirtualClock();
});

afterEach(async () => {
	restoreClock();
	await simulator?.close();
});

const REPORT = { resource: 'report', operation: 'dealEarnings' };
const run = async (parameters: IDataObject, onStarted?: (execution: { cancel: () => void }) => void) =>
	await runEnableNode({ helper, parameters: { ...REPORT, ...parameters }, onStarted });
const reportCalls = () => simulator.requestLog.filter((entry) => entry.path.startsWith('/v1/reports/'));

test('pending, then done: one item per row, dimension items in place of their ids', async () => {
	await start({ report: { pendingPolls: 3, pageSize: 20 } });
	const result = await run({ viewBy: ['DM01', 'DM02'] });
	expect(result.error).toBeUndefined();
	const deals = simulator.store.list('deals');
	const combinations = DIMENSIONS.DM01.items.length * DIMENSIONS.DM02.items.length;
	expect(result.items).toHaveLength(deals.length * combinations);
	expect(new Set(result.items.map((item) => item.json.id)).size).toBe(result.items.length);
	const first = result.items[0].json;
	expect(first).toEqual({
		id: 'R1',
		deal: deals[0].id,
		dealReference: deals[0].attributes.reference,
		earnings: expect.any(Number),
		currency: 'GBP',
		items: [
			{ id: 'DM01-1', name: 'Cola 330ml', dimension: 'Product', dimensionId: 'DM01' },
			{ id: 'DM02-1', name: 'London', dimension: 'Branch', dimensionId: 'DM02' },
		],
	});
	// The start, three Pending polls, the poll that redirected, then every result page.
	const paths = reportCalls().map((entry) => entry.path.split('/').slice(3, 5).join('/'));
	const pages = Math.ceil((deals.length * combinations) / 20);
	expect(paths).toEqual(['deal-earnings', ...Array(4).fill(`deal-earnings/queue-jobs`), ...Array(pages).fill('deal-earnings/results')]);
	expect(reportCalls()[0].query).toEqual({ [VIEW_BY_KEY]: 'DM01,DM02', include: 'items' });
	// Waits start at 1 s and grow.
	expect(time.sleeps).toEqual([1000, 1500, 2250, 3375]);
	expect(simulator.stats().tokenRequests).toBe(1);
});

test('no dimensions: the deal earnings as they are; a comma-separated View By from an expression works too', async () => {
	await start({ report: { pendingPolls: 0 } });
	const plain = await run({ viewBy: [] });
	expect(plain.items.map((item) => item.json.deal)).toEqual(simulator.store.list('deals').map((deal) => deal.id));
	expect(plain.items[0].json).not.toHaveProperty('items');
	const byText = await run({ viewBy: 'DM03 , DM01' });
	expect(byText.items).toHaveLength(simulator.store.list('deals').length * DIMENSIONS.DM01.items.length * DIMENSIONS.DM03.items.length);
});

test('one deal, dimension items as ids, and raw rows with their included items', async () => {
	await start({ report: { pendingPolls: 1 } });
	const deal = simulator.store.list('deals')[4];
	const ids = await run({ viewBy: ['DM02'], dealId: deal.id, includeItems: false });
	expect(reportCalls()[0].query).toEqual({ [VIEW_BY_KEY]: 'DM02', [DEAL_FILTER_KEY]: deal.id });
	expect(ids.items.map((item) => item.json.items)).toEqual([['DM02-1'], ['DM02-2'], ['DM02-3']]);
	const raw = await run({ viewBy: ['DM02'], dealId: deal.id, simplify: false });
	expect(raw.items[1].json).toEqual(
		expect.objectContaining({ type: 'deal-earnings', relationships: { items: { data: [{ type: 'dimension-items', id: 'DM02-2' }] } }, included: [expect.objectContaining({ id: 'DM02-2' })] }),
	);
});

test('a job that fails reports Enable’s detail and the job id', async () => {
	await start({ report: { pendingPolls: 1, outcome: 'failed' } });
	const result = await run({ viewBy: ['DM01'] });
	expect(result.error?.message).toMatch(/^Enable's deal earnings report failed \(job Q\w+, status "Failed"\)$/);
	expect(result.error?.description).toContain('the earnings calculation timed out');
});

test('a job that never finishes gives up after Max Wait, naming the job and the wait', async () => {
	await start({ report: { outcome: 'never' } });
	const result = await run({ viewBy: ['DM01'], options: { maxWaitMinutes: 1 } });
	expect(result.error?.message).toMatch(/^Enable's deal earnings report was not ready after 60 s \(job Q\w+, status "Pending"\)$/);
	expect(result.error?.description).toContain('Max Wait');
	expect(Math.max(...time.sleeps)).toBe(JOB_POLLING.maxDelayMs);
	expect(time.sleeps.reduce((sum, ms) => sum + ms, 0)).toBe(60_000);
	// The default waits 5 minutes.
	const byDefault = await run({ viewBy: [] });
	expect(byDefault.error?.message).toContain('was not ready after 5 min');
});

test('cancelling the execution stops the polling at once', async () => {
	await start({ report: { outcome: 'never' } });
	let cancel = () => {};
	time.onSleep = (count) => {
		if (count === 3) cancel();
	};
	const result = await run({ viewBy: ['DM01'] }, (execution) => (cancel = execution.cancel));
	// The run ended as cancelled: the node's cancellation, not another error, and no records.
	expect(result.error?.message).toBe('The execution was cancelled');
	expect(result.items).toEqual([]);
	expect(time.sleeps).toHaveLength(3);
	const polls = simulator.stats().reportRequests.poll ?? 0;
	expect(polls).toBeLessThanOrEqual(2);
});

test('a bad dimension id is Enable’s 400, shown with its words', async () => {
	await start();
	const result = await run({ viewBy: ['DM09'] });
	expect(result.error?.message).toBe('Enable rejected the request: Invalid dimension');
	expect(result.error?.description).toContain('"DM09" is not a dimension id');
});

test('a job link to another host is not followed', async () => {
	await start({ absoluteLinks: true });
	const result = await runEnableNode({
		helper: new TestCredentialsHelper(credentialFor(simulator.baseUrl.replace('127.0.0.1', 'localhost'), DEMO_CLIENT)),
		parameters: { ...REPORT, viewBy: [] },
	});
	expect(result.error?.message).toBe('Enable sent a link to another host');
});
