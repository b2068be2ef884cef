/**
 * `npm run e2e:editor`: what a new user sees in n8n 2.x's editor, driven in headless Chromium
 * (Debian's package, installed with apt-get when missing, as root or through `sudo -n`; GitHub's
 * Ubuntu runners already have /usr/bin/chromium; CHROMIUM names another binary) by playwright-core. Builds a workflow
 * through the UI: the node panel, the Enable Trigger with a credential created in its dialog
 * (no scope or a wrong secret → what to fix; right values → success; a wrong secret typed over the
 * saved one → the error again; a busy token endpoint → said at once), Fetch Test Event, then
 * Enable → Get many deals executed with its rows shown, its Filters (a listed attribute and
 * Other), and Get a deal picked From List with a search.
 * Writes docs/screenshots/{node-panel,credential-dialog,output,resource-locator}.png, which the README shows.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions, no-console -- development tooling, never published: it runs in Node, with its files, processes and console */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { chromium, type Locator, type Page } from 'playwright-core';

import { DEMO_CLIENT, type EnableSimulator, startSimulator } from '../sandbox/simulator';
import { assert, check, finish, whenACheckFails } from './lib/checks';
import { ensureN8n, HostError } from './lib/host';
import { N8nInstance, PACKAGE_ROOT, packPackage } from './lib/instance';
import { aptInstall } from './lib/services';

const SCREENSHOTS = path.join(PACKAGE_ROOT, 'docs', 'screenshots');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';



function ensureChromium(): void {
	if (spawnSync(CHROMIUM, ['--version'], { stdio: 'ignore' }).status === 0) return;
	if (process.env.CHROMIUM) throw new HostError(`CHROMIUM=${CHROMIUM} does not run (--version failed)`);
	aptInstall(['chromium']);
	if (spawnSync(CHROMIUM, ['--version'], { stdio: 'ignore' }).status !== 0) throw new HostError(`${CHROMIUM} does not run after apt-get install chromium`);
}

const byTestId = (page: Page, id: string) => page.locator(`[data-test-id="${id}"]`);

async function credentialDialogText(page: Page): Promise<string> {
	const modal = byTestId(page, 'editCredential-modal');
	const more = modal.getByText('More details');
	if (await more.count()) await more.first().click();
	return await modal.innerText();
}

/** Adds an Enable action after the selected node, from the canvas "+" and the node panel's search. */
async function addEnableAction(page: Page, action: string): Promise<void> {
	await byTestId(page, 'node-creator-plus-button').click();
	await byTestId(page, 'node-creator-search-bar').waitFor();
	await page.waitForTimeout(500);
	await page.keyboard.type('Enable');
	await byTestId(page, 'node-creator-item-name').filter({ hasText: /^Enable$/ }).first().click();
	await byTestId(page, 'node-creator').getByText(action, { exact: true }).click();
}

/**
 * Opens a dropdown and waits for one of its entries. Its entries are read from Enable when it
 * opens; a click while the panel is still settling may not open it, so it is clicked again.
 */
async function openList(page: Page, field: Locator, entry: string): Promise<Locator> {
	const options = page.locator('.el-select-dropdown__item:visible, [role=option]:visible');
	const wanted = options.filter({ hasText: entry }).first();
	await field.waitFor();
	for (let tries = 0; tries < 3 && !(await wanted.isVisible()); tries++) {
		await field.click();
		await wanted.waitFor({ timeout: 10_000 }).catch(() => undefined);
	}
	await wanted.scrollIntoViewIfNeeded();
	await wanted.waitFor();
	return options;
}

/**
 * Executes the open node and returns the query of its request for deals. The count on screen is
 * the previous run's until this one ends, so Enable being asked is what is waited for.
 */
async function executeAndReadDealsQuery(page: Page, simulator: EnableSimulator, what: string): Promise<Record<string, string>> {
	simulator.resetStats();
	await byTestId(page, 'node-execute-button').click();
	const deadline = Date.now() + 30_000;
	while (!simulator.requestLog.some((entry) => entry.path === '/v1/deals')) {
		assert(Date.now() < deadline, `${what} sent no request`);
		await page.waitForTimeout(200);
	}
	return simulator.requestLog.find((entry) => entry.path === '/v1/deals')?.query ?? {};
}

async function saveCredential(page: Page, clientSecret: string): Promise<void> {
	await byTestId(page, 'parameter-input-clientSecret').locator('input').first().fill(clientSecret);
	// Save stores the credential, then tests it: wait for the test's answer, then for the dialog to show it.
	const tested = page.waitForResponse((response) => response.url().includes('/rest/credentials/test'), { timeout: 60_000 });
	await byTestId(page, 'credential-save-button').click();
	await tested;
	await page.waitForTimeout(800);
}

