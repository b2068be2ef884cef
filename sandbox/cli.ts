/**
 * `npm run sandbox -- [flags]`: starts the Enable API simulator and prints its base URL and the
 * demo credentials. Every flag:
 *
 *   --port N                  port to listen on (default 8787; 0 picks a free one)
 *   --host ADDRESS            address to listen on (default 127.0.0.1)
 *   --deals N                 number of deals (default 120)
 *   --activity N              number of activity entries (default 300)
 *   --users N                 number of users (default 25)
 *   --count COLLECTION=N      records of any collection, e.g. --count earnings=1000 (repeatable)
 *   --seed N                  seed of the generated data (same seed, same data)
 *   --page-size N             page size when a request sets none (default 25)
 *   --max-page-size N         largest page served (default 100)
 *   --oversized-page MODE     a larger page[size]: cap (default, silently), refuse (400 naming
 *                             the maximum) or refuse-vague (400 without it)
 *   --no-include              refuse every include= with 400
 *   --sort MODE               sort=: honour (default), refuse (400) or ignore (stored order)
 *   --missing-scope-status S  status for a token without the scope: 403 (default) or 401
 *   --token-lifetime SECONDS  access token lifetime (default 3600)
 *   --absolute-links          links.next as absolute URLs instead of paths
 *   --no-totals               no meta.total in list documents
 *   --report-pending-polls N  polls a report job stays Pending (default 2)
 *   --report-outcome OUTCOME  how report jobs end: done (default), failed or never
 *   --config FILE             a JSON file with any SimulatorOptions (clients, faults, counts, ...)
 *   --help                    this list
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console -- development tooling, never published: it runs in Node, with its files, processes and console */
import { readFileSync } from 'node:fs';

import { COLLECTION_NAMES, isCollectionName } from './data';
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
			case '--count': {
				const [name, raw] = value().split('=');
				if (!isCollectionName(name)) throw new Error(`--count: unknown collection "${name}" (one of ${COLLECTION_NAMES.join(', ')})`);
				const parsed = Number(raw);
				if (!Number.isInteger(parsed) || parsed < 0) throw new Error(`--count ${name} needs a whole number, got "${raw}"`);
				counts[name] = parsed;
				break;
			}
			case '--oversized-page': {
				const mode = value();
				if (mode !== 'cap' && mode !== 'refuse' && mode !== 'refuse-vague') throw new Error(`--oversized-page needs cap, refuse or refuse-vague, got "${mode}"`);
				options.oversizedPage = mode;
				break;
			}
			case '--no-include': options.includeSupported = false; break;
			case '--sort': {
				const mode = value();
				if (mode !== 'honour' && mode !== 'refuse' && mode !== 'ignore') throw new Error(`--sort needs honour, refuse or ignore, got "${mode}"`);
				options.sort = mode;
				break;
			}
			case '--missing-scope-status': {
				const status = number();
				if (status !== 401 && status !== 403) throw new Error('--missing-scope-status needs 401 or 403');
				options.missingScopeStatus = status;
				break;
			}
			case '--report-pending-polls': options.report = { ...options.report, pendingPolls: number() }; break;
			case '--report-outcome': {
				const outcome = value();
				if (outcome !== 'done' && outcome !== 'failed' && outcome !== 'never') throw new Error(`--report-outcome needs done, failed or never, got "${outcome}"`);
				options.report = { ...options.report, outcome };
				break;
			}
			case '--seed': options.seed = number(); break;
			case '--page-size': options.defaultPageSize = number(); break;
			case '--max-page-size': options.maxPageSize = number(); break;
			case '--token-lifetime': options.tokenLifetimeSeconds = number(); break;
			case '--absolute-links': options.absoluteLinks = true; break;
			case '--no-totals': options.includeTotals = false; break;
			case '--config': Object.assign(options, JSON.parse(readFileSync(value(), 'utf8')) as SimulatorOptions); break;
			case '--help':
				console.log(
					readFileSync(__filename, 'utf8')
						.split('*/')[0]
						.split('\n')
						.slice(1)
						.map((line) => line.replace(/^ \* ?/, ''))
						.join('\n'),
				);
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
		`  records: ${COLLECTION_NAMES.map((name) => `${counts.list(name).length} ${name}`).join(', ')}`,
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
