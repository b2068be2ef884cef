/**
 * Enable Trigger version 3, polled in-process as n8n polls it: every event on several collections,
 * removals, `_change`, Include Related and Simplify, Fetch Test Event, the state across restarts
 * and failed polls in each of n8n's poller models, and the state's size.
 */
/* eslint-disable no-console, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- development tooling, never published: it runs in Node, with its files, processes and console */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import type { IDataObject } from 'n8n-workflow';

import { type Model, takePage, completePass, planPass, type FeedSpec } from '../nodes/Enable/trigger/detect';
import { changeFeedSpec, CHANGE_EVENTS } from '../nodes/Enable/trigger/feeds';
import { packV3 } from '../nodes/Enable/trigger/state';
import type { ResourceObject } from '../nodes/Enable/transport/types';
import { type CollectionName, RecordStore, type ResourceObject as SimulatorRecord } from '../sandbox/data';
import { type EnableSimulator, startSimulator } from '../sandbox/simulator';
import { restoreClock, useVirtualClock } from './harness/clock';
import { backoffDelayMs, changesOf, credentialFor, type PollerModel, TestCredentialsHelper, TriggerRunner, type TriggerRunnerOptions } from './harness/n8n';

let simulator: EnableSimulator;
let helper: TestCredentialsHelper;

async function start(counts: Partial<Record<CollectionName, number>> = { deals: 30, earnings: 40, 'trading-partners': 8, users: 6, collections: 5 }, maxPageSize = 100) {
	simulator = await startSimulator({ counts, maxPageSize });
	helper = new TestCredentialsHelper(credentialFor(simulator.baseUrl));
}

beforeEach(async () => {
	await start();
});

afterEach(async () => {
	await simulator.close();
});

const feed = (parameters: IDataObject, options: TriggerRunnerOptions = {}) =>
	new TriggerRunner(helper, { resource: 'deal', event: 'anyChange', ...parameters }, 3, { poller: 'memory', ...options });

/** `created:Ab3d` for each item, in the order emitted. */

const COLLECTIONS: Array<[string, CollectionName, IDataObject]> = [
	['deal', 'deals', { notes: 'Renegotiated' }],
	['earning', 'earnings', { amount: 12_345.67 }],
	['tradingPartner', 'trading-partners', { name: 'Acme Foods Europe' }],
	['user', 'users', { enabled: false }],
	['collection', 'collections', { description: 'Renamed range' }],
];

describe('every event on several collections', () => {
	for (const [resource, path, edit] of COLLECTIONS) {
		test(`${resource}: new, new or updated, removed and any change each report what they watch, once`, async () => {
			const runners = Object.fromEntries(CHANGE_EVENTS.map((event) => [event.value, feed({ resource, event: event.value })]));
			for (const runner of Object.values(runners)) expect(await runner.activate()).toBeNull();
			const [first, second] = simulator.store.list(path);
			simulator.store.update(path, first.id, edit);
			simulator.store.remove(path, second.id);
			const added = simulator.store.add(path);
			const expected: Record<string, string[]> = {
				new: [`created:${added.id}`],
				newOrUpdated: [`updated:${first.id}`, `created:${added.id}`],
				removed: [`removed:${second.id}`],
				anyChange: [`updated:${first.id}`, `created:${added.id}`, `removed:${second.id}`],
			};
			for (const [event, runner] of Object.entries(runners)) {
				expect({ event, emitted: changesOf(await runner.tick()) }).toEqual({ event, emitted: expected[event] });
				expect(await runner.tick()).toBeNull();
			}
		});
	}
});

