/** `bulwark scan --push`: the CLI (in-process) sends its report to a real register listening on 127.0.0.1. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importInputs } from '../db/import.js';
import { startHarness, type Harness } from '../server/test-support/harness.js';
import { runCli } from './test-support/capture.js';

/** A port nothing listens on (bound, then released). */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'bulwark-push-'));
const vulnDb = join(dir, 'vuln.sqlite');
const sbomFile = join(dir, 'bom.json');

describe('bulwark scan --push', () => {
  let h: Harness;
  let token: string;
  beforeAll(async () => {
    const osv = join(dir, 'osv', 'npm');
    mkdirSync(osv, { recursive: true });
    for (const [id, fixed] of [
      ['GHSA-push-0000-0001', '1.0.1'],
      ['GHSA-push-0000-0002', '2.0.0'],
    ])
      writeFileSync(
        join(osv, `${id}.json`),
        JSON.stringify({
          id,
          modified: '2024-01-01T00:00:00Z',
          affected: [
            {
              package: { ecosystem: 'npm', name: 'left-pad' },
              ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed }] }],
            },
          ],
          database_specific: { severity: 'HIGH' },
        }),
      );
    await importInputs([osv], { dbPath: vulnDb });
    writeFileSync(
      sbomFile,
      JSON.stringify({
        schema: 'bulwark-sbom/v1',
        tool: { name: 'bulwark', version: '0' },
        source: { kind: 'directory', target: 'fs://app', path: '/app' },
        packages: [
          {
            id: 'p1',
            name: 'left-pad',
            version: '1.0.0',
            type: 'npm',
            purl: 'pkg:npm/left-pad@1.0.0',
            licenses: [],
            locations: [{ path: '/app/node_modules/left-pad/package.json' }],
            foundBy: 'npm-installed',
          },
        ],
        relationships: [],
        unknowns: [],
        catalogers: [],
      }),
    );
    h = await startHarness({ engine: 'sqlite', listen: true, vulnDb });
    await h.call('POST', '/projects', { token: h.adminToken, body: { name: 'shop' } });
    token = h.adminToken;
  });
  afterAll(async () => {
    await h?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const scan = (extra: string[], env: NodeJS.ProcessEnv = { BULWARK_TOKEN: token }) =>
    runCli(
      [
        'scan',
        `sbom://${sbomFile}`,
        '--db',
        vulnDb,
        '--offline',
        '-q',
        '-f',
        'json',
        '-o',
        join(dir, 'out.json'),
        ...extra,
      ],
      {
        cwd: dir,
        env: { HOME: dir, NO_COLOR: '1', ...env },
      },
    );

  it('pushes the whole report; the register opens its findings', async () => {
    const r = await scan([
      '--push',
      `${h.url}/projects/shop?repository=ghcr.io/acme/app&environment=staging`,
    ]);
    expect(r.stderr).toMatch(
      /^bulwark: pushed to shop \(ghcr\.io\/acme\/app\): 2 new, 0 fixed, 0 reopened \(scan [\w-]+\)\n$/,
    );
    expect(r.code).toBe(0);
    const list = await h.call('GET', '/projects/shop/findings', { token });
    expect(list.body.items.map((f: { vulnerabilityId: string }) => f.vulnerabilityId).sort()).toEqual([
      'GHSA-push-0000-0001',
      'GHSA-push-0000-0002',
    ]);
    const images = await h.call('GET', '/projects/shop/images', { token });
    expect(images.body.items[0]).toMatchObject({ repository: 'ghcr.io/acme/app', environment: 'staging' });
  });

  it('says clearly what is wrong: no token, filters, unknown project, unreachable server, bad URL', async () => {
    const noToken = await scan(['--push', `${h.url}/projects/shop?repository=r`], {});
    expect([noToken.code, noToken.stderr]).toEqual([
      2,
      'bulwark: --push needs an API token in BULWARK_TOKEN\n',
    ]);
    const filtered = await scan(['--severity', 'critical', '--push', `${h.url}/projects/shop?repository=r`]);
    expect(filtered.code).toBe(2);
    expect(filtered.stderr).toMatch(/drop the filters/);
    const nope = await scan(['--push', `${h.url}/projects/nope?repository=r`]);
    expect(nope.code).toBe(5);
    expect(nope.stderr).toBe(`bulwark: --push: ${h.url} answered 404: project "nope" not found\n`);
    const badToken = await scan(['--push', `${h.url}/projects/shop?repository=r`], {
      BULWARK_TOKEN: 'bwk_wrong',
    });
    expect(badToken.stderr).toMatch(/answered 401: invalid, expired or revoked token/);
    const closed = await closedPort();
    const down = await scan(['--push', `http://127.0.0.1:${closed}/projects/shop?repository=r`]);
    expect(down.code).toBe(5);
    expect(down.stderr).toBe(`bulwark: --push: cannot reach http://127.0.0.1:${closed}: ECONNREFUSED\n`);
    const bad = await scan(['--push', `${h.url}/shop`]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/expected http\(s\):\/\/HOST\[:PORT\]\/projects\/NAME/);
    const noRepo = await scan(['--push', `${h.url}/projects/shop`]);
    expect(noRepo.stderr).toMatch(/name the image repository/);
  });

  it('sbom --push sends the SBOM of a folder; the server matches it with its own database', async () => {
    const app = join(dir, 'app');
    mkdirSync(join(app, 'node_modules', 'left-pad'), { recursive: true });
    writeFileSync(
      join(app, 'node_modules', 'left-pad', 'package.json'),
      JSON.stringify({ name: 'left-pad', version: '1.0.0' }),
    );
    const r = await runCli(
      [
        'sbom',
        `fs://${app}`,
        '-q',
        '-f',
        'json',
        '-o',
        join(dir, 'sbom.json'),
        '--push',
        `${h.url}/projects/shop?repository=git.example/app`,
      ],
      {
        cwd: dir,
        env: { HOME: dir, NO_COLOR: '1', BULWARK_TOKEN: token },
      },
    );
    expect(r.stderr).toMatch(
      /^bulwark: pushed to shop \(git\.example\/app\): 2 new, 0 fixed, 0 reopened \(scan [\w-]+\)\n$/,
    );
    expect(r.code).toBe(0);
    const list = await h.call('GET', '/projects/shop/findings', {
      token,
      query: { repository: 'git.example/app' },
    });
    expect(list.body.items.map((f: { package: { purl: string } }) => f.package.purl)).toEqual([
      'pkg:npm/left-pad',
      'pkg:npm/left-pad',
    ]);
    const scans = await h.call('GET', '/projects/shop/scans', { token });
    expect(
      scans.body.items.find((x: { repository: string }) => x.repository === 'git.example/app'),
    ).toMatchObject({
      kind: 'sbom',
      findings: 2,
    });
  });
});
