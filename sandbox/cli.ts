/**
 * `npm run sandbox -- [--port 8787] [--deals 120] [--activity 300] [--users 25]
 *  [--absolute-links] [--token-lifetime 3600] [--page-size 25] [--config sandbox.json]`
 *
 * Starts the Enable API simulator and prints its base URL and the demo credentials.
 * A --config JSON file may hold any SimulatorOptions (clients, faults, counts, ...).
 */
import { readFileSync } from 'node:fs';

import { DEMO_CLIENT, type SimulatorOptions, startSimulator } from './simulator';

function parseArguments(argv: string[]): SimulatorOptions {
	const options: SimulatorOptions = { port: 8787, counts: {} };
	const counts = options.counts as Record<string, number>;
	for (let i = 0; i < argv.length; i++) {
		const flag = argv[i];
		const value = () => {
			const next = argv[++i];
			if (next === undefined) throw new Error(`${flag} needs a value`);
			return next;
		};
		const number = () => {
			const raw = value();
			const parsed = Number(raw);
			if (!Number.isInteger(parsed) || parsed < 0) throw new Error(`${flag} needs a whole number, got "${raw}"`);
			return parsed;
		};
		switch (flag) {
			case '--port': options.port = number(); break;
			case '--host': options.host = value(); break;
			case '--deals': counts.deals = number(); break;
			case '--activity': counts.activity = number(); break;
			case '--users': counts.users = number(); break;
			case '--seed': options.seed = number(); break;
			case '--page-size': options.defaultPageSize = number(); break;
			case '--max-page-size': options.maxPageSize = number(); break;
			case '--token-lifetime': options.tokenLifetimeSeconds = number(); break;
			case '--absolute-links': options.absoluteLinks = true; break;
			case '--no-totals': options.includeTotals = false; break;
			case '--config': Object.assign(options, JSON.parse(readFileSync(value(), 'utf8')) as SimulatorOptions); break;
			case '--help':
				console.log(readFileSync(__filename, 'utf8').split('*/')[0]);
				process.exit(0);
				break;
			default:
				throw new Error(`Unknown option ${flag} (try --help)`);
		}
	}
	return options;
}

async function main(): Promise<void> {
	const options = parseArguments(process.argv.slice(2));
	const simulator = await startSimulator(options);
	const client = options.clients?.[0] ?? DEMO_CLIENT;
	const counts = simulator.store;
	console.log(`Enable API simulator listening on ${simulator.baseUrl}`);
	console.log(
		`  records: ${counts.list('deals').length} deals, ${counts.list('activity').length} activity entries, ${counts.list('users').length} users`,
	);
	console.log('  Enable API credential for n8n:');
	console.log(`    Base URL:                  ${simulator.baseUrl}`);
	console.log(`    Client ID:                 ${client.clientId}`);
	console.log(`    Client Secret:             ${client.clientSecret}   (sandbox only)`);
	console.log(`    Dealtrack Registration ID: ${client.registrationId}`);
	console.log(`    Scopes:                    ${client.scopes.join(' ')}`);
	console.log(`  admin: GET ${simulator.baseUrl}/_admin/stats · Ctrl-C to stop`);
	const stop = () => {
		void simulator.close().then(() => process.exit(0));
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
	console.error(`sandbox: ${error instanceof Error ? error.message : String(error)}`);
	process.exit(1);
});