async function main(): Promise<void> {
	const started = Date.now();
	ensureChromium();
	const host = await ensureN8n();
	console.log(`e2e:editor: n8n ${host.version}'s editor in headless Chromium`);
	// This Enable's deals have an attribute the node's table does not know: only a live read can offer it.
	const simulator: EnableSimulator = await startSimulator({ counts: { deals: 40 }, overrides: { deals: { addAttributes: { regionCode: ['EU-N', 'EU-S', 'US-E'] } } } });
	// The pickers' small reads (page[size]=20), however often the checks reset the simulator's log.
	let pickerReads = 0;
	simulator.beforeApiRequest = (route, query) => {
		if (route === '/v1/deals' && query.get('page[size]') === '20') pickerReads++;
	};
	const packDir = mkdtempSync(path.join(os.tmpdir(), 'n8n-nodes-enable-pack-'));
	const instance = await N8nInstance.create(host, await packPackage(packDir));
	rmSync(packDir, { recursive: true, force: true });
	const server = await instance.start();
	const cookie = await N8nInstance.signIn(server.url);
	mkdirSync(SCREENSHOTS, { recursive: true });
	const browser = await chromium.launch({
		executablePath: CHROMIUM,
		args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
	});
	try {
		const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
		const [cookieName, cookieValue] = cookie.split('=');
		await context.addCookies([{ name: cookieName, value: cookieValue, url: server.url }]);
		const page = await context.newPage();
		page.setDefaultTimeout(30_000);
		whenACheckFails(async (index) => {
			const shot = path.join(os.tmpdir(), `enable-editor-failure-${index}.png`);
			await page.screenshot({ path: shot });
			return `screenshot: ${shot}`;
		});

		await check('the node panel shows Enable with a description for the whole integration, its triggers and its actions in plain English', async () => {
			await page.goto(`${server.url}/workflow/new`);
			await byTestId(page, 'canvas-plus-button').click();
			await byTestId(page, 'node-creator-search-bar').waitFor();
			await page.waitForTimeout(500);
			await page.keyboard.type('Enable');
			const item = byTestId(page, 'node-creator-item-name').filter({ hasText: /^Enable$/ }).first();
			await item.waitFor();
			const description = await byTestId(page, 'node-creator').innerText();
			assert(/read deals, earnings, trading partners/.test(description), `the Enable entry reads: ${description.slice(0, 200)}`);
			await item.click();
			const panel = byTestId(page, 'node-creator');
			await panel.getByText('On new deal', { exact: true }).waitFor();
			// For a first step the panel opens with the triggers; the actions are one click away.
			await panel.getByText(/^Actions \(\d+\)$/).click();
			await panel.getByText('Get many deals', { exact: true }).waitFor();
			const text = await panel.innerText();
			// The list renders what is on screen: check the actions near its top.
			for (const expected of ['On new deal', 'Get a trading partner', 'Get many schemes', 'Get an item', 'Get a turnover record']) assert(text.includes(expected), `"${expected}" is not in the node panel`);
			assert(!/\ban user\b|activitys/.test(text), 'the node panel has a badly formed label');
			await page.screenshot({ path: path.join(SCREENSHOTS, 'node-panel.png') });
		});

		await check('a new credential from the trigger: no scope or a wrong secret shows what to fix; the right values pass and the dialog closes', async () => {
			await byTestId(page, 'node-creator').getByText('On new deal', { exact: true }).click();
			await page.getByText('Connect to Enable').click();
			const fill = async (name: string, value: string) => await byTestId(page, `parameter-input-${name}`).locator('input').first().fill(value);
			await fill('baseUrl', simulator.baseUrl);
			await fill('clientId', DEMO_CLIENT.clientId);
			await fill('registrationId', DEMO_CLIENT.registrationId);
			// Saved without a scope, the one line the dialog shows says what to select.
			await saveCredential(page, 'a-wrong-secret');
			const noScope = await credentialDialogText(page);
			assert(noScope.includes('Scopes has none selected. Select at least one of read:deals, read:activity, read:users'), `without a scope the dialog said: ${noScope.slice(0, 300)}`);
			await byTestId(page, 'parameter-input-scopes').click();
			await page.locator('.el-select-dropdown__item, [role=option]').filter({ hasText: 'Deals (read:deals)' }).first().click();
			await byTestId(page, 'credential-name').click();
			await saveCredential(page, 'a-wrong-secret');
			const text = await credentialDialogText(page);
			assert(text.includes('Enable rejected the Client ID, Client Secret or Dealtrack Registration ID'), `the dialog said: ${text.slice(0, 300)}`);
			assert(!text.includes('[item'), 'the message carries an internal marker');
			await saveCredential(page, DEMO_CLIENT.clientSecret);
			await byTestId(page, 'editCredential-modal').waitFor({ state: 'detached', timeout: 30_000 });
		});

		await check('the saved credential keeps its scope; a wrong secret typed over it fails the test again; a busy token endpoint is reported at once; the right one passes', async () => {
			await byTestId(page, 'credential-edit-button').click();
			const modal = byTestId(page, 'editCredential-modal');
			await modal.waitFor();
			assert((await byTestId(page, 'parameter-input-scopes').innerText()).includes('Deals (read:deals)'), 'the saved credential shows no scope');
			const tokensBefore = simulator.stats().tokenRequests;
			await saveCredential(page, 'wrong-again');
			const text = await credentialDialogText(page);
			assert(text.includes('Enable rejected the Client ID, Client Secret or Dealtrack Registration ID'), `after a success, a wrong secret tested as: ${text.slice(0, 300)}`);
			assert(simulator.stats().tokenRequests > tokensBefore, 'the test did not ask Enable for a token with the secret on screen');
			// A busy token endpoint: the Test button says so at once rather than retrying for a minute.
			simulator.resetStats();
			simulator.addFault({ kind: 'status', status: 503, onRequest: 1, target: 'token' });
			const busySince = Date.now();
			await saveCredential(page, DEMO_CLIENT.clientSecret).finally(() => simulator.clearFaults());
			const busySeconds = (Date.now() - busySince) / 1000;
			const busy = await credentialDialogText(page);
			assert(busy.includes("Enable's token endpoint answered HTTP 503 (busy or unavailable): try again in a minute"), `a busy token endpoint tested as: ${busy.slice(0, 300)}`);
			assert(simulator.stats().tokenRequests === 1 && busySeconds < 10, `the test asked ${simulator.stats().tokenRequests} times over ${busySeconds} s`);
			// Nothing changed since the save, so the dialog's Retry runs the test again; Enable answers now.
			const retested = page.waitForResponse((response) => response.url().includes('/rest/credentials/test'), { timeout: 60_000 });
			await modal.getByRole('button', { name: 'Retry' }).click();
			await retested;
			await page.waitForTimeout(800);
			assert(simulator.stats().tokenRequests === 2, `the retest asked for ${simulator.stats().tokenRequests - 1} tokens`);
			assert((await modal.innerText()).includes('Connection tested successfully'), 'the right secret did not pass');
			await page.screenshot({ path: path.join(SCREENSHOTS, 'credential-dialog.png') });
			await page.keyboard.press('Escape');
			await modal.waitFor({ state: 'detached' });
		});

		await check('Fetch Test Event shows one deal and reads one page', async () => {
			// Closing the credential dialog with Escape closes the node's panel too: open it again.
			if (!(await byTestId(page, 'ndv').count())) await byTestId(page, 'canvas-node').first().dblclick();
			simulator.resetStats();
			await byTestId(page, 'node-execute-button').click();
			await byTestId(page, 'ndv-items-count').filter({ hasText: '1 item' }).first().waitFor().catch(async () => await byTestId(page, 'run-data-item-count').filter({ hasText: '1 item' }).first().waitFor());
			assert(simulator.totalPageRequests() === 1, `Fetch Test Event read ${simulator.totalPageRequests()} pages`);
			await byTestId(page, 'ndv-close-button').click();
			assert(await page.getByText('New Deal', { exact: true }).count(), 'the canvas does not show the subtitle "New Deal"');
		});

		await check('Enable → Get many deals, executed from the editor, shows every deal', async () => {
			await addEnableAction(page, 'Get many deals');
			await byTestId(page, 'node-execute-button').click();
			const output = byTestId(page, 'output-panel');
			await output.getByText('40 items').first().waitFor();
			const firstId = simulator.store.list('deals')[0].id;
			assert((await output.locator('table tbody tr').first().innerText()).includes(firstId), 'the first row is not the first deal');
			await page.screenshot({ path: path.join(SCREENSHOTS, 'output.png') });
			await byTestId(page, 'ndv-close-button').click();
			assert(await page.getByText('Get Many: Deal', { exact: true }).count(), 'the canvas does not show the subtitle "Get Many: Deal"');
		});
		await check('Get many deals: Filters list the known deal attributes and Other; both filter the rows', async () => {
			const typed = '01 - Guaranteed Rebate';
			const expected = simulator.store.list('deals').filter((deal) => deal.attributes.dealType === typed).length;
			assert(expected > 0 && expected < 40, `the simulator has ${expected} deals of type ${typed}`);
			await byTestId(page, 'canvas-node').filter({ hasText: 'Get many deals' }).first().dblclick();
			await byTestId(page, 'ndv').getByText('Add Filter').first().click();
			const options = await openList(page, byTestId(page, 'parameter-input-attribute').first(), 'Other Attribute…');
			const listed = await options.allInnerTexts();
			for (const name of ['Deal Type (dealType)', 'Reference (reference)', 'Other Attribute…']) assert(listed.some((text) => text.includes(name)), `"${name}" is not offered: ${listed.join(' | ')}`);
			await options.filter({ hasText: 'Deal Type (dealType)' }).first().click();
			await byTestId(page, 'parameter-input-value').locator('input, textarea').first().fill(typed);
			await page.waitForTimeout(500);
			const output = byTestId(page, 'output-panel');
			await byTestId(page, 'node-execute-button').click();
			await output.getByText(`${expected} item`).first().waitFor();

			await (await openList(page, byTestId(page, 'parameter-input-attribute').first(), 'Other Attribute…')).filter({ hasText: 'Other Attribute…' }).first().click();
			// Other with no name yet: the error names the filter and the field, without internal markers.
			await byTestId(page, 'node-execute-button').click();
			await byTestId(page, 'ndv').getByText('Filter 1 has an empty Attribute Name').first().waitFor();
			assert(!(await byTestId(page, 'ndv').innerText()).includes('[item'), 'the error carries an internal marker');
			await byTestId(page, 'parameter-input-otherAttribute').locator('input').first().fill('dealType');
			await page.waitForTimeout(500);
			const sent = await executeAndReadDealsQuery(page, simulator, 'executing with Other Attribute');
			assert(sent['filter[dealType]'] === typed, `the Other attribute was sent as ${JSON.stringify(sent)}`);
			await output.getByText(`${expected} item`).first().waitFor();
			await byTestId(page, 'ndv-close-button').click();
		});

		await check("Get many deals: the Attribute list offers an attribute only this Enable has, read when it opens, and filtering by it works", async () => {
			const expected = simulator.store.list('deals').filter((_, index) => index % 3 === 1).length;
			await byTestId(page, 'canvas-node').filter({ hasText: 'Get many deals' }).first().dblclick();
			const options = await openList(page, byTestId(page, 'parameter-input-attribute').first(), 'Region Code (regionCode)');
			assert(pickerReads > 0, 'the list was not read from Enable');
			await page.screenshot({ path: path.join(SCREENSHOTS, 'live-attributes.png') });
			await options.filter({ hasText: 'Region Code (regionCode)' }).first().click();
			await byTestId(page, 'parameter-input-value').locator('input, textarea').first().fill('EU-S');
			await page.waitForTimeout(500);
			const sent = await executeAndReadDealsQuery(page, simulator, 'executing with the live attribute');
			assert(sent['filter[regionCode]'] === 'EU-S', `the filter was sent as ${JSON.stringify(sent)}`);
			await byTestId(page, 'output-panel').getByText(`${expected} item`).first().waitFor();
			await byTestId(page, 'ndv-close-button').click();
		});

		await check('Get a deal: From List shows deals by reference, search narrows it, and the picked deal is fetched', async () => {
			const wanted = simulator.store.list('deals')[7];
			const reference = String(wanted.attributes.reference);
			await addEnableAction(page, 'Get a deal');
			await byTestId(page, 'resource-locator-dealId').locator('[data-test-id="rlc-input"]').first().click();
			const items = byTestId(page, 'rlc-item');
			await items.first().waitFor();
			assert((await items.count()) > 10, `From List shows ${await items.count()} deals`);
			const search = byTestId(page, 'rlc-search').first();
			await ((await search.locator('input').count()) ? search.locator('input').first() : search).fill(reference);
			await items.filter({ hasText: wanted.id }).first().waitFor();
			assert((await items.count()) === 1, `searching "${reference}" left ${await items.count()} deals`);
			await page.screenshot({ path: path.join(SCREENSHOTS, 'resource-locator.png') });
			await items.first().click();
			simulator.resetStats();
			await byTestId(page, 'node-execute-button').click();
			// The node follows Get many deals, so it runs once per input item, each time for the picked deal.
			const output = byTestId(page, 'output-panel');
			await output.getByText(wanted.id).first().waitFor();
			const gets = simulator.requestLog.filter((entry) => entry.path.startsWith('/v1/deals/'));
			assert(gets.length > 0 && gets.every((entry) => entry.path === `/v1/deals/${wanted.id}`), `Get asked for ${gets.map((entry) => entry.path).join(', ')}`);
			await byTestId(page, 'ndv-close-button').click();
		});
	} finally {
		await browser.close();
		await server.stop();
		await simulator.close();
		instance.cleanup();
	}
	console.log(`\nScreenshots in ${path.relative(PACKAGE_ROOT, SCREENSHOTS)}`);
	finish(`e2e:editor (n8n ${host.version})`, started);
}

main().catch((error: unknown) => {
	console.error(error instanceof HostError ? `e2e:editor: ${error.message}` : `e2e:editor: ${error instanceof Error ? error.stack : String(error)}`);
	process.exit(1);
});
