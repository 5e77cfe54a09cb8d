import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { tempDir } from '../../source/test-support/build.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryView, testLayer } from '../test-support/memory-view.js';
import type { CatalogContext, CatalogResult, Package } from '../types.js';
import { rpmCataloger } from './cataloger.js';
import { readBdbHashValues } from './db-bdb.js';
import { readNdbBlobs } from './db-ndb.js';
import { readSqliteBlobs } from './db-sqlite.js';
import {
  buildRpmFixtures,
  dbLoadCommand,
  missingRpmTools,
  rpmQueryAll,
  writeBdb,
  writeNdb,
  type RpmFixtures,
} from './test-support/rpm-fixtures.js';
import { prerequisite } from '../../test-support/require.js';

const missing = missingRpmTools();
prerequisite(
  missing === undefined,
  `rpm-db database tests: ${missing} is not installed (apt-get install -y rpm db-util)`,
);
const dbLoad = dbLoadCommand();
if (!missing)
  prerequisite(
    dbLoad !== undefined,
    'rpm-db Berkeley DB tests: db_load is not installed (apt-get install -y db-util)',
  );

const ctx: CatalogContext = {
  source: { kind: 'directory', target: 'root', path: 'root' },
  distro: { id: 'fedora', versionId: '40', idLike: [] },
};

async function run(
  files: Parameters<typeof memoryView>[0],
): Promise<CatalogResult & { byName: Map<string, Package> }> {
  const res = await rpmCataloger.catalog(memoryView(files, rpmCataloger.match), ctx);
  return { ...res, byName: new Map(res.packages.map((p) => [p.name, p])) };
}

describe('rpm-db cataloger: matching', () => {
  it.each([
    ['/var/lib/rpm/rpmdb.sqlite', true],
    ['/usr/lib/sysimage/rpm/rpmdb.sqlite', true],
    ['/var/lib/rpm/Packages', true],
    ['/usr/lib/sysimage/rpm/Packages.db', true],
    ['/var/lib/rpm/Packages.db', true],
    ['/var/lib/rpm/rpmdb.sqlite-wal', true],
    ['/usr/lib/sysimage/rpm/rpmdb.sqlite-wal', true],
    ['/var/lib/rpm/rpmdb.sqlite-shm', false],
    ['/var/lib/rpm/Name', false],
  ])('%s → %s', (path, expected) => {
    expect(rpmCataloger.match(path)).toBe(expected);
  });
});

describe('rpm-db cataloger: garbage databases', () => {
  it.each([
    ['/var/lib/rpm/rpmdb.sqlite', Buffer.from('definitely not sqlite'), /not an SQLite database/],
    [
      '/var/lib/rpm/rpmdb.sqlite',
      Buffer.concat([Buffer.from('SQLite format 3\0', 'latin1'), Buffer.alloc(5000, 0xa5)]),
      /cannot read rpmdb.sqlite/,
    ],
    ['/var/lib/rpm/Packages', Buffer.alloc(4096, 0x11), /not a Berkeley DB hash database/],
    ['/var/lib/rpm/Packages', Buffer.from('tiny'), /too short/],
    ['/usr/lib/sysimage/rpm/Packages.db', Buffer.alloc(64, 0), /not an rpm ndb database/],
  ])('%s with garbage is an unknown, not a crash', async (path, content, reason) => {
    const res = await run({ [path]: content });
    expect(res.packages).toEqual([]);
    expect(res.unknowns).toHaveLength(1);
    expect(res.unknowns![0]).toMatchObject({ path, cataloger: 'rpm-db' });
    expect(res.unknowns![0]!.reason).toMatch(reason);
  });

  it('rejects an ndb whose slot area exceeds the file', () => {
    const b = Buffer.alloc(4096);
    b.write('RpmP', 0, 'latin1');
    b.writeUInt32LE(1_000_000, 12);
    expect(() => readNdbBlobs(b)).toThrow(/exceeds the file/);
  });
});

