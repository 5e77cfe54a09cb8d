/**
 * `db update` against a real HTTP server on 127.0.0.1 serving the shared OSV data zipped per ecosystem
 * (as the OSV export does), the KEV catalog and an EPSS CSV: conditional requests, rollback on failure,
 * Retry-After, HTML error pages, concurrent updates, and readers of the old file.
 */
import { readdirSync, readFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BulwarkError } from '../util/errors.js';
import { openDatabase } from './store.js';
import { HAVE_VULNDATA, KEV_FILE, OSV_DIR, countEcosystem, zipEcosystem } from './test-support/shared.js';
import { startServer, staticBody, type TestServer } from './test-support/http.js';
import { osvArchiveUrl, selectEcosystems, updateDatabase, type UpdateOptions } from './update.js';

const ECOSYSTEMS = ['Go', 'Maven', 'RubyGems', 'crates.io', 'npm'];
const EPSS = gzipSync(
  '#model_version:v2025.03.14,score_date:2025-08-25T00:00:00Z\ncve,epss,percentile\nCVE-2022-41723,0.01,0.5\nCVE-2021-44228,0.94358,0.99957\n',
);

describe('osvArchiveUrl / selectEcosystems', () => {
  it('builds export URLs that keep colons and escape spaces', () => {
    expect(osvArchiveUrl('https://x/', 'Debian:12')).toBe('https://x/Debian:12/all.zip');
    expect(osvArchiveUrl('https://x', 'Rocky Linux:9')).toBe('https://x/Rocky%20Linux:9/all.zip');
  });
  it('keeps ecosystems that have a version scheme', () => {
    expect(selectEcosystems('Go\nHackage\nDebian:12\n\nGIT\nnpm\nnpm\n')).toEqual(['Debian:12', 'Go', 'npm']);
  });
});

