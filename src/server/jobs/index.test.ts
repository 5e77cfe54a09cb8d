/**
 * The job service's rematch requests on a real SQLite register: a request shares a rematch that will
 * see the current database file (queued, or started after the file was replaced) instead of queuing a
 * second run, and queues a new one when the running rematch opened an older file.
 */
import { mkdtempSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadServerConfig } from '../config.js';
import { migrate, openStore } from '../store/connect.js';
import { createJobService } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'bulwark-jobs-service-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('requestRematch', () => {
  it('shares a rematch that sees the current file, and queues one when the file was replaced since', async () => {
    const vulnDb = join(dir, 'vuln.sqlite');
    writeFileSync(vulnDb, 'first');
    const old = new Date(Date.now() - 3_600_000);
    utimesSync(vulnDb, old, old);
    const config = loadServerConfig({
      env: { HOME: dir },
      flags: { 'database-url': `sqlite:${join(dir, 'register.sqlite')}`, 'vuln-db': vulnDb },
    });
    const store = openStore(config.databaseUrl);
    await migrate(store);
    const jobs = createJobService({ store, config, now: () => new Date().toISOString() });
    try {
      const first = await jobs.requestRematch('alice', 'first');
      // Still queued: a second request is answered with it.
      expect((await jobs.requestRematch('system', 'watch')).id).toBe(first.id);

      // Running, started after the file was installed: it covers the file as it is.
      const startedAt = new Date().toISOString();
      await store.db
        .updateTable('jobs')
        .set({ state: 'active', started_at: startedAt })
        .where('id', '=', first.id)
        .execute();
      expect((await jobs.requestRematch('cli', 'db-import')).id).toBe(first.id);

      // The file is replaced (renamed over) after the run opened it: a new rematch is queued.
      await new Promise((r) => setTimeout(r, 20));
      writeFileSync(`${vulnDb}.new`, 'second');
      utimesSync(`${vulnDb}.new`, old, old);
      renameSync(`${vulnDb}.new`, vulnDb);
      const second = await jobs.requestRematch('cli', 'db-import');
      expect(second.id).not.toBe(first.id);
      expect(second).toMatchObject({ kind: 'rematch', state: 'queued', created_by: 'cli' });
      // …and that queued one is shared in turn.
      expect((await jobs.requestRematch('system', 'watch')).id).toBe(second.id);

      // A finished rematch covers nothing: the next request queues.
      await store.db.updateTable('jobs').set({ state: 'completed' }).execute();
      expect((await jobs.requestRematch('alice', 'again')).id).not.toBe(second.id);
    } finally {
      await jobs.stop();
      await store.close();
    }
  });
});
