/**
 * A vulnerability database with a valid SQLite header and damaged pages (bytes overwritten in the middle
 * of a real file built here): every command that reads it exits 4 with one line, and `db update` /
 * `db import` rebuild it instead of failing.
 */
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
  closeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync, strToU8 } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, staticBody, type TestServer } from '../../db/test-support/http.js';
import { runCli } from '../test-support/capture.js';

const N = 3000;
const dir = mkdtempSync(join(tmpdir(), 'bulwark-db-corrupt-'));
const env = { PATH: process.env.PATH, HOME: dir, BULWARK_CACHE_DIR: join(dir, 'cache'), NO_COLOR: '1' };
const good = join(dir, 'good.sqlite');
const osvDir = join(dir, 'osv');

function record(i: number): object {
  return {
    schema_version: '1.6.0',
    id: `GHSA-test-${String(i).padStart(4, '0')}`,
    modified: '2026-01-01T00:00:00Z',
    aliases: [`CVE-2099-${String(10000 + i)}`],
    details: `Advisory ${i} written by the test, with some text so that records take room: ${'x'.repeat(200)}`,
    affected: [
      {
        package: { ecosystem: 'npm', name: `pkg-${i}` },
        ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '2.0.0' }] }],
      },
    ],
  };
}

/** Overwrite the middle fifth of `file` with deterministic garbage; the 100-byte header stays valid. */
function damage(file: string): void {
  const size = statSync(file).size;
  const start = Math.floor(size * 0.4);
  const garbage = Buffer.alloc(Math.floor(size * 0.2));
  let x = 0x2545f491;
  for (let i = 0; i < garbage.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    garbage[i] = x & 0xff;
  }
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, garbage, 0, garbage.length, start);
  } finally {
    closeSync(fd);
  }
}

function corruptCopy(name: string): string {
  const file = join(dir, name);
  copyFileSync(good, file);
  damage(file);
  expect(readFileSync(file).subarray(0, 16).toString('latin1')).toBe('SQLite format 3\0');
  return file;
}

beforeAll(async () => {
  mkdirSync(osvDir);
  for (let i = 0; i < N; i++) writeFileSync(join(osvDir, `r${i}.json`), JSON.stringify(record(i)));
  const r = await runCli(['db', 'import', osvDir, '--db', good], { env, cwd: dir });
  expect(r.code).toBe(0);
  writeFileSync(
    join(dir, 'bom.cdx.json'),
    JSON.stringify({
      bomFormat: 'CycloneDX',
      specVersion: '1.5',
      version: 1,
      components: Array.from({ length: N }, (_, i) => ({
        type: 'library',
        'bom-ref': `r${i}`,
        name: `pkg-${i}`,
        version: '1.0.0',
        purl: `pkg:npm/pkg-${i}@1.0.0`,
      })),
    }),
  );
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const oneLine = (stderr: string): void => {
  expect(stderr.trim().split('\n')).toHaveLength(1);
  expect(stderr).toMatch(/^bulwark: .*corrupt.*\n$/);
  expect(stderr).not.toMatch(/internal error| {4}at /);
};

describe('a corrupt vulnerability database', () => {
  it('the intact database scans (the test data is sound)', async () => {
    const r = await runCli(['scan', 'sbom://bom.cdx.json', '--offline', '--db', good, '-q', '-f', 'json'], {
      env,
      cwd: dir,
    });
    expect(r.stderr).toBe('');
    expect((JSON.parse(r.stdout) as { findings: unknown[] }).findings).toHaveLength(N);
  });

  it('scan and db status exit 4 with one line', async () => {
    const file = corruptCopy('scan.sqlite');
    for (const argv of [
      ['scan', 'sbom://bom.cdx.json', '--offline', '--db', file, '-q'],
      ['db', 'status', '--db', file],
    ]) {
      const r = await runCli(argv, { env, cwd: dir });
      expect([argv.join(' '), r.code]).toEqual([argv.join(' '), 4]);
      oneLine(r.stderr);
      expect(r.stderr).toContain('bulwark db update');
    }
  });

  it('db search exits 4 with one line when it reads a damaged page, and answers right otherwise', async () => {
    const file = corruptCopy('search.sqlite');
    const codes = new Map<number, number>();
    for (let i = 0; i < N; i += 100) {
      const r = await runCli(['db', 'search', `pkg-${i}`, '--db', file], { env, cwd: dir });
      codes.set(r.code, (codes.get(r.code) ?? 0) + 1);
      if (r.code === 4) oneLine(r.stderr);
      else {
        expect(r.code).toBe(0);
        expect(r.stdout).toContain(`GHSA-test-${String(i).padStart(4, '0')}`);
      }
    }
    expect(codes.get(4)).toBeGreaterThan(0);
  });

  it('db import rebuilds it instead of failing', async () => {
    const file = corruptCopy('import.sqlite');
    const r = await runCli(['db', 'import', osvDir, '--db', file], { env, cwd: dir });
    expect(r.stderr).toMatch(/corrupt/);
    expect(r.code).toBe(0);
    const status = await runCli(['db', 'status', '--db', file], { env, cwd: dir });
    expect(status.code).toBe(0);
    const search = await runCli(['db', 'search', 'pkg-1500', '--db', file], { env, cwd: dir });
    expect(search.code).toBe(0);
    expect(search.stdout).toContain('GHSA-test-1500');
  }, 60_000);

  describe('db update', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startServer();
      const files: Record<string, Uint8Array> = {};
      for (let i = 0; i < N; i++) files[`GHSA-test-${i}.json`] = strToU8(JSON.stringify(record(i)));
      server.route('/npm/all.zip', staticBody(zipSync(files), '"v1"', 'application/zip'));
    });
    afterAll(() => server.close());

    it('rebuilds it instead of failing', async () => {
      const file = corruptCopy('update.sqlite');
      const r = await runCli(
        [
          'db',
          'update',
          '--ecosystems',
          'npm',
          '--no-kev',
          '--no-epss',
          '--db',
          file,
          '--osv-base-url',
          server.url,
        ],
        { env, cwd: dir },
      );
      expect(r.stderr).toMatch(/corrupt/);
      expect(r.code).toBe(0);
      const scan = await runCli(
        ['scan', 'sbom://bom.cdx.json', '--offline', '--db', file, '-q', '-f', 'json'],
        {
          env,
          cwd: dir,
        },
      );
      expect(scan.code).toBe(0);
      expect((JSON.parse(scan.stdout) as { findings: unknown[] }).findings).toHaveLength(N);
    }, 60_000);
  });
});
