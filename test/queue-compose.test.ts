/**
 * deploy/docker-compose.queue.yml was not run here (no Docker engine): this holds it against the
 * settings the native queue-mode e2e (npm run e2e:queue) proved, and checks that main and every
 * worker run the image deploy/Dockerfile builds from this checkout.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- development tooling, never published: it runs in Node, with its files, processes and console */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { parse } from 'yaml';

import { QUEUE_SETTINGS } from '../e2e/lib/services';

interface Service {
	build?: { context?: string; dockerfile?: string; args?: Record<string, string> };
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
	expect(Object.keys(compose.services).sort()).toEqual(['n8n', 'n8n-worker', 'postgres', 'redis']);
	expect(compose.services['n8n-worker'].command).toMatch(/^worker\b/);
	expect(compose.services['n8n-worker'].deploy?.replicas).toBe(2);
	expect(compose.services.n8n.image).toBe(compose.services['n8n-worker'].image);
	expect(compose.services.n8n.image).toBe('n8n-enable:${N8N_VERSION:-2.41.1}');
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

test.each(['n8n', 'n8n-worker'])('%s runs the image deploy/Dockerfile builds from this checkout (n8n 2.41.1 by default), the package inside it', (name) => {
	const service = compose.services[name];
	expect(service.build).toEqual({ context: '..', dockerfile: 'deploy/Dockerfile', args: { N8N_VERSION: '${N8N_VERSION:-2.41.1}' } });
	expect(service.image).toBe('n8n-enable:${N8N_VERSION:-2.41.1}');
	// Nothing is installed over it at start, and nothing from the npm registry.
	expect(service.entrypoint).toBeUndefined();
});

test('main keeps its data in a volume; nothing in the file installs the package from the npm registry', () => {
	expect(compose.services.n8n.volumes).toEqual(['n8n_data:/home/node/.n8n']);
	expect(readFileSync(path.join(__dirname, '..', 'deploy', 'docker-compose.queue.yml'), 'utf8')).not.toMatch(/npm (?:install|i)\b/);
});
