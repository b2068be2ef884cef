/**
 * The Enable Trigger polled in-process as n8n polls it, with records added and changed between
 * polls through the simulator's admin interface. Static data is kept as n8n's database keeps it:
 * saved at activation and after a poll that emits, never after an empty poll.
 */
/* eslint-disable no-console -- development tooling, never published: it runs in Node, with its files, processes and console */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { fingerprint } from '../nodes/Enable/trigger/detect';
import { OTHER_ATTRIBUTE } from '../nodes/Enable/validation';
import { type EnableSimulator, startSimulator } from '../sandbox/simulator';
import { credentialFor, TestCredentialsHelper, TriggerRunner } from './harness/n8n';

let simulator: EnableSimulator;
let helper: TestCredentialsHelper;

beforeEach(async () => {
	simulator = await startSimulator({ counts: { deals: 40, activity: 30, users: 5 } });
	helper = new TestCredentialsHelper(credentialFor(simulator.baseUrl));
});

afterEach(async () => {
	await simulator.close();
});

const ids = (items: INodeExecutionData[] | null) => (items ?? []).map((item) => item.json.id);
const trigger = (event: string, extra: IDataObject = {}) => new TriggerRunner(helper, { event, ...extra });
/** The trigger's state inside the saved static data (n8n keys node data as "node:<name>"). */
const savedState = (runner: TriggerRunner) =>
	(Object.values(JSON.parse(runner.saved) as Record<string, { enableTrigger: IDataObject }>)[0]?.enableTrigger ?? {}) as IDataObject;

describe('New Deal', () => {
	test('the first poll is silent; new deals are emitted once each, oldest first', async () => {
		const runner = trigger('newDeal');
		expect(await runner.activate()).toBeNull();
		expect(await runner.tick()).toBeNull();
		const first = simulator.store.add('deals', { reference: 'NEW-1' });
		const second = simulator.store.add('deals', { reference: 'NEW-2' });
		const emitted = await runner.tick();
		expect(ids(emitted)).toEqual([first.id, second.id]);
		expect(emitted?.[0].json).toEqual(expect.objectContaining({ id: first.id, reference: 'NEW-1' }));
		expect(await runner.tick()).toBeNull();
		const third = simulator.store.add('deals', { reference: 'NEW-3' });
		expect(ids(await runner.tick())).toEqual([third.id]);
		expect(await runner.tick()).toBeNull();
	});

	test('a changed deal is not a new deal', async () => {
		const runner = trigger('newDeal');
		await runner.activate();
		simulator.store.update('deals', simulator.store.list('deals')[3].id, { notes: 'changed' });
		expect(await runner.tick()).toBeNull();
	});

	test('filters apply to the polled collection', async () => {
		const runner = trigger('newDeal', { filters: { filter: [{ attribute: 'dealType', value: '02 - Growth Rebate' }] } });
		await runner.activate();
		simulator.store.add('deals', { dealType: '01 - Guaranteed Rebate' });
		const wanted = simulator.store.add('deals', { dealType: '02 - Growth Rebate' });
		expect(ids(await runner.tick())).toEqual([wanted.id]);
		expect(simulator.requestLog.at(-1)?.query['filter[dealType]']).toBe('02 - Growth Rebate');
	});

	test('Simplify off emits the raw JSON:API resource object', async () => {
		const runner = trigger('newDeal', { simplify: false });
		await runner.activate();
		const added = simulator.store.add('deals');
		const [item] = (await runner.tick()) ?? [];
		expect(item.json).toEqual(expect.objectContaining({ type: 'deals', id: added.id, attributes: added.attributes }));
	});
});