describe.skipIf(missing !== undefined)('rpm-db cataloger on real databases', () => {
  let fx: RpmFixtures;
  beforeAll(() => {
    fx = buildRpmFixtures();
  }, 60_000);
  afterAll(() => fx?.cleanup());

  function expectWidgetSet(res: Awaited<ReturnType<typeof run>>): void {
    expect([...res.byName.keys()].sort()).toEqual(['hello-tiny', 'libwidget', 'widget']);
  }

  it('reads rpmdb.sqlite with every field', async () => {
    const res = await run({ '/var/lib/rpm/rpmdb.sqlite': fx.sqliteAll });
    expect(res.unknowns).toEqual([]);
    expectWidgetSet(res);
    expect(res.byName.get('libwidget')).toMatchObject({
      id: '',
      type: 'rpm',
      foundBy: 'rpm-db',
      version: '3:2.0-1.test',
      arch: 'noarch',
      purl: 'pkg:rpm/fedora/libwidget@2.0-1.test?arch=noarch&distro=fedora-40&epoch=3&upstream=widget-2.0-1.test.src.rpm',
      sourceName: 'widget',
      sourceVersion: '3:2.0-1.test',
      licenses: ['MIT AND Apache-2.0'],
      // The %dir /usr/lib/widget entry is a directory and is left out.
      files: ['/usr/lib/widget/core.txt'],
      locations: [{ path: '/var/lib/rpm/rpmdb.sqlite' }],
      metadata: {
        epoch: 3,
        release: '1.test',
        vendor: 'Example Vendor',
        modularityLabel: 'widget:2:20240101:abcd',
        sourceRpm: 'widget-2.0-1.test.src.rpm',
        summary: 'Widget library',
      },
    });
    expect(res.byName.get('hello-tiny')).toMatchObject({
      version: '1.2-3',
      purl: 'pkg:rpm/fedora/hello-tiny@1.2-3?arch=noarch&distro=fedora-40&upstream=hello-tiny-1.2-3.src.rpm',
      sourceName: 'hello-tiny',
      sourceVersion: '1.2-3',
      licenses: ['MIT'],
      files: ['/usr/share/hello-tiny/greeting.txt'],
    });
    expect(res.byName.get('hello-tiny')!.metadata!.size).toBe(6);
  });

  it('prefers /usr/lib/sysimage/rpm and reads one database only', async () => {
    const res = await run({
      '/usr/lib/sysimage/rpm/rpmdb.sqlite': fx.sqliteAll,
      '/var/lib/rpm/rpmdb.sqlite': fx.sqliteFirst,
    });
    expect(res.packages).toHaveLength(3);
    expect(res.packages.every((p) => p.locations[0]!.path === '/usr/lib/sysimage/rpm/rpmdb.sqlite')).toBe(
      true,
    );
  });

  it('attributes packages to the layer that installed them', async () => {
    const res = await run({
      '/var/lib/rpm/rpmdb.sqlite': {
        content: fx.sqliteAll,
        layer: testLayer(2),
        history: [
          { layer: testLayer(0), content: fx.sqliteFirst },
          { layer: testLayer(1), content: fx.sqliteAll },
        ],
      },
    });
    expect(res.byName.get('hello-tiny')!.layer).toEqual(testLayer(0));
    expect(res.byName.get('widget')!.layer).toEqual(testLayer(1));
    expect(res.byName.get('libwidget')!.locations).toEqual([
      { path: '/var/lib/rpm/rpmdb.sqlite', layer: testLayer(1) },
    ]);
  });

  it('reads an ndb Packages.db (with a free slot) and verifies checksums', async () => {
    const ndb = writeNdb(fx.blobs, 2);
    expect(readNdbBlobs(ndb)).toEqual({ values: fx.blobs, problems: [] });
    const res = await run({ '/usr/lib/sysimage/rpm/Packages.db': ndb });
    expect(res.unknowns).toEqual([]);
    expectWidgetSet(res);
    expect(res.byName.get('widget')!.files).toEqual(['/usr/bin/widget']);

    const corrupt = Buffer.from(ndb);
    corrupt[4096 + 40] = corrupt[4096 + 40]! ^ 0xff; // inside the first blob
    const bad = await run({ '/usr/lib/sysimage/rpm/Packages.db': corrupt });
    expect(bad.packages).toHaveLength(2);
    expect(bad.unknowns!.map((u) => u.reason)).toEqual(['package 1: checksum mismatch']);
  });

  it('reports a corrupt header blob and keeps the other packages', () => {
    const blobs = fx.blobs.map((b) => Buffer.from(b));
    blobs[1]!.writeUInt32BE(0x7fffffff, 0); // hostile index count
    return run({ '/var/lib/rpm/Packages.db': writeNdb(blobs) }).then((res) => {
      expect(res.packages).toHaveLength(2);
      expect(res.unknowns!.map((u) => u.reason)).toEqual([
        'header 2: implausible header index count 2147483647',
      ]);
    });
  });

  it('reads WAL-mode sqlite databases without touching the original bytes', () => {
    expect(fx.sqliteAll[18]).toBe(2); // rpm writes its sqlite database in WAL mode
    const before = Buffer.from(fx.sqliteAll);
    expect(readSqliteBlobs(fx.sqliteAll)).toHaveLength(3);
    expect(fx.sqliteAll.equals(before)).toBe(true);
  });

  describe.skipIf(!dbLoad)('Berkeley DB', () => {
    it.each([
      { pageSize: 512, bigEndian: false },
      { pageSize: 512, bigEndian: true },
      { pageSize: 4096, bigEndian: false },
      { pageSize: 16384, bigEndian: true },
    ])('reads a hash database with $pageSize-byte pages, big-endian=$bigEndian', async (opts) => {
      const path = writeBdb(dbLoad!, fx.dir, fx.blobs, opts);
      if (!opts.bigEndian) {
        // Debian's rpm reads Berkeley DB through its own bdb_ro backend: proof the file is genuine.
        expect(rpmQueryAll(dirname(path), 'bdb_ro')).toEqual(['hello-tiny', 'libwidget', 'widget']);
      }
      const file = readFileSync(path);
      const values = readBdbHashValues(file);
      expect(values.problems).toEqual([]);
      expect(
        values.values
          .filter((v) => v.length > 4)
          .map((v) => fx.blobs.findIndex((b) => b.equals(v)))
          .sort(),
      ).toEqual([0, 1, 2]);
      const res = await run({ '/var/lib/rpm/Packages': file });
      expect(res.unknowns).toEqual([]);
      expectWidgetSet(res);
      expect(res.byName.get('libwidget')!.version).toBe('3:2.0-1.test');
    });

    const pageTypes = (file: Buffer, pageSize: number): number[] =>
      Array.from({ length: file.length / pageSize }, (_, i) => file[i * pageSize + 25]!);

    it('covers both value layouts: overflow chains on small pages, inline items on large ones', () => {
      const small = readFileSync(writeBdb(dbLoad!, fx.dir, fx.blobs, { pageSize: 512, bigEndian: false }));
      expect(pageTypes(small, 512).filter((t) => t === 7).length).toBeGreaterThan(6);
      const large = readFileSync(writeBdb(dbLoad!, fx.dir, fx.blobs, { pageSize: 16384, bigEndian: true }));
      expect(pageTypes(large, 16384).filter((t) => t === 7)).toEqual([]);
    });

    it('survives a looping overflow chain', () => {
      const file = Buffer.from(
        readFileSync(writeBdb(dbLoad!, fx.dir, fx.blobs, { pageSize: 512, bigEndian: false })),
      );
      // Point every overflow page's next-page link at itself.
      for (let p = 1; p < file.length / 512; p++)
        if (file[p * 512 + 25] === 7) file.writeUInt32LE(p, p * 512 + 16);
      const r = readBdbHashValues(file);
      expect(r.values.filter((v) => v.length > 4)).toEqual([]);
      expect(r.problems.length).toBeGreaterThanOrEqual(3);
      expect(r.problems.every((p) => /overflow/.test(p))).toBe(true);
    });

    it('reports a truncated database instead of crashing', async () => {
      const file = readFileSync(writeBdb(dbLoad!, fx.dir, fx.blobs, { pageSize: 512, bigEndian: false }));
      const res = await run({ '/var/lib/rpm/Packages': file.subarray(0, Math.floor(file.length / 2)) });
      expect(res.packages.length).toBeLessThan(3);
      expect(res.unknowns!.length).toBeGreaterThan(0);
    });
  });
});