describe('items', () => {
	test('created and updated items are the record as the Enable node shapes it, plus _change', async () => {
		const runner = feed({ options: { include: ['tradingPartner'] } });
		await runner.activate();
		const added = simulator.store.add('deals', { reference: 'SYNC-1' });
		const [item] = (await runner.tick()) ?? [];
		const partnerId = (added.relationships?.tradingPartner?.data as { id: string }).id;
		expect(item.json).toEqual({
			id: added.id,
			...added.attributes,
			relationships: {
				tradingPartner: { id: partnerId, ...simulator.store.get('trading-partners', partnerId)?.attributes },
				owner: (added.relationships?.owner?.data as { id: string } | null)?.id ?? null,
				scheme: (added.relationships?.scheme?.data as { id: string }).id,
			},
			_change: 'created',
		});
	});

	test('a removed record is its id (and type with Simplify off), marked removed', async () => {
		const simple = feed({ event: 'removed' });
		const raw = feed({ event: 'removed', simplify: false });
		await simple.activate();
		await raw.activate();
		const gone = simulator.store.list('deals')[4];
		simulator.store.remove('deals', gone.id);
		expect((await simple.tick())?.map((item) => item.json)).toEqual([{ id: gone.id, _change: 'removed' }]);
		expect((await raw.tick())?.map((item) => item.json)).toEqual([{ id: gone.id, type: 'deals', _change: 'removed' }]);
	});

	test('Simplify off: created items are the raw JSON:API record, plus _change', async () => {
		const runner = feed({ event: 'new', simplify: false });
		await runner.activate();
		const added = simulator.store.add('deals');
		const [item] = (await runner.tick()) ?? [];
		expect(item.json).toEqual(expect.objectContaining({ type: 'deals', id: added.id, attributes: added.attributes, _change: 'created' }));
	});

	test('a record that leaves a filtered view is removed from that view, and one that enters it is new to it', async () => {
		const growth = { filters: { filter: [{ attribute: 'dealType', value: '02 - Growth Rebate' }] } };
		const runner = feed(growth);
		await runner.activate();
		const inView = simulator.store.list('deals').find((deal) => deal.attributes.dealType === '02 - Growth Rebate') as SimulatorRecord;
		const outside = simulator.store.list('deals').find((deal) => deal.attributes.dealType !== '02 - Growth Rebate') as SimulatorRecord;
		simulator.store.update('deals', inView.id, { dealType: '01 - Guaranteed Rebate' });
		simulator.store.update('deals', outside.id, { dealType: '02 - Growth Rebate' });
		expect(changesOf(await runner.tick()).sort()).toEqual([`created:${outside.id}`, `removed:${inView.id}`].sort());
		expect(simulator.requestLog.at(-1)?.query['filter[dealType]']).toBe('02 - Growth Rebate');
	});

	test('Fetch Test Event: one page read, its record marked created, nothing remembered', async () => {
		await simulator.close();
		await start({ earnings: 1234 }, 100);
		const runner = feed({ resource: 'earning', event: 'removed' });
		const sample = await runner.fetchTestEvent();
		expect(sample).toHaveLength(1);
		expect(sample?.[0].json._change).toBe('created');
		expect(simulator.totalPageRequests()).toBe(1);
		expect(runner.saved).toBe('{}');
	});

	test('Fetch Test Event with a timestamp shows the newest record, asked for newest first', async () => {
		const newest = simulator.store.add('activity', { date: '2031-05-05T05:05:05.000Z' });
		const runner = feed({ resource: 'activity', event: 'new' });
		expect((await runner.fetchTestEvent())?.map((item) => item.json.id)).toEqual([newest.id]);
		expect(simulator.requestLog.at(-1)?.query.sort).toBe('-date');
	});
});

describe('memory across polls', () => {
	test('the first poll, and the first after a change of resource, event or filters, records what exists and emits nothing', async () => {
		const runner = feed({});
		expect(await runner.activate()).toBeNull();
		simulator.store.add('deals');
		for (const changed of [{ event: 'newOrUpdated' }, { resource: 'earning' }, { filters: { filter: [{ attribute: 'postPeriod', value: '1' }] } }]) {
			const other = feed(changed);
			other.saved = runner.saved;
			expect(await other.tick()).toBeNull();
		}
	});

	test('versions 1 and 2 keep their own memory layout beside version 3', async () => {
		const legacy = new TriggerRunner(helper, { event: 'updatedDeal' }, 2);
		await legacy.activate();
		expect(Object.keys(JSON.parse(legacy.saved)['node:Enable Trigger'].enableTrigger).sort()).toEqual(['seen', 'signature']);
		const current = feed({ event: 'newOrUpdated' });
		await current.activate();
		expect(current.memory().v).toBe(3);
	});

	for (const poller of ['restart', 'memory', 'durable'] as PollerModel[]) {
		test(`${poller} poller: a failed poll emits nothing and stores nothing; the next poll reports each change once`, async () => {
			const time = useVirtualClock();
			try {
				const runner = feed({}, { poller });
				await runner.activate();
				// The durable scheduler keeps nothing of an activation poll that emitted nothing: the first scheduled poll commits the memory.
				expect(await runner.tick()).toBeNull();
				const before = runner.saved;
				const [kept, gone] = simulator.store.list('deals');
				simulator.store.update('deals', kept.id, { notes: 'changed' });
				simulator.store.remove('deals', gone.id);
				const added = simulator.store.add('deals');
				simulator.addFault({ kind: 'status', status: 400, onRequest: simulator.stats().apiRequests + 1 });
				await expect(runner.tick()).rejects.toThrow('Enable rejected the request');
				expect(runner.saved).toBe(before);
				// The durable scheduler backs off for 30 minutes after a failure with an actionable cause.
				time.advance(backoffDelayMs({ cause: 'configuration-invalid' }, 1));
				runner.crash();
				expect(changesOf(await runner.tick())).toEqual([`updated:${kept.id}`, `created:${added.id}`, `removed:${gone.id}`]);
				runner.crash();
				expect(await runner.tick()).toBeNull();
			} finally {
				restoreClock();
			}
		});
	}

	test('after a restart the memory is read back from the stored static data: nothing is reported again', async () => {
		const runner = feed({});
		await runner.activate();
		simulator.store.add('deals');
		expect(await runner.tick()).toHaveLength(1);
		const restarted = feed({});
		restarted.saved = runner.saved;
		expect(await restarted.tick()).toBeNull();
	});
});

