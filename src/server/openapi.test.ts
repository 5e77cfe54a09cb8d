import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../test-support/images.js';
import { buildOpenApi } from './openapi.js';
import { API_PREFIX } from './route.js';
import { ROUTES } from './routes.js';
import { startHarness, type Harness } from './test-support/harness.js';

describe('OpenAPI document', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ engine: 'sqlite' });
  });
  afterAll(async () => h?.stop());

  it('the served document equals docs/openapi.json (regenerate: bulwark server openapi > docs/openapi.json)', async () => {
    const served = (await h.call('GET', '/openapi.json')).body;
    const file = JSON.parse(readFileSync(join(REPO_ROOT, 'docs', 'openapi.json'), 'utf8'));
    expect(served).toEqual(file);
    expect(readFileSync(join(REPO_ROOT, 'docs', 'openapi.json'), 'utf8')).toBe(
      `${JSON.stringify(buildOpenApi(ROUTES), null, 2)}\n`,
    );
  });

  it('lists every route the server answers, and nothing else', async () => {
    const doc = (await h.call('GET', '/openapi.json')).body as {
      paths: Record<string, Record<string, { operationId: string }>>;
    };
    const documented = Object.entries(doc.paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    // What Fastify actually routes (collected by its onRoute hook), in OpenAPI path syntax; HEAD is
    // Fastify's automatic twin of GET.
    await h.server.app.ready();
    const registered = h.server.registered
      .filter((r) => r.method !== 'HEAD')
      .map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`);
    expect(documented).toEqual(registered.sort());
    const ids = Object.values(doc.paths).flatMap((ops) => Object.values(ops).map((o) => o.operationId));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('documents request bodies and query parameters from the validation schemas', () => {
    const doc = buildOpenApi(ROUTES) as { paths: Record<string, Record<string, any>> }; // eslint-disable-line @typescript-eslint/no-explicit-any
    const state = doc.paths[`${API_PREFIX}/projects/{project}/findings/{finding}/state`]!.post;
    expect(state.requestBody.content['application/json'].schema.properties.state.enum).toContain(
      'not-affected',
    );
    const list = doc.paths[`${API_PREFIX}/projects/{project}/findings`]!.get;
    expect(list.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['project', 'state', 'severity', 'overdue', 'limit', 'offset']),
    );
    expect(doc.paths[`${API_PREFIX}/health`]!.get.security).toEqual([]);
  });
});
