import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BulwarkError } from '../util/errors.js';
import { importInputs } from './import.js';
import { acquireLock } from './lock.js';
import { isCorruptionError, openDatabase, verifyDatabaseFile } from './store.js';

const root = mkdtempSync(join(tmpdir(), 'bulwark-store-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function writeJson(path: string, data: unknown): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, JSON.stringify(data));
}

const osv = join(root, 'osv');
const dbPath = join(root, 'cache', 'bulwark.sqlite');

beforeAll(async () => {
  writeJson(join(osv, 'PyPI', 'PYSEC-2024-1.json'), {
    id: 'PYSEC-2024-1',
    modified: '2024-01-01T00:00:00Z',
    aliases: ['CVE-2024-1111', 'GHSA-aaaa-bbbb-cccc'],
    affected: [
      {
        package: { ecosystem: 'PyPI', name: 'Zope.Interface' },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '5.0' }] }],
      },
    ],
  });
  writeJson(join(osv, 'PyPI', 'PYSEC-2024-2.json'), {
    id: 'PYSEC-2024-2',
    modified: '2024-01-01T00:00:00Z',
    withdrawn: '2024-02-01T00:00:00Z',
    affected: [],
  });
  writeFileSync(join(osv, 'PyPI', 'PYSEC-2024-3.json'), '{"id": "PYSEC-2024-3", "modified"');
  writeJson(join(osv, 'PyPI', 'PYSEC-2024-4.json'), { id: 'PYSEC-2024-4' });
  writeJson(join(osv, 'Debian:12', 'DEBIAN-CVE-2024-2222.json'), {
    id: 'DEBIAN-CVE-2024-2222',
    modified: '2024-03-01T00:00:00Z',
    upstream: ['CVE-2024-2222'],
    affected: [
      {
        package: { ecosystem: 'Debian:12', name: 'openssl' },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0.13-1~deb12u1' }] }],
      },
    ],
  });
  writeJson(join(osv, 'Debian:11', 'DEBIAN-CVE-2024-2222.json'), {
    id: 'DEBIAN-CVE-2024-2222',
    modified: '2024-02-01T00:00:00Z',
    upstream: ['CVE-2024-2222'],
    affected: [
      {
        package: { ecosystem: 'Debian:11', name: 'openssl' },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.1.1w-0+deb11u2' }] }],
      },
    ],
  });
  writeJson(join(root, 'kev.json'), {
    catalogVersion: '2025.01.01',
    vulnerabilities: [
      {
        cveID: 'CVE-2024-1111',
        dateAdded: '2024-05-01',
        dueDate: '2024-05-22',
        knownRansomwareCampaignUse: 'Known',
      },
    ],
  });
  writeFileSync(
    join(root, 'epss.csv.gz'),
    gzipSync(
      '#model_version:v2025.03.14,score_date:2025-08-25T00:00:00Z\ncve,epss,percentile\nCVE-2024-1111,0.5,0.9\n',
    ),
  );
  const report = await importInputs([osv, join(root, 'kev.json'), join(root, 'epss.csv.gz')], { dbPath });
  expect(report.sources.map((s) => [s.key, s.records, s.rejected, s.withdrawn])).toEqual([
    ['epss', 1, 0, 0],
    ['kev', 1, 0, 0],
    ['osv:Debian:11', 1, 0, 0],
    ['osv:Debian:12', 1, 0, 0],
    ['osv:PyPI', 1, 2, 1],
  ]);
  const pypi = report.sources.find((s) => s.key === 'osv:PyPI')!;
  expect(pypi.reasons).toEqual([
    expect.stringMatching(/^PYSEC-2024-3\.json: invalid JSON/),
    expect.stringMatching(/^PYSEC-2024-4\.json: modified: /),
  ]);
});

