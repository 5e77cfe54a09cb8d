/**
 * `--catalogue-from`: the CLI reads the approved catalogue a real Bulwark server keeps (SQLite, listening
 * on 127.0.0.1) and judges with it exactly as with `approved:` in `.bulwark.yaml`.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importInputs } from '../db/import.js';
import { distroless, image, layout } from '../policy/test-support/images.js';
import type { CatalogVerification } from '../report/policy-types.js';
import { startHarness, type Harness } from '../server/test-support/harness.js';
import { freePort } from '../source/registry/test-support/registry.js';
import { tempDir } from '../source/test-support/build.js';
import { SHARED_DIR } from '../test-support/images.js';
import { prerequisite } from '../test-support/require.js';
import { catalogueEndpoint } from './server-catalogue.js';
import { runCli } from './test-support/capture.js';

const NPM = join(SHARED_DIR, 'vulndata', 'osv', 'npm');
const ready = prerequisite(existsSync(NPM), `--catalogue-from tests: ${NPM} is missing`);

describe('catalogueEndpoint', () => {
  it('takes a server address, with or without a prefix', () => {
    expect(catalogueEndpoint('http://127.0.0.1:8080').href).toBe('http://127.0.0.1:8080/api/v1/catalogue');
    expect(catalogueEndpoint('https://sec.example/bulwark/').href).toBe(
      'https://sec.example/bulwark/api/v1/catalogue',
    );
    expect(() => catalogueEndpoint('ftp://x')).toThrow(
      '--catalogue-from: expected http(s)://HOST[:PORT][/PREFIX], got ftp://x',
    );
    expect(() => catalogueEndpoint('http://u:p@x')).toThrow('put the token in BULWARK_TOKEN');
  });
});

describe.skipIf(!ready)('--catalogue-from a running server', () => {
  let h: Harness;
  let work: string;
  let dbPath: string;
  let dir: string;

  beforeAll(async () => {
    work = tempDir('bulwark-catalogue-from-');
    dbPath = join(work, 'db.sqlite');
    await importInputs([NPM], { dbPath });
    dir = layout(image(distroless(), { user: '1000' }));
    h = await startHarness({ engine: 'sqlite', listen: true });
    const made = await h.call('POST', '/catalogue', {
      token: h.adminToken,
      body: {
        repository: 'ghcr.io/acme/base',
        tags: ['1.*'],
        owner: 'platform',
        profile: { nonRootUser: true, noShell: true },
      },
    });
    expect(made.status).toBe(201);
  }, 120_000);

  afterAll(async () => {
    await h?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const env = (token?: string): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    HOME: work,
    BULWARK_CACHE_DIR: join(work, 'cache'),
    NO_COLOR: '1',
    ...(token ? { BULWARK_TOKEN: token } : {}),
  });

  it('catalog list shows the server entries', async () => {
    const r = await runCli(['catalog', 'list', '--catalogue-from', h.url!, '-f', 'json'], {
      cwd: work,
      env: env(h.adminToken),
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).entries).toMatchObject([
      { repository: 'ghcr.io/acme/base', normalised: 'ghcr.io/acme/base', tags: ['1.*'], owner: 'platform' },
    ]);
  });

  it("catalog verify checks the server entry's profile", async () => {
    const verify = (name: string) =>
      runCli(
        [
          'catalog',
          'verify',
          `oci-dir://${dir}`,
          '--name',
          name,
          '--catalogue-from',
          h.url!,
          '--db',
          dbPath,
          '--offline',
          '-q',
          '-f',
          'json',
        ],
        { cwd: work, env: env(h.adminToken) },
      );
    const ok = await verify('ghcr.io/acme/base:1.2');
    expect(ok.code).toBe(0);
    const v = JSON.parse(ok.stdout) as CatalogVerification;
    expect(v.checks.map((c) => [c.id, c.status])).toEqual([
      ['approved', 'pass'],
      ['non-root-user', 'pass'],
      ['no-shell', 'pass'],
      ['no-package-manager', 'skipped'],
      ['no-setuid', 'skipped'],
      ['no-fixable-critical-high', 'skipped'],
      ['sbom-attestation', 'skipped'],
      ['provenance-attestation', 'skipped'],
    ]);
    const bad = await verify('ghcr.io/acme/base:2.0');
    expect(bad.code).toBe(1);
    expect((JSON.parse(bad.stdout) as CatalogVerification).checks[0]!.detail).toMatch(
      /tag 2\.0 is not in 1\.\*/,
    );
  });

  it('no token, a wrong token, or no server: one clear line', async () => {
    const none = await runCli(['catalog', 'list', '--catalogue-from', h.url!], { cwd: work, env: env() });
    expect([none.code, none.stderr]).toEqual([
      2,
      'bulwark: --catalogue-from needs an API token in BULWARK_TOKEN\n',
    ]);
    const wrong = await runCli(['catalog', 'list', '--catalogue-from', h.url!], {
      cwd: work,
      env: env('bwk_wrong'),
    });
    expect(wrong.code).toBe(5);
    expect(wrong.stderr).toMatch(/^bulwark: --catalogue-from: http:\/\/127\.0\.0\.1:\d+ answered 401: /);
    const port = await freePort();
    const gone = await runCli(['catalog', 'list', '--catalogue-from', `http://127.0.0.1:${port}`], {
      cwd: work,
      env: env('x'),
    });
    expect(gone.code).toBe(5);
    expect(gone.stderr).toBe(
      `bulwark: --catalogue-from: cannot reach http://127.0.0.1:${port}: ECONNREFUSED\n`,
    );
  });
});