describe('state size', () => {
	/** The memory of one complete read of `records` under `spec`, as stored. */
	function storedBytes(spec: FeedSpec, records: readonly ResourceObject[]): number {
		const model: Model = { signature: 'x' };
		const pass = planPass(spec, model, 0, true);
		for (let start = 0; start < records.length; start += 1000) takePage(spec, model, pass, records.slice(start, start + 1000));
		completePass(spec, model, pass, 0);
		return Buffer.byteLength(JSON.stringify(packV3(model)));
	}

	test('100 000 earnings: ids and 8-character prints, plus the tracked values only (reported)', () => {
		const records = new RecordStore({ earnings: 100_000, deals: 50, users: 5 }, 7).list('earnings') as unknown as ResourceObject[];
		const settings = { lookbackMinutes: 10, fullCheckHours: 24, onlyTrackedChanges: false };
		const bytes = (event: string, trackAttributes: string[] = [], timestampAttribute?: string, read = records) =>
			storedBytes(changeFeedSpec({ ...settings, event: CHANGE_EVENTS.find((entry) => entry.value === event) as never, trackAttributes, timestampAttribute }), read);
		// An audit log: one entry a minute, read newest first.
		const log = records.map((record, index) => ({ ...record, attributes: { ...(record.attributes as IDataObject), loggedAt: new Date(Date.UTC(2024, 0, 1) + index * 60_000).toISOString() } })).reverse();
		const sizes = {
			new: bytes('new'),
			removed: bytes('removed'),
			newOrUpdated: bytes('newOrUpdated'),
			anyChange: bytes('anyChange'),
			anyChangeTrackingAmount: bytes('anyChange', ['amount']),
			anyChangeTrackingThree: bytes('anyChange', ['amount', 'status', 'period']),
			newByTimestamp: bytes('new', [], 'loggedAt', log),
		};
		const perRecord = Object.fromEntries(Object.entries(sizes).map(([event, size]) => [event, Math.round((size / 100_000) * 10) / 10]));
		console.log(`Enable Trigger v3 state for 100 000 earnings, bytes per record: ${JSON.stringify(perRecord)}`);
		// The figure the docs show (npm run figures reads it).
		mkdirSync(path.join(__dirname, 'results'), { recursive: true });
		writeFileSync(path.join(__dirname, 'results', 'state-size.json'), `${JSON.stringify({ records: 100_000, bytesPerRecord: perRecord }, null, 2)}\n`);
		// Ids only (4 to 6 characters and a comma); then 8 characters of print each; tracked values add their JSON.
		expect(perRecord.new).toBeLessThan(8);
		expect(perRecord.removed).toBe(perRecord.new);
		expect(perRecord.anyChange).toBeLessThan(perRecord.new + 8.5);
		expect(perRecord.anyChangeTrackingAmount).toBeLessThan(perRecord.anyChange + 10);
		expect(perRecord.anyChangeTrackingThree).toBeLessThan(perRecord.anyChange + 32);
		// New by a timestamp keeps every id too (issue 30: a record is new once, whatever its timestamp does).
		expect(perRecord.newByTimestamp).toBeLessThan(perRecord.new + 0.1);
	});
});
