/**
 * deploy/docker-compose.queue.yml was not run here (no Docker engine): this holds it against the
 * settings the native queue-mode e2e (npm run e2e:queue) proved.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- development tooling, never published: it runs in Node, with its files, processes and console */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { parse } from 'yaml';

import { QUEUE_SETTINGS } from '../e2e/lib/services';

interface Service {
	image?: string;
	command?: string;
	entrypoint?: string[];
	environment?: Record<string, string>;
	volumes?: string[];
	deploy?: { replicas?: number };
}

const compose = parse(readFileSync(path.join(__dirname, '..', 'deploy', 'docker-compose.queue.yml'), 'utf8'), { merge: true }) as {
	services: Record<string, Service>;
};

test('names Postgres, Redis, a main n8n and two workers', () => {
	expect(Object.keys(compose.services).sort()).toEqual(['install-enable', 'n8n', 'n8n-worker', 'postgres', 'redis']);
	expect(compose.services['n8n-worker'].command).toMatch(/^worker\b/);
	expect(compose.services['n8n-worker'].deploy?.replicas).toBe(2);
	expect(compose.services.n8n.image).toBe(compose.services['n8n-worker'].image);
	expect(compose.services.n8n.image).toMatch(/:2\.41\.1$/);
});

test.each(['n8n', 'n8n-worker'])('%s has every setting the native test uses, queue mode on Postgres and Redis', (name) => {
	const environment = compose.services[name].environment ?? {};
	for (const setting of QUEUE_SETTINGS) expect(environment).toHaveProperty(setting);
	expect(environment.EXECUTIONS_MODE).toBe('queue');
	expect(environment.DB_TYPE).toBe('postgresdb');
	expect(environment.QUEUE_BULL_REDIS_HOST).toBe('redis');
	expect(environment.DB_POSTGRESDB_HOST).toBe('postgres');
	expect(environment.N8N_ENCRYPTION_KEY).toBeDefined();
});

test('main and every worker load the package from the volume it is npm-installed into', () => {
	const install = compose.services['install-enable'];
	expect(install.entrypoint?.join(' ')).toContain('npm install --no-audit --no-fund n8n-nodes-enable');
	const volumeOf = (service: Service) => service.volumes?.find((volume) => volume.endsWith(':/home/node/.n8n'));
	expect(volumeOf(install)).toBeDefined();
	expect(volumeOf(compose.services.n8n)).toBe(volumeOf(install));
	expect(volumeOf(compose.services['n8n-worker'])).toBe(volumeOf(install));
});
