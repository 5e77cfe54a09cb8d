/**
 * Keyset pagination and capped totals on both real engines: every row exactly once across pages (with
 * ties in the sort key and NULL keys), pages stable while rows are inserted, bad cursors refused, the
 * list indexes present after migration, and the findings route answering `next`/`totalExact`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from './errors.js';
import { cappedTotal, keysetPage, TOTAL_CAP, type KeysetSort } from './paging.js';
import { migrate, openStore, type Store } from './store/connect.js';
import type { FindingsTable } from './store/schema.js';
import { startHarness, testEngines, type Harness } from './test-support/harness.js';
import { startPostgres, type TestPostgres } from './test-support/postgres.js';

const DUE: KeysetSort = { name: 'due', columns: ['sla_due_at', 'id'], direction: 'asc', nullableFirst: true };
const SEEN: KeysetSort = { name: 'first-seen', columns: ['first_seen_at', 'id'], direction: 'desc' };

let serial = 0;
/** A finding row of project `p`: few distinct due dates and first-seen days, so the keys tie a lot. */
function row(p: string, i: number, due: string | null): FindingsTable {
  const id = `id-${String(++serial).padStart(5, '0')}-${(i * 7919) % 1000}`;
  return {
    id,
    project_id: p,
    repository: 'r',
    identity: `identity-${id}`,
    vulnerability_id: `CVE-2026-${i}`,
    aliases: '[]',
    package_name: `pkg-${i % 3}`,
    package_type: 'deb',
    package_purl: `pkg:deb/debian/pkg-${i % 3}`,
    location: '',
    version: '1',
    severity: i % 2 ? 'high' : 'low',
    cvss_score: null,
    fixed_version: i % 4 ? '2' : null,
    kev: i % 5 === 0 ? 1 : 0,
    epss: null,
    summary: null,
    state: 'new',
    state_reason: null,
    justification: null,
    planned_fix_at: null,
    acceptance_id: null,
    sla_due_at: due,
    first_seen_at: `2026-0${1 + (i % 3)}-01T00:00:00.000Z`,
    first_scan_id: 's',
    last_seen_at: '2026-01-01T00:00:00.000Z',
    last_scan_id: 's',
    last_image_id: 'img',
    fixed_at: null,
    updated_at: '2026-01-01T00:00:00.000Z',
  };
}
const dueOf = (i: number) => (i % 11 === 0 ? null : `2026-0${1 + (i % 4)}-15T00:00:00.000Z`);

describe.each(testEngines())('keyset pages on %s', (engine) => {
  let pg: TestPostgres | undefined;
  let store: Store;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bulwark-paging-'));
    if (engine === 'postgres') pg = await startPostgres();
    store = openStore(engine === 'postgres' ? await pg!.newDatabase() : `sqlite:${join(dir, 'r.sqlite')}`);
    await migrate(store);
    for (const id of ['p1', 'p2'])
      await store.db
        .insertInto('projects')
        .values({ id, name: id, description: '', created_at: '2026-01-01T00:00:00.000Z' })
        .execute();
    await store.db
      .insertInto('findings')
      .values(Array.from({ length: 97 }, (_, i) => row('p1', i, dueOf(i))))
      .execute();
    await store.db
      .insertInto('findings')
      .values(Array.from({ length: 5 }, (_, i) => row('p2', i, dueOf(i))))
      .execute();
  });
  afterAll(async () => {
    await store?.close();
    pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const base = () => store.db.selectFrom('findings').selectAll().where('project_id', '=', 'p1');
  /** The whole list in one query, in the engine's own order (as offset pages read it). */
  const all = async (sort: KeysetSort) => {
    let q = base();
    for (const c of sort.columns) q = q.orderBy(sql.ref(c), sort.direction);
    return (await q.execute()).map((r) => r.id);
  };
  const walk = async (sort: KeysetSort, limit: number, between?: (page: number) => Promise<void>) => {
    const ids: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 1000; page++) {
      const r = await keysetPage(base(), sort, { limit, ...(cursor ? { cursor } : {}) }, store.engine);
      expect(r.items.length).toBeLessThanOrEqual(limit);
      ids.push(...r.items.map((x) => x.id));
      if (!r.next) return ids;
      cursor = r.next;
      await between?.(page);
    }
    throw new Error('no last page');
  };

  it.each([1, 2, 7, 10, 96, 97, 100])(
    'walks every row exactly once, in order, at limit %i (ties and NULL keys)',
    async (limit) => {
      for (const sort of [DUE, SEEN]) {
        const expected = await all(sort);
        expect(expected.length).toBe(97);
        const got = await walk(sort, limit);
        expect(got).toEqual(expected);
      }
    },
  );

  it('matches offset pages: the first page is the same and next continues where offset would', async () => {
    const first = await keysetPage(base(), DUE, { limit: 10 }, store.engine);
    const offset = await keysetPage(base(), DUE, { limit: 10, offset: 10 }, store.engine);
    const second = await keysetPage(base(), DUE, { limit: 10, cursor: first.next! }, store.engine);
    expect(second.items.map((r) => r.id)).toEqual(offset.items.map((r) => r.id));
    expect(offset.next).toBe(second.next);
  });

  it('stays stable while rows are inserted: no row twice, none that existed before skipped', async () => {
    const before = new Set(await all(DUE));
    const added: string[] = [];
    const got = await walk(DUE, 9, async (page) => {
      // Rows sorting before, among and after the rows read so far, some with NULL keys.
      const rows = [0, 3, 11, 22].map((i) => row('p1', 1000 + page * 10 + i, dueOf(i)));
      await store.db.insertInto('findings').values(rows).execute();
      added.push(...rows.map((r) => r.id));
    });
    expect(new Set(got).size).toBe(got.length);
    for (const id of before) expect(got).toContain(id);
    // The walk stays in order even with the new rows it met.
    const order = await all(DUE);
    const positions = got.map((id) => order.indexOf(id));
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(added.length).toBeGreaterThan(0);
    await store.db.deleteFrom('findings').where('id', 'in', added).execute();
  });

  it('refuses a cursor of another sort, a forged cursor, and cursor with offset', async () => {
    const p = await keysetPage(base(), DUE, { limit: 5 }, store.engine);
    await expect(keysetPage(base(), SEEN, { limit: 5, cursor: p.next! }, store.engine)).rejects.toThrow(
      /continues the sort "due"/,
    );
    await expect(keysetPage(base(), DUE, { limit: 5, cursor: 'not-a-cursor' }, store.engine)).rejects.toThrow(
      ApiError,
    );
    const forged = Buffer.from(JSON.stringify({ s: 'due', p: 'values', v: [1, 2, 3] })).toString('base64url');
    await expect(keysetPage(base(), DUE, { limit: 5, cursor: forged }, store.engine)).rejects.toThrow(
      /does not fit/,
    );
    await expect(
      keysetPage(base(), DUE, { limit: 5, cursor: p.next!, offset: 5 }, store.engine),
    ).rejects.toThrow(/either cursor or offset/);
  });

  it('counts totals exactly up to the cap and says when it stopped counting', async () => {
    expect(await cappedTotal(store.db, base())).toEqual({ total: 97, totalExact: true });
    expect(await cappedTotal(store.db, base(), 97)).toEqual({ total: 97, totalExact: true });
    expect(await cappedTotal(store.db, base(), 96)).toEqual({ total: 96, totalExact: false });
    expect(await cappedTotal(store.db, base().where('kev', '=', 1))).toEqual({ total: 20, totalExact: true });
    expect(TOTAL_CAP).toBe(10_000);
  });

  it('has the list indexes after migration', async () => {
    const names =
      engine === 'postgres'
        ? (await sql<{ name: string }>`select indexname as name from pg_indexes`.execute(store.db)).rows
        : (await sql<{ name: string }>`select name from sqlite_master where type = 'index'`.execute(store.db))
            .rows;
    const have = new Set(names.map((r) => r.name));
    for (const n of [
      'findings_page_due',
      'findings_page_first_seen',
      'findings_page_state',
      'findings_page_severity',
      'findings_page_kev',
      'findings_page_package',
      'findings_page_overdue',
      'scans_page',
    ])
      expect(have, n).toContain(n);
    if (engine === 'sqlite') {
      // The default list query reads its page from the index, in order (no sort step).
      const plan = await sql<{ detail: string }>`explain query plan select * from findings
        where project_id = 'p1' and (sla_due_at, id) > ('2026-02-15', 'x') order by sla_due_at, id limit 101`.execute(
        store.db,
      );
      const text = plan.rows.map((r) => r.detail).join('\n');
      expect(text).toContain('findings_page_due');
      expect(text).not.toContain('TEMP B-TREE');
    }
  });
});

