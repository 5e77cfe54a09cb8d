import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { havePostgres, startPostgres, type TestPostgres } from '../test-support/postgres.js';
import { migrate, openStore } from './connect.js';
import { MIGRATIONS } from './migrations.js';

const engines = ['sqlite', ...(havePostgres() ? ['postgres'] : [])] as const;

describe.each(engines)('register schema on %s', (engine) => {
  let pg: TestPostgres | undefined;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bulwark-store-'));
    if (engine === 'postgres') pg = await startPostgres();
  });
  afterAll(() => {
    pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('migrates a fresh database once, then is up to date', async () => {
    const url = pg ? await pg.newDatabase() : `sqlite:${join(dir, 'r.sqlite')}`;
    const store = openStore(url);
    try {
      expect((await migrate(store)).applied).toEqual(Object.keys(MIGRATIONS));
      expect((await migrate(store)).applied).toEqual([]);
      const tables = await store.db.introspection.getTables();
      expect(
        tables
          .map((t) => t.name)
          .filter((n) => !n.startsWith('kysely_'))
          .sort(),
      ).toEqual([
        'api_tokens',
        'audit_log',
        'findings',
        'images',
        'jobs',
        'project_members',
        'projects',
        'registry_credentials',
        'risk_acceptances',
        'scan_findings',
        'scan_summaries',
        'scans',
        'server_meta',
        'sessions',
        'users',
        'webhook_attempts',
        'webhook_deliveries',
        'webhooks',
      ]);
      const row = await sql<{ value: string }>`select value from server_meta where key = 'schema'`.execute(
        store.db,
      );
      expect(row.rows[0]?.value).toBe('bulwark-register');
    } finally {
      await store.close();
    }
  });

  it('an unreachable or bad database is one clear error', async () => {
    const url = engine === 'postgres' ? `postgres://postgres@127.0.0.1:1/none` : `sqlite:${dir}`;
    const attempt = async (): Promise<void> => {
      const store = openStore(url);
      try {
        await migrate(store);
      } finally {
        await store.close();
      }
    };
    await expect(attempt()).rejects.toThrow(
      engine === 'postgres' ? /cannot reach the register database/ : /cannot open/,
    );
  });
});
