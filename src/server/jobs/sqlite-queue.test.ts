/**
 * The embedded queue on a real SQLite register file: retries with back-off until the attempts run out
 * (then `failed`, the dead letters), permanent failures not retried, a job whose worker died (its lease
 * ran out) taken over by another worker, and queued jobs surviving a restart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate, openStore, type Store } from '../store/connect.js';
import type { JobsTable } from '../store/schema.js';
import { PermanentJobError, type JobHandler, type JobHandlers } from './queue.js';
import { SqliteJobQueue } from './sqlite-queue.js';

const dir = mkdtempSync(join(tmpdir(), 'bulwark-sqlite-queue-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

async function freshStore(file = `q${++n}.sqlite`): Promise<Store> {
  const store = openStore(`sqlite:${join(dir, file)}`);
  await migrate(store);
  return store;
}

const settings = { attempts: 3, retryDelayMs: 50, timeoutMs: 60_000, pollIntervalMs: 500 };
const handlers = (h: JobHandler): JobHandlers => ({ rematch: h, 'db-update': h, 'registry-scan': h });

async function until(store: Store, id: string, states: string[]): Promise<JobsTable> {
  for (let i = 0; i < 200; i++) {
    const j = await store.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    if (states.includes(j.state)) return j;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`job ${id} never reached ${states.join('/')}`);
}

describe('SQLite job queue', () => {
  it('retries a failing job with back-off, then completes it', async () => {
    const store = await freshStore();
    const q = new SqliteJobQueue(store, settings);
    const seen: number[] = [];
    await q.work(
      handlers(async (data, ctx) => {
        seen.push(Date.now());
        await ctx.progress(`try ${ctx.job.attempts}`);
        if (ctx.job.attempts < 3) throw new Error(`flaky ${data.n}`);
        return { ok: true };
      }),
      1,
    );
    const job = await q.enqueue('rematch', { n: 1 }, { createdBy: 'test' });
    const done = await until(store, job.id, ['completed', 'failed']);
    expect(done).toMatchObject({ state: 'completed', attempts: 3, error: null, progress: 'try 3' });
    expect(JSON.parse(done.result!)).toEqual({ ok: true });
    // Back-off: the second retry waited about twice as long as the first.
    expect(seen[2]! - seen[1]!).toBeGreaterThanOrEqual(90);
    await q.stop();
    await store.close();
  });

  it('dead-letters a job out of attempts, and does not retry a permanent failure', async () => {
    const store = await freshStore();
    const q = new SqliteJobQueue(store, settings);
    await q.work(
      handlers(async (data) => {
        if (data.permanent) throw new PermanentJobError('registry not allowed');
        throw new Error('always broken');
      }),
      2,
    );
    const a = await q.enqueue('registry-scan', {}, { createdBy: 'test' });
    const b = await q.enqueue('registry-scan', { permanent: true }, { createdBy: 'test' });
    expect(await until(store, a.id, ['failed'])).toMatchObject({ attempts: 3, error: 'always broken' });
    expect(await until(store, b.id, ['failed'])).toMatchObject({
      attempts: 1,
      error: 'registry not allowed',
    });
    await q.stop();
    await store.close();
  });

  it('takes over a job whose worker died (lease ran out), and keeps queued jobs across a restart', async () => {
    const file = `restart${++n}.sqlite`;
    let store = await freshStore(file);
    const first = new SqliteJobQueue(store, settings);
    const queued = await first.enqueue('rematch', { which: 'queued' }, { createdBy: 'test' });
    const lost = await first.enqueue('rematch', { which: 'lost' }, { createdBy: 'test' });
    // What a killed worker leaves behind: the job active, its lease running out, nobody renewing it.
    await store.db
      .updateTable('jobs')
      .set({
        state: 'active',
        attempts: 1,
        worker: 'gone:1',
        lease_until: new Date(Date.now() - 1000).toISOString(),
      })
      .where('id', '=', lost.id)
      .execute();
    await store.close();

    store = await freshStore(file);
    const second = new SqliteJobQueue(store, settings);
    const ran: string[] = [];
    await second.work(
      handlers(async (data) => {
        ran.push(String(data.which));
        return {};
      }),
      1,
    );
    expect(await until(store, queued.id, ['completed'])).toMatchObject({ attempts: 1 });
    const taken = await until(store, lost.id, ['completed']);
    expect(taken.attempts).toBe(2);
    expect(taken.worker).not.toBe('gone:1');
    expect(ran.sort()).toEqual(['lost', 'queued']);
    await second.stop();
    await store.close();
  });
});