describe.each(testEngines())('findings route pages on %s', (engine) => {
  let pg: TestPostgres | undefined;
  let h: Harness;
  beforeAll(async () => {
    if (engine === 'postgres') pg = await startPostgres();
    h = await startHarness({ engine, ...(pg ? { pg } : {}) });
    const p = await h.call('POST', '/projects', { token: h.adminToken, body: { name: 'web' } });
    expect(p.status).toBe(201);
    await h.server.services.store.db
      .insertInto('findings')
      .values(Array.from({ length: 40 }, (_, i) => row(p.body.id as string, i, dueOf(i))))
      .execute();
  });
  afterAll(async () => {
    await h?.stop();
    pg?.stop();
  });

  it('follows next through every finding, with the filters kept, and answers totals', async () => {
    const queries: Record<string, string>[] = [
      {},
      { sort: 'first-seen' },
      { fixable: 'true' },
      { package: 'pkg-1', kev: 'false' },
    ];
    for (const query of queries) {
      const whole = await h.call('GET', '/projects/web/findings', {
        token: h.adminToken,
        query: { ...query, limit: '1000' },
      });
      expect(whole.status).toBe(200);
      expect(whole.body.totalExact).toBe(true);
      expect(whole.body.total).toBe(whole.body.items.length);
      expect(whole.body.next).toBeNull();
      const ids: string[] = [];
      let cursor: string | undefined;
      do {
        const r = await h.call('GET', '/projects/web/findings', {
          token: h.adminToken,
          query: { ...query, limit: '3', ...(cursor ? { cursor } : {}) },
        });
        expect(r.status).toBe(200);
        expect(r.body.total).toBe(whole.body.total);
        ids.push(...(r.body.items as { id: string }[]).map((f) => f.id));
        cursor = r.body.next ?? undefined;
      } while (cursor);
      expect(ids).toEqual((whole.body.items as { id: string }[]).map((f) => f.id));
    }
    const fixable = await h.call('GET', '/projects/web/findings', {
      token: h.adminToken,
      query: { fixable: 'false', limit: '1000' },
    });
    expect(fixable.body.items.every((f: { fixedVersion: string | null }) => f.fixedVersion === null)).toBe(
      true,
    );
    expect(fixable.body.total).toBe(10);
  });

  it('answers a bad cursor with a 400 naming it', async () => {
    const r = await h.call('GET', '/projects/web/findings', {
      token: h.adminToken,
      query: { cursor: 'bm9wZQ' },
    });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('E_VALIDATION');
    expect(r.body.error.message).toMatch(/^query\.cursor: /);
  });
});
