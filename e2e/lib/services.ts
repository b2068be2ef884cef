/**
 * Postgres and Redis for the queue-mode e2e, from the distribution's packages: installed with
 * apt-get when missing (as root, or through password-less `sudo -n`, as on GitHub's hosted
 * runners), started on free loopback ports with throw-away data, and stopped by process id with
 * everything else the e2e started. Postgres refuses to run as root: as root it runs as the
 * distribution's `postgres` user (runuser), otherwise as the user running the e2e.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions, no-console -- development tooling, never published: it runs in Node, with its files, processes and console */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { freePort, HostError, startProcess, stopProcess } from './host';

function onPath(binary: string): boolean {
	return spawnSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' }).status === 0;
}

const isRoot = () => process.getuid?.() === 0;

/**
 * The prefix that runs a command as root: none when this process is root, `sudo -n` where sudo
 * needs no password (GitHub's hosted runners), undefined where neither works.
 */
function rootPrefix(): string[] | undefined {
	if (isRoot()) return [];
	if (onPath('sudo') && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0) return ['sudo', '-n'];
	return undefined;
}

let aptUpdated = false;
/** Installs the distribution's packages with apt-get, as root or through `sudo -n`; otherwise says what to install. */
export function aptInstall(packages: string[]): void {
	const prefix = rootPrefix();
	if (!prefix) {
		throw new HostError(
			`${packages.join(' and ')} missing: install ${packages.length > 1 ? 'them' : 'it'} (sudo apt-get install ${packages.join(' ')}), or run as root or with password-less sudo so this script can.`,
		);
	}
	console.log(`Installing ${packages.join(', ')} with ${prefix.length ? 'sudo ' : ''}apt-get (once)...`);
	const apt = (args: string[]) => {
		const [command, ...rest] = [...prefix, 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', ...args];
		execFileSync(command, rest, { stdio: 'ignore' });
	};
	if (!aptUpdated) apt(['update', '-qq']);
	aptUpdated = true;
	apt(['install', '-y', '-qq', '--no-install-recommends', ...packages]);
}

function postgresBinDir(): string | undefined {
	const root = '/usr/lib/postgresql';
	if (!existsSync(root)) return undefined;
	const versions = readdirSync(root).filter((entry) => existsSync(path.join(root, entry, 'bin', 'postgres'))).sort((a, b) => Number(b) - Number(a));
	return versions.length ? path.join(root, versions[0], 'bin') : undefined;
}

async function waitUntil(what: string, ready: () => boolean, seconds: number): Promise<void> {
	const deadline = Date.now() + seconds * 1000;
	while (!ready()) {
		if (Date.now() > deadline) throw new HostError(`${what} did not start within ${seconds} s`);
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
}

/** The settings that put n8n in queue mode on Postgres and Redis (the compose file names the same). */
export const QUEUE_SETTINGS = [
	'DB_TYPE',
	'DB_POSTGRESDB_HOST',
	'DB_POSTGRESDB_PORT',
	'DB_POSTGRESDB_DATABASE',
	'DB_POSTGRESDB_USER',
	'DB_POSTGRESDB_PASSWORD',
	'EXECUTIONS_MODE',
	'QUEUE_BULL_REDIS_HOST',
	'QUEUE_BULL_REDIS_PORT',
] as const;

export interface Services {
	postgresPort: number;
	redisPort: number;
	/** The n8n settings that point at them. */
	env: NodeJS.ProcessEnv;
	stop: () => Promise<void>;
}

export async function startServices(): Promise<Services> {
	const missing = [...(postgresBinDir() ? [] : ['postgresql']), ...(onPath('redis-server') ? [] : ['redis-server'])];
	if (missing.length) aptInstall(missing);
	const bin = postgresBinDir();
	if (!bin) throw new HostError('Postgres is not installed under /usr/lib/postgresql after apt-get install postgresql');

	const dataDir = mkdtempSync(path.join(os.tmpdir(), 'enable-queue-pg-'));
	if (isRoot()) {
		const user = 'postgres';
		const uid = execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim();
		const gid = execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim();
		chownSync(dataDir, Number(uid), Number(gid));
	}
	chmodSync(dataDir, 0o700);
	/** A Postgres binary's command line: as the postgres user when this process is root (Postgres refuses root), else as this user. */
	const asPostgres = (binary: string, args: string[]): [string, string[]] =>
		isRoot() ? ['runuser', ['-u', 'postgres', '--', path.join(bin, binary), ...args]] : [path.join(bin, binary), args];
	const init = spawnSync(...asPostgres('initdb', ['-D', path.join(dataDir, 'data'), '--auth=trust', '-U', 'postgres', '-E', 'UTF8']), { encoding: 'utf8' });
	if (init.status !== 0) throw new HostError(`initdb failed: ${(init.stderr || init.stdout).slice(-400)}`);

	const postgresPort = await freePort();
	const postgres = startProcess(...asPostgres('postgres', ['-D', path.join(dataDir, 'data'), '-p', String(postgresPort), '-k', dataDir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off']), {
		logFile: path.join(dataDir, 'postgres.log'),
	});
	const psql = (sql: string) => spawnSync(...asPostgres('psql', ['-h', '127.0.0.1', '-p', String(postgresPort), '-U', 'postgres', '-tAc', sql]), { encoding: 'utf8' });
	await waitUntil('Postgres', () => psql('select 1').status === 0, 60);
	const created = psql('create database n8n');
	if (created.status !== 0) throw new HostError(`create database failed: ${created.stderr}`);

	const redisPort = await freePort();
	const redisDir = mkdtempSync(path.join(os.tmpdir(), 'enable-queue-redis-'));
	const redis = startProcess('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', redisDir], {});
	await waitUntil('Redis', () => spawnSync('redis-cli', ['-p', String(redisPort), 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG', 30);

	return {
		postgresPort,
		redisPort,
		env: {
			// Keys: QUEUE_SETTINGS.
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(postgresPort),
			DB_POSTGRESDB_DATABASE: 'n8n',
			DB_POSTGRESDB_USER: 'postgres',
			DB_POSTGRESDB_PASSWORD: '',
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(redisPort),
		},
		stop: async () => {
			await stopProcess(redis);
			await stopProcess(postgres);
			rmSync(dataDir, { recursive: true, force: true });
			rmSync(redisDir, { recursive: true, force: true });
		},
	};
}