describe.skipIf(!HAVE_VULNDATA)('db update over HTTP', () => {
  let server: TestServer;
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-update-'));
  const dbPath = join(dir, 'db', 'bulwark.sqlite');
  const zips = new Map<string, Uint8Array>();
  const kev = readFileSync(KEV_FILE);

  const serveAll = (): void => {
    server.route(
      '/ecosystems.txt',
      staticBody(`${[...ECOSYSTEMS, 'Hackage'].join('\n')}\n`, '"eco-1"', 'text/plain'),
    );
    for (const eco of ECOSYSTEMS)
      server.route(`/${eco}/all.zip`, staticBody(zips.get(eco)!, `"${eco}-1"`, 'application/zip'));
    server.route('/kev.json', staticBody(kev, '"kev-1"', 'application/json'));
    server.route('/epss.csv.gz', staticBody(EPSS, '"epss-1"', 'application/gzip'));
  };
  const options = (extra: Partial<UpdateOptions> = {}): UpdateOptions => ({
    dbPath,
    osvBaseUrl: server.url,
    kevUrl: `${server.url}/kev.json`,
    epssUrl: `${server.url}/epss.csv.gz`,
    download: { retries: 1, backoffMs: 10, timeoutMs: 5000 },
    ...extra,
  });
  const leftovers = (): string[] => readdirSync(join(dir, 'db')).filter((f) => f !== 'bulwark.sqlite');

  beforeAll(async () => {
    for (const eco of ECOSYSTEMS) zips.set(eco, zipEcosystem(eco));
    server = await startServer();
    serveAll();
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('downloads every source into a new database', async () => {
    const report = await updateDatabase(options());
    expect(report.rebuilt).toBe(true);
    expect(report.ecosystems).toEqual([...ECOSYSTEMS].sort()); // Hackage has no version scheme
    for (const eco of ECOSYSTEMS) {
      const { files, withdrawn } = countEcosystem(eco);
      expect(report.sources.find((s) => s.key === `osv:${eco}`)).toMatchObject({
        status: 'imported',
        records: files - withdrawn,
        rejected: 0,
        withdrawn,
      });
    }
    expect(report.sources.find((s) => s.key === 'kev')).toMatchObject({ records: 1404 });
    expect(report.sources.find((s) => s.key === 'epss')).toMatchObject({ records: 2 });
    const db = openDatabase(dbPath);
    try {
      expect(db.lookup('Go', 'golang.org/x/net').map((r) => r.id)).toContain('GO-2023-1571');
      expect(db.epss('CVE-2021-44228')?.score).toBe(0.94358);
      const go = db.status().sources.find((s) => s.key === 'osv:Go')!;
      expect(go).toMatchObject({ url: `${server.url}/Go/all.zip`, etag: '"Go-1"' });
    } finally {
      db.close();
    }
    expect(leftovers()).toEqual([]);
  }, 60_000);

  it('skips unchanged sources with conditional requests (304) and leaves the file alone', async () => {
    const before = statSync(dbPath);
    server.log.length = 0;
    const report = await updateDatabase(options());
    expect(report.rebuilt).toBe(false);
    expect(report.sources.every((s) => s.status === 'unchanged')).toBe(true);
    const notModified = server.log.filter((l) => l.endsWith(' 304'));
    expect(notModified).toHaveLength(ECOSYSTEMS.length + 2);
    expect(statSync(dbPath).ino).toBe(before.ino);
    expect(statSync(dbPath).mtimeMs).toBe(before.mtimeMs);
  }, 60_000);

  it('re-downloads only a changed source, keeps the others, and an open reader keeps the old file', async () => {
    const reader = openDatabase(dbPath);
    const oldNpm = reader.lookup('npm', 'lodash').length;
    expect(oldNpm).toBeGreaterThan(0);
    // The npm archive changes: one advisory less.
    const npmDir = join(OSV_DIR, 'npm');
    const names = readdirSync(npmDir).sort();
    const lodashFile = names.find((n) => readFileSync(join(npmDir, n), 'utf8').includes('"lodash"'))!;
    const files: Record<string, Uint8Array> = {};
    for (const n of names) if (n !== lodashFile) files[n] = readFileSync(join(npmDir, n));
    server.route('/npm/all.zip', staticBody(zipSync(files), '"npm-2"', 'application/zip'));
    server.log.length = 0;
    const report = await updateDatabase(options());
    expect(report.rebuilt).toBe(true);
    expect(report.sources.filter((s) => s.status === 'imported').map((s) => s.key)).toEqual(['osv:npm']);
    expect(server.log.filter((l) => l.endsWith(' 200'))).toEqual([
      'GET /ecosystems.txt 200',
      'GET /npm/all.zip 200',
    ]);

    // The reader opened before the update still sees the old file (rename semantics).
    expect(reader.lookup('npm', 'lodash')).toHaveLength(oldNpm);
    reader.close();
    const db = openDatabase(dbPath);
    try {
      expect(db.lookup('npm', 'lodash')).toHaveLength(oldNpm - 1);
      expect(db.lookup('Go', 'golang.org/x/net').length).toBeGreaterThan(20); // carried over
      expect(db.kev('CVE-2021-44228')).toBeDefined();
      expect(db.status().sources.find((s) => s.key === 'osv:npm')?.etag).toBe('"npm-2"');
    } finally {
      db.close();
    }
  }, 60_000);

  async function expectRollback(run: () => Promise<unknown>, kind: string, message: RegExp): Promise<void> {
    const before = readFileSync(dbPath);
    const err = await run().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BulwarkError);
    expect((err as BulwarkError).kind).toBe(kind);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).toMatch(/\(the previous database is unchanged\)$/);
    expect(readFileSync(dbPath).equals(before)).toBe(true);
    const db = openDatabase(dbPath);
    expect(db.lookup('Go', 'golang.org/x/net').length).toBeGreaterThan(20);
    db.close();
    expect(leftovers()).toEqual([]);
  }

  it('a connection dropped mid-download fails after retries and leaves the old database intact', async () => {
    const zip = zips.get('Go')!;
    server.route('/Go/all.zip', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/zip', 'content-length': zip.length, etag: '"Go-2"' });
      res.write(Buffer.from(zip.subarray(0, Math.floor(zip.length / 2))), () => res.socket?.destroy());
    });
    await expectRollback(
      () => updateDatabase(options()),
      'network',
      /Go\/all\.zip: (connection lost|truncated download).*gave up after 2 attempts/,
    );
    serveAll();
  }, 60_000);

  it('an HTML page instead of the zip is a clear error, with rollback', async () => {
    server.route('/crates.io/all.zip', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!DOCTYPE html><html><body><h1>Please sign in</h1></body></html>');
    });
    await expectRollback(
      () => updateDatabase(options()),
      'network',
      /crates\.io\/all\.zip: got an HTML page instead of a zip archive/,
    );
    serveAll();
  }, 60_000);

  it('HTTP 404 and a stalled server fail clearly', async () => {
    await expectRollback(
      () => updateDatabase(options({ ecosystems: ['Go', 'Debian:12'] })),
      'network',
      /Debian:12\/all\.zip: HTTP 404 Not Found/,
    );
    server.route('/kev.json', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', etag: '"kev-2"' });
      res.write('{"title": '); // then nothing
    });
    await expectRollback(
      () => updateDatabase(options({ download: { retries: 0, timeoutMs: 300 } })),
      'network',
      /kev\.json: download stalled for 0\.3 s/,
    );
    serveAll();
  }, 60_000);

  it('429 with Retry-After: waits as told (not the long backoff), then succeeds', async () => {
    const zip = zips.get('RubyGems')!;
    server.route('/RubyGems/all.zip', (_req, res, hit) => {
      if (hit === 1) {
        res.writeHead(429, { 'retry-after': '1' });
        res.end('slow down');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/zip', etag: '"RubyGems-2"' });
      res.end(Buffer.from(zip));
    });
    const start = Date.now();
    const report = await updateDatabase(options({ download: { retries: 2, backoffMs: 60_000 } }));
    const elapsed = Date.now() - start;
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(30_000);
    expect(report.sources.find((s) => s.key === 'osv:RubyGems')).toMatchObject({
      status: 'imported',
      records: 14,
    });
    serveAll();
  }, 60_000);

  it('two concurrent updates do not corrupt anything: the second waits for the first', async () => {
    server.route('/npm/all.zip', staticBody(zips.get('npm')!, '"npm-3"', 'application/zip'));
    const [a, b] = await Promise.all([updateDatabase(options()), updateDatabase(options())]);
    // Exactly one downloaded the changed archive; the other then found it unchanged.
    expect([a.rebuilt, b.rebuilt].sort()).toEqual([false, true]);
    const db = openDatabase(dbPath);
    try {
      expect(db.lookup('npm', 'lodash').length).toBeGreaterThan(0);
      expect(db.status().sources.find((s) => s.key === 'osv:npm')?.etag).toBe('"npm-3"');
    } finally {
      db.close();
    }
    expect(leftovers()).toEqual([]);
  }, 60_000);

  it('db import <URL> installs data straight from a server', async () => {
    const target = join(dir, 'from-url.sqlite');
    const { importInputs } = await import('./import.js');
    const report = await importInputs([`${server.url}/Go/all.zip`, `${server.url}/epss.csv.gz`], {
      dbPath: target,
    });
    expect(report.sources.map((s) => [s.key, s.records])).toEqual([
      ['epss', 2],
      ['osv:Go', countEcosystem('Go').files - countEcosystem('Go').withdrawn],
    ]);
  }, 60_000);
});