describe('the database', () => {
  it('looks packages up with per-ecosystem name normalisation and release matching', () => {
    const db = openDatabase(dbPath);
    try {
      expect(db.lookup('PyPI', 'zope-interface').map((r) => r.id)).toEqual(['PYSEC-2024-1']);
      expect(db.lookup('pypi', 'ZOPE_interface').map((r) => r.id)).toEqual(['PYSEC-2024-1']);
      expect(db.lookup('npm', 'zope-interface')).toEqual([]);
      const d12 = db.lookup('Debian:12', 'openssl');
      expect(d12.map((r) => r.affected[0]!.package!.ecosystem)).toEqual(['Debian:12']);
      // A bare ecosystem matches every release; one id is reported once (the newest modified wins).
      expect(db.lookup('Debian', 'openssl').map((r) => [r.id, r.modified])).toEqual([
        ['DEBIAN-CVE-2024-2222', '2024-03-01T00:00:00Z'],
      ]);
      expect(db.lookup('Debian:12', 'OpenSSL')).toEqual([]); // dpkg names are case-sensitive
    } finally {
      db.close();
    }
  });

  it('finds records by id, alias and upstream id; KEV and EPSS by CVE', () => {
    const db = openDatabase(dbPath);
    try {
      expect(db.byId('PYSEC-2024-1').map((r) => r.id)).toEqual(['PYSEC-2024-1']);
      expect(db.byId('GHSA-aaaa-bbbb-cccc').map((r) => r.id)).toEqual(['PYSEC-2024-1']);
      expect(db.byId('CVE-2024-2222').map((r) => r.id)).toEqual(['DEBIAN-CVE-2024-2222']);
      expect(db.byId('PYSEC-2024-2')).toEqual([]); // withdrawn
      expect(db.kev('cve-2024-1111')).toEqual({
        cve: 'CVE-2024-1111',
        dateAdded: '2024-05-01',
        dueDate: '2024-05-22',
        ransomware: true,
      });
      expect(db.kev('CVE-2000-0001')).toBeUndefined();
      expect(db.epss('CVE-2024-1111')).toEqual({
        cve: 'CVE-2024-1111',
        score: 0.5,
        percentile: 0.9,
        date: '2025-08-25',
      });
      const status = db.status();
      expect(status).toMatchObject({ schemaVersion: 1, counts: { records: 2, kev: 1, epss: 1, aliases: 4 } });
      expect(status.sources.find((s) => s.key === 'epss')?.note).toBe(
        'score date 2025-08-25, model v2025.03.14',
      );
      expect(Date.now() - Date.parse(status.builtAt)).toBeLessThan(600_000);
    } finally {
      db.close();
    }
  });

  it('a new import replaces its own sources and keeps the others', async () => {
    const other = join(root, 'other');
    writeJson(join(other, 'PyPI', 'PYSEC-2025-9.json'), {
      id: 'PYSEC-2025-9',
      modified: '2025-01-01T00:00:00Z',
      affected: [{ package: { ecosystem: 'PyPI', name: 'jinja2' }, versions: ['3.1.2'] }],
    });
    const copy = join(root, 'replace.sqlite');
    copyFileSync(dbPath, copy);
    const report = await importInputs([other], { dbPath: copy });
    expect(report.carriedOver).toBe(4);
    const db = openDatabase(copy);
    try {
      expect(db.lookup('PyPI', 'zope.interface')).toEqual([]); // osv:PyPI was replaced
      expect(db.lookup('PyPI', 'Jinja2').map((r) => r.id)).toEqual(['PYSEC-2025-9']);
      expect(db.lookup('Debian:12', 'openssl')).toHaveLength(1);
      expect(db.byId('CVE-2024-2222')).toHaveLength(1);
      expect(db.kev('CVE-2024-1111')).toBeDefined();
    } finally {
      db.close();
    }
  });

  it('installs a prebuilt database after validating it; a damaged one is refused and the old one kept', async () => {
    const target = join(root, 'installed.sqlite');
    const report = await importInputs([dbPath], { dbPath: target });
    expect(report.prebuilt).toBe(dbPath);
    expect(readFileSync(target).equals(readFileSync(dbPath))).toBe(true);

    const damaged = join(root, 'damaged.sqlite');
    const bytes = readFileSync(dbPath);
    writeFileSync(damaged, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const err = await importInputs([damaged], { dbPath: target }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BulwarkError);
    expect((err as BulwarkError).kind).toBe('database');
    expect((err as Error).message).toMatch(/damaged\.sqlite: /);
    expect(readFileSync(target).equals(bytes)).toBe(true);
  });

  it('refuses foreign SQLite files and other schema versions', async () => {
    const foreign = join(root, 'foreign.sqlite');
    new Database(foreign).exec('CREATE TABLE t (x)');
    expect(() => openDatabase(foreign)).toThrow(/not a Bulwark vulnerability database/);
    await expect(importInputs([foreign], { dbPath: join(root, 'x.sqlite') })).rejects.toThrow(
      /not a Bulwark vulnerability database/,
    );

    const future = join(root, 'future.sqlite');
    copyFileSync(dbPath, future);
    const h = new Database(future);
    h.prepare("UPDATE meta SET value = '99' WHERE key = 'schema_version'").run();
    h.close();
    expect(() => openDatabase(future)).toThrow(
      /database schema 99 is not supported \(this Bulwark reads schema 1\)/,
    );

    const text = join(root, 'text.sqlite');
    writeFileSync(text, 'hello');
    expect(() => openDatabase(text)).toThrow(/not a SQLite database/);
  });

  it('a truncated copy is refused at open from its header alone, with the database exit code', () => {
    const truncated = join(root, 'truncated.sqlite');
    const bytes = readFileSync(dbPath);
    writeFileSync(truncated, bytes.subarray(0, bytes.length - 4096));
    const err = (() => {
      try {
        openDatabase(truncated);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(BulwarkError);
    expect((err as BulwarkError).exitCode).toBe(4);
    expect((err as BulwarkError).code).toBe('E_DB_CORRUPT');
    expect((err as Error).message).toMatch(/the file is truncated: \d+ bytes, the header says \d+ pages/);
    expect(() => verifyDatabaseFile(dbPath)).not.toThrow();
  });

  it('tells corruption from other SQLite errors', () => {
    expect(isCorruptionError({ code: 'SQLITE_CORRUPT' })).toBe(true);
    expect(isCorruptionError({ code: 'SQLITE_CORRUPT_INDEX' })).toBe(true);
    expect(isCorruptionError({ code: 'SQLITE_NOTADB' })).toBe(true);
    expect(isCorruptionError({ code: 'SQLITE_BUSY' })).toBe(false);
    expect(isCorruptionError(new Error('x'))).toBe(false);
  });

  it('a missing database says how to get one', () => {
    const err = (() => {
      try {
        openDatabase(join(root, 'nope', 'db.sqlite'));
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(BulwarkError);
    expect((err as BulwarkError).exitCode).toBe(4);
    expect((err as Error).message).toMatch(
      /no vulnerability database at .*: run `bulwark db update`, or `bulwark db import <file>` offline/,
    );
  });

  it('an HTML page or unknown file is refused with one line', async () => {
    const page = join(root, 'page.zip');
    writeFileSync(page, '<html><body>Login</body></html>');
    await expect(importInputs([page], { dbPath: join(root, 'y.sqlite') })).rejects.toThrow(
      /page\.zip: is an HTML page/,
    );
    const bin = join(root, 'random.bin');
    writeFileSync(bin, 'just text');
    await expect(importInputs([bin], { dbPath: join(root, 'y.sqlite') })).rejects.toThrow(
      /not an OSV folder or zip/,
    );
  });

  it('a second writer waits for the lock, or fails clearly after its timeout', async () => {
    const target = join(root, 'locked.sqlite');
    const release = await acquireLock(target);
    try {
      await expect(
        importInputs([join(root, 'kev.json')], { dbPath: target, lock: { timeoutMs: 300, pollMs: 50 } }),
      ).rejects.toThrow(/being updated by process \d+ on .*; try again later/);
    } finally {
      release();
    }
    const waiting = importInputs([join(root, 'kev.json')], {
      dbPath: target,
      lock: { timeoutMs: 5000, pollMs: 20 },
    });
    const release2 = await acquireLock(`${target}-other`); // unrelated lock: no interference
    release2();
    await expect(waiting).resolves.toMatchObject({ sources: [{ key: 'kev', records: 1 }] });
  });

  it('takes over a lock left by a process that no longer exists', async () => {
    const target = join(root, 'stale.sqlite');
    const { hostname } = await import('node:os');
    writeFileSync(
      `${target}.lock`,
      JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), startedAt: '2020-01-01T00:00:00Z' }),
    );
    // …and the half-built file and download that crashed run left behind.
    const leftovers = [
      '.stale.sqlite.4206.0badcafe.tmp',
      '.stale.sqlite.4206.0badcafe.tmp-journal',
      '.stale.sqlite.4206.deadbeef.download',
    ];
    for (const f of leftovers) writeFileSync(join(root, f), 'partial');
    await expect(
      importInputs([join(root, 'kev.json')], { dbPath: target, lock: { timeoutMs: 0 } }),
    ).resolves.toBeDefined();
    expect(leftovers.filter((f) => existsSync(join(root, f)))).toEqual([]);
    expect(existsSync(`${target}.lock`)).toBe(false);
  });
});