describe.skipIf(missing !== undefined)('rpm-db cataloger: the SQLite write-ahead log', () => {
  let fx: RpmFixtures;
  /** hello-tiny checkpointed in the database file; widget and libwidget committed only in the WAL. */
  let main: Buffer;
  let wal: Buffer;
  beforeAll(() => {
    fx = buildRpmFixtures();
    const dir = tempDir();
    const path = join(dir, 'rpmdb.sqlite');
    // Start from rpm's one-package database, then commit two packages without a checkpoint.
    writeFileSync(path, fx.sqliteFirst);
    const db = new Database(path);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.pragma('wal_autocheckpoint = 0');
    const insert = db.prepare('INSERT INTO Packages (hnum, blob) VALUES (?, ?)');
    db.transaction(() => {
      insert.run(1000, fx.blobs[1]);
      insert.run(1001, fx.blobs[2]);
    })();
    // Copied while the connection is open: closing would checkpoint the log into the file.
    main = readFileSync(path);
    wal = readFileSync(`${path}-wal`);
    db.close();
  }, 60_000);
  afterAll(() => fx?.cleanup());

  it('the WAL really holds the commits and the file alone does not', () => {
    expect(wal.length).toBeGreaterThan(32);
    expect(readSqliteBlobs(main)).toHaveLength(1);
    expect(readSqliteBlobs(main, wal)).toHaveLength(3);
  });

  it('packages committed in the WAL and not checkpointed are found', async () => {
    const res = await run({ '/var/lib/rpm/rpmdb.sqlite': main, '/var/lib/rpm/rpmdb.sqlite-wal': wal });
    expect([...res.byName.keys()].sort()).toEqual(['hello-tiny', 'libwidget', 'widget']);
    expect(res.unknowns ?? []).toEqual([]);
  });

  it('a layer that only changed the WAL is credited with what it committed', async () => {
    const res = await run({
      '/usr/lib/sysimage/rpm/rpmdb.sqlite': { content: main, layer: testLayer(0) },
      '/usr/lib/sysimage/rpm/rpmdb.sqlite-wal': { content: wal, layer: testLayer(1) },
    });
    expect(res.byName.get('hello-tiny')!.locations[0]!.layer).toEqual(testLayer(0));
    expect(res.byName.get('widget')!.locations[0]!.layer).toEqual(testLayer(1));
  });

  it('an empty or garbage WAL changes nothing (SQLite ignores frames that do not belong)', async () => {
    for (const bad of [Buffer.alloc(0), Buffer.alloc(4096, 0x5a)]) {
      const res = await run({ '/var/lib/rpm/rpmdb.sqlite': main, '/var/lib/rpm/rpmdb.sqlite-wal': bad });
      expect([...res.byName.keys()]).toEqual(['hello-tiny']);
    }
  });
});