describe('New or Updated Deal', () => {
	test('a changed deal is emitted once, and so is a new one', async () => {
		const runner = trigger('updatedDeal');
		expect(await runner.activate()).toBeNull();
		const changed = simulator.store.list('deals')[7];
		simulator.store.update('deals', changed.id, { notes: 'Renegotiated' });
		const added = simulator.store.add('deals');
		const emitted = await runner.tick();
		expect(ids(emitted)).toEqual([changed.id, added.id]);
		expect(emitted?.[0].json.notes).toBe('Renegotiated');
		expect(await runner.tick()).toBeNull();
		// Changing it back is a change too.
		simulator.store.update('deals', changed.id, { notes: 'Original' });
		expect(ids(await runner.tick())).toEqual([changed.id]);
	});

	test('nothing changed: nothing emitted, however often it polls', async () => {
		const runner = trigger('updatedDeal');
		await runner.activate();
		for (let i = 0; i < 3; i++) expect(await runner.tick()).toBeNull();
	});
});

describe('New Activity', () => {
	test('entries after the watermark are emitted oldest first, and ties at the watermark are not lost', async () => {
		const runner = trigger('newActivity');
		await runner.activate();
		const watermark = savedState(runner).watermark as string;
		const later = simulator.store.add('activity', { date: '2030-01-01T10:00:00.000Z', action: 'Approved' });
		const earlier = simulator.store.add('activity', { date: '2030-01-01T09:00:00.000Z', action: 'Created' });
		const tie = simulator.store.add('activity', { date: watermark, action: 'Exported' });
		expect(ids(await runner.tick())).toEqual([tie.id, earlier.id, later.id]);
		expect(await runner.tick()).toBeNull();
		const sameSecond = simulator.store.add('activity', { date: '2030-01-01T10:00:00.000Z', action: 'Claimed' });
		expect(ids(await runner.tick())).toEqual([sameSecond.id]);
		expect(await runner.tick()).toBeNull();
	});

	test('the watermark follows new entries read in several pages: the state stays the ids at it', async () => {
		simulator.configure({ maxPageSize: 10 });
		const runner = trigger('newActivity');
		await runner.activate();
		for (let minute = 0; minute < 12; minute++) {
			const entry = simulator.store.add('activity', { date: new Date(Date.now() - (20 - minute) * 60_000).toISOString() });
			expect(ids(await runner.tick())).toEqual([entry.id]);
		}
		expect((savedState(runner).idsAtWatermark as string[]).length).toBe(1);
	});

	test('the state holds a watermark and the ids at it, not every id', async () => {
		const runner = trigger('newActivity');
		await runner.activate();
		const state = savedState(runner);
		expect(Object.keys(state).sort()).toEqual(['idsAtWatermark', 'signature', 'watermark']);
		expect((state.idsAtWatermark as string[]).length).toBe(1);
	});
});

