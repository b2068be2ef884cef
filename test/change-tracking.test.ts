/**
 * What changed (Enable Trigger version 3, Track Attributes): each updated item says which tracked
 * attributes changed (`_changed`, "other" for anything else) and what they were (`_previous`);
 * Only Tracked Changes drops the rest, which still becomes the baseline.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { type EnableSimulator, startSimulator } from '../sandbox/simulator';
import { credentialFor, TestCredentialsHelper, TriggerRunner } from './harness/n8n';

let simulator: EnableSimulator;
let helper: TestCredentialsHelper;

beforeEach(async () => {
	simulator = await startSimulator({ counts: { earnings: 20, deals: 10, users: 4 } });
	helper = new TestCredentialsHelper(credentialFor(simulator.baseUrl));
});

afterEach(async () => {
	await simulator.close();
});

function earnings(options: IDataObject, event = 'anyChange'): TriggerRunner {
	return new TriggerRunner(helper, { resource: 'earning', event, options }, 3, { poller: 'memory' });
}

const first = () => simulator.store.list('earnings')[0];
const what = (items: INodeExecutionData[] | null) =>
	(items ?? []).map(({ json }) => ({ id: json.id, _change: json._change, _changed: json._changed, _previous: json._previous }));

test('a tracked attribute that changed: named, with its previous value', async () => {
	const runner = earnings({ trackAttributes: ['amount', 'status'] });
	await runner.activate();
	const earning = first();
	const before = earning.attributes.amount;
	simulator.store.update('earnings', earning.id, { amount: 13_550 });
	const items = await runner.tick();
	expect(what(items)).toEqual([{ id: earning.id, _change: 'updated', _changed: ['amount'], _previous: { amount: before } }]);
	expect(items?.[0].json.amount).toBe(13_550);
	// The new value is the baseline now: nothing more to say.
	expect(await runner.tick()).toBeNull();
});

test('an untracked change is "other", with no previous values', async () => {
	const runner = earnings({ trackAttributes: ['amount'] });
	await runner.activate();
	simulator.store.update('earnings', first().id, { currency: 'EUR' });
	expect(what(await runner.tick())).toEqual([{ id: first().id, _change: 'updated', _changed: ['other'], _previous: {} }]);
});

test('mixed changes: the tracked ones in the order given, then "other"', async () => {
	const runner = earnings({ trackAttributes: ['status', 'amount'] });
	await runner.activate();
	const { amount, status } = first().attributes;
	simulator.store.update('earnings', first().id, { amount: 1, status: 'Reversed', currency: 'USD' });
	expect(what(await runner.tick())).toEqual([{ id: first().id, _change: 'updated', _changed: ['status', 'amount', 'other'], _previous: { status, amount } }]);
});

test('a relationship that changed is "other" too', async () => {
	const runner = earnings({ trackAttributes: ['amount'] });
	await runner.activate();
	const earning = first();
	earning.relationships = { ...earning.relationships, deal: { data: { type: 'deals', id: simulator.store.list('deals')[3].id } } };
	expect(what(await runner.tick())).toEqual([{ id: earning.id, _change: 'updated', _changed: ['other'], _previous: {} }]);
});

test('Only Tracked Changes: an untracked update is not emitted and never reported later', async () => {
	const runner = earnings({ trackAttributes: ['amount', 'status'], onlyTrackedChanges: true });
	await runner.activate();
	const earning = first();
	simulator.store.update('earnings', earning.id, { currency: 'EUR' });
	expect(await runner.tick()).toBeNull();
	const before = earning.attributes.amount;
	simulator.store.update('earnings', earning.id, { amount: 99.5 });
	// Only the amount: the currency change became the baseline when it was seen.
	expect(what(await runner.tick())).toEqual([{ id: earning.id, _change: 'updated', _changed: ['amount'], _previous: { amount: before } }]);
	// A change of both is emitted, naming both.
	simulator.store.update('earnings', earning.id, { status: 'Paid', currency: 'GBP' });
	expect((await runner.tick())?.[0].json._changed).toEqual(['status', 'other']);
});

test('a tracked attribute that appears, then disappears', async () => {
	const runner = earnings({ trackAttributes: ['claimReference', 'amount'] });
	await runner.activate();
	const earning = first();
	simulator.store.update('earnings', earning.id, { claimReference: 'CL-7' });
	expect(what(await runner.tick())).toEqual([{ id: earning.id, _change: 'updated', _changed: ['claimReference'], _previous: { claimReference: null } }]);
	simulator.store.update('earnings', earning.id, { claimReference: undefined });
	expect(what(await runner.tick())).toEqual([{ id: earning.id, _change: 'updated', _changed: ['claimReference'], _previous: { claimReference: 'CL-7' } }]);
	// A tracked value of null is a value: absent → null is a change, null → null is not.
	simulator.store.update('earnings', earning.id, { claimReference: null });
	expect((await runner.tick())?.[0].json._changed).toEqual(['claimReference']);
	simulator.store.update('earnings', earning.id, { claimReference: null });
	expect(await runner.tick()).toBeNull();
});

test('created and removed items carry neither _changed nor _previous', async () => {
	const runner = earnings({ trackAttributes: ['amount'] });
	await runner.activate();
	const gone = first();
	simulator.store.remove('earnings', gone.id);
	const added = simulator.store.add('earnings');
	const items = (await runner.tick()) ?? [];
	expect(items.map(({ json }) => json._change)).toEqual(['created', 'removed']);
	for (const { json } of items) {
		expect(json).not.toHaveProperty('_changed');
		expect(json).not.toHaveProperty('_previous');
	}
	expect(items.map(({ json }) => json.id)).toEqual([added.id, gone.id]);
});

test('New or Updated tracks too; New and Removed ignore Track Attributes', async () => {
	const updates = earnings({ trackAttributes: ['amount'] }, 'newOrUpdated');
	const news = earnings({ trackAttributes: ['amount'] }, 'new');
	await updates.activate();
	await news.activate();
	simulator.store.update('earnings', first().id, { amount: 5 });
	expect((await updates.tick())?.[0].json._changed).toEqual(['amount']);
	expect(await news.tick()).toBeNull();
	expect(Object.keys(news.memory())).not.toContain('tv');
});

test('the memory holds the tracked values, never whole records', async () => {
	const runner = earnings({ trackAttributes: ['amount', 'status'] });
	await runner.activate();
	const memory = runner.memory();
	const records = simulator.store.list('earnings');
	expect(memory.tv).toEqual([records.map((record) => record.attributes.amount), records.map((record) => record.attributes.status)]);
	const text = JSON.stringify(memory);
	for (const record of records) expect(text).not.toContain(String(record.attributes.calculatedAt));
});