describe('state and failures', () => {
	test('a failed poll emits nothing and changes no state; the next poll catches up', async () => {
		const runner = trigger('newDeal');
		await runner.activate();
		const before = runner.saved;
		const added = simulator.store.add('deals');
		simulator.addFault({ kind: 'status', status: 400, onRequest: simulator.stats().apiRequests + 1 });
		await expect(runner.tick()).rejects.toThrow('Enable rejected the request');
		expect(runner.saved).toBe(before);
		expect(ids(await runner.tick())).toEqual([added.id]);
	});

	test('a 403 (scope removed) fails the poll without touching the state', async () => {
		const runner = trigger('newActivity');
		await runner.activate();
		const before = runner.saved;
		helper.stored.set('cred-1', { ...helper.data(), scopes: ['read:deals'], accessToken: '' });
		await expect(runner.tick()).rejects.toThrow('The Enable credential lacks the read:activity scope');
		expect(runner.saved).toBe(before);
	});

	test('the state survives a restart: it is plain JSON in the static data', async () => {
		const runner = trigger('updatedDeal');
		await runner.activate();
		const restarted = trigger('updatedDeal');
		restarted.saved = JSON.parse(JSON.stringify(runner.saved)) as string;
		const deal = simulator.store.list('deals')[0];
		simulator.store.update('deals', deal.id, { postPeriod: 99 });
		expect(ids(await restarted.tick())).toEqual([deal.id]);
	});

	test('version 2: a listed attribute and an Other name filter the polled collection', async () => {
		for (const filter of [
			{ attribute: 'dealType', value: '02 - Growth Rebate' },
			{ attribute: OTHER_ATTRIBUTE, otherAttribute: 'dealType', value: '02 - Growth Rebate' },
		]) {
			simulator.resetStats();
			const runner = new TriggerRunner(helper, { event: 'newDeal', filters: { filter: [filter] } }, 2);
			await runner.activate();
			simulator.store.add('deals', { reference: 'OTHER-TYPE', dealType: '01 - Guaranteed Rebate' });
			const growth = simulator.store.add('deals', { reference: 'GROWTH', dealType: '02 - Growth Rebate' });
			expect(ids(await runner.tick())).toEqual([growth.id]);
			expect(simulator.requestLog.find((entry) => entry.path === '/v1/deals')?.query).toEqual(expect.objectContaining({ 'filter[dealType]': '02 - Growth Rebate' }));
		}
	});

	test('changing the event or the filters starts afresh, silently', async () => {
		const runner = trigger('newDeal');
		await runner.activate();
		simulator.store.add('deals');
		const refiltered = trigger('newDeal', { filters: { filter: [{ attribute: 'postPeriod', value: '1' }] } });
		refiltered.saved = runner.saved;
		expect(await refiltered.tick()).toBeNull();
	});

	test('Fetch Test Event returns the most recent record and remembers nothing', async () => {
		const runner = trigger('newActivity');
		const newest = simulator.store.add('activity', { date: '2031-05-05T05:05:05.000Z' });
		simulator.store.add('activity', { date: '2020-01-01T00:00:00.000Z' });
		expect(ids(await runner.fetchTestEvent())).toEqual([newest.id]);
		expect(runner.saved).toBe('{}');
		const deals = trigger('newDeal');
		expect(ids(await deals.fetchTestEvent())).toEqual([simulator.store.list('deals').at(-1)?.id]);
	});

	test('Fetch Test Event reads one page, whatever the size of the collection (issue 14)', async () => {
		await simulator.close();
		simulator = await startSimulator({ counts: { deals: 1234 }, maxPageSize: 100 });
		helper = new TestCredentialsHelper(credentialFor(simulator.baseUrl));
		const deals = new TriggerRunner(helper, { event: 'newDeal' });
		const sample = await deals.fetchTestEvent();
		expect(sample).toHaveLength(1);
		expect(simulator.totalPageRequests()).toBe(1);
		expect(runnerSavedNothing(deals)).toBe(true);
	});

	test('fingerprints are short and change with the content', () => {
		const deal = simulator.store.list('deals')[0] as unknown as Parameters<typeof fingerprint>[0];
		const print = fingerprint(deal);
		expect(print).toHaveLength(8);
		expect(fingerprint({ ...deal, attributes: { ...(deal.attributes as IDataObject), notes: 'x' } })).not.toBe(print);
	});
});

test('10 000 deals: state size per event, reported', async () => {
	await simulator.close();
	simulator = await startSimulator({ counts: { deals: 10_000, activity: 10_000, users: 5 }, maxPageSize: 100 });
	helper = new TestCredentialsHelper(credentialFor(simulator.baseUrl));
	const sizes: Record<string, number> = {};
	for (const event of ['newDeal', 'updatedDeal', 'newActivity']) {
		const runner = trigger(event);
		await runner.activate();
		sizes[event] = Buffer.byteLength(runner.saved);
	}
	const added = simulator.store.add('deals');
	const runner = trigger('newDeal');
	await runner.activate();
	simulator.store.add('deals');
	expect((await runner.tick())?.length).toBe(1);
	expect(added.id).toBeDefined();
	console.log(`Enable Trigger state for 10 000 records: ${JSON.stringify(sizes)} bytes`);
	expect(sizes.newDeal).toBeLessThan(10_000 * 8);
	expect(sizes.updatedDeal).toBeLessThan(10_000 * 16);
	expect(sizes.newActivity).toBeLessThan(1_000);
}, 60_000);

function runnerSavedNothing(runner: TriggerRunner): boolean {
	return runner.saved === '{}';
}
