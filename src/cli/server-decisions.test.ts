/**
 * `bulwark scan --server`: the CLI (in-process) asks a real register on 127.0.0.1 — SQLite and
 * PostgreSQL — for its decisions about the image's repository and applies them, so `--fail-on` agrees
 * with the register: decided findings are suppressed with their reasons, open ones still fail the gate,
 * an expired acceptance stops applying.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importInputs } from '../db/import.js';
import { startHarness, testEngines, type Harness } from '../server/test-support/harness.js';
import { startPostgres, type TestPostgres } from '../server/test-support/postgres.js';
import { runCli } from './test-support/capture.js';

const DAY = 86_400_000;
const REPO = 'ghcr.io/acme/app';
const IDS = ['GHSA-srv0-0000-0001', 'GHSA-srv0-0000-0002', 'GHSA-srv0-0000-0003', 'GHSA-srv0-0000-0004'];

describe.each(testEngines())('bulwark scan --server (register on %s)', (engine) => {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-server-decisions-'));
  const vulnDb = join(dir, 'vuln.sqlite');
  const sbomFile = join(dir, 'bom.json');
  let pg: TestPostgres | undefined;
  let h: Harness;
  let dev: string;
  let sec: string;

  beforeAll(async () => {
    const osv = join(dir, 'osv', 'npm');
    mkdirSync(osv, { recursive: true });
    for (const id of IDS)
      writeFileSync(
        join(osv, `${id}.json`),
        JSON.stringify({
          id,
          modified: '2024-01-01T00:00:00Z',
          aliases: [id.replace('GHSA-srv0-0000-', 'CVE-2099-')],
          affected: [
            {
              package: { ecosystem: 'npm', name: 'left-pad' },
              ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '9.0.0' }] }],
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
    if (engine === 'postgres') pg = await startPostgres();
    h = await startHarness({ engine, ...(pg ? { pg } : {}), listen: true, vulnDb });
    // The CLI checks acceptance expiries against the real clock: run the register on it too.
    h.advance(Date.now() - h.now().getTime());
    await h.call('POST', '/projects', { token: h.adminToken, body: { name: 'shop' } });
    dev = await h.user('dana', 'developer');
    sec = await h.user('sam', 'security');
    await h.call('PUT', '/projects/shop/members/dana', { token: h.adminToken, body: {} });
  });
  afterAll(async () => {
    await h?.stop();
    pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const out = join(dir, 'out.json');
  const scan = (extra: string[], env: NodeJS.ProcessEnv = { BULWARK_TOKEN: dev }) =>
    runCli(['scan', `sbom://${sbomFile}`, '--db', vulnDb, '--offline', '-f', 'json', '-o', out, ...extra], {
      cwd: dir,
      env: { HOME: dir, NO_COLOR: '1', ...env },
    });
  const report = () =>
    JSON.parse(readFileSync(out, 'utf8')) as {
      summary: { total: number; suppressed: number };
      findings: {
        vulnerabilityId: string;
        aliases: string[];
        suppressed?: { kind: string; source: string; reason: string; status: string; expires?: string };
      }[];
      expiredSuppressions: { source: string }[];
    };
  /** The register's finding of an advisory (its primary id may be the advisory's CVE alias). */
  const findingId = async (vuln: string) => {
    const all = (await h.call('GET', '/projects/shop/findings', { token: dev })).body.items as {
      id: string;
      vulnerabilityId: string;
      aliases: string[];
    }[];
    return all.find((f) => f.vulnerabilityId === vuln || f.aliases.includes(vuln))!.id;
  };
  const server = `?repository=${REPO}`;

  it('applies accepted risks, not-affected and false-positive decisions; open findings still fail', async () => {
    const pushed = await scan(['-q', '--push', `${h.url}/projects/shop${server}`]);
    expect(pushed.code).toBe(0);
    const [na, fp, acc] = [await findingId(IDS[0]!), await findingId(IDS[1]!), IDS[2]!];
    expect(
      (
        await h.call('POST', `/projects/shop/findings/${na}/state`, {
          token: dev,
          body: {
            state: 'not-affected',
            justification: 'vulnerable_code_not_in_execute_path',
            reason: 'the padding function is never called',
          },
        })
      ).status,
    ).toBe(200);
    await h.call('POST', `/projects/shop/findings/${fp}/state`, {
      token: dev,
      body: { state: 'false-positive', reason: 'advisory names another package' },
    });
    const req = await h.call('POST', '/projects/shop/acceptances', {
      token: dev,
      body: {
        scope: 'repository',
        repository: REPO,
        vulnerabilityId: acc,
        reason: 'internal tool, no untrusted input',
        expiresAt: new Date(h.now().getTime() + 10 * DAY).toISOString(),
      },
    });
    expect(req.status).toBe(201);
    expect(
      (
        await h.call('POST', `/acceptances/${req.body.id}/approve`, {
          token: sec,
          body: { comment: 'approved for ten days' },
        })
      ).status,
    ).toBe(200);

    const r = await scan(['--fail-on', 'high', '--server', `${h.url}/projects/shop${server}`]);
    expect(r.stderr).toBe(
      `bulwark: register shop (${REPO}): 3 decisions, 3 findings suppressed by them\n` +
        'bulwark: 1 finding at or above high (1 vulnerability; --fail-on high)\n',
    );
    expect(r.code).toBe(1); // the fourth finding is still open in the register
    const rep = report();
    expect(rep.summary).toMatchObject({ total: 1, suppressed: 3 });
    const by = Object.fromEntries(
      rep.findings.flatMap((f) => [f.vulnerabilityId, ...f.aliases].map((id) => [id, f.suppressed])),
    );
    expect(by[IDS[0]!]).toMatchObject({
      kind: 'config',
      status: 'ignored',
      reason: 'not affected (vulnerable_code_not_in_execute_path): the padding function is never called',
    });
    expect(by[IDS[0]!]!.source).toMatch(new RegExp(`^register:shop/${REPO}#${na}$`));
    expect(by[IDS[1]!]!.reason).toBe('false positive: advisory names another package');
    expect(by[IDS[2]!]!.reason).toMatch(
      /^risk accepted in the register until \S+ \(acceptance \S+\): internal tool, no untrusted input$/,
    );
    expect(by[IDS[2]!]!.expires).toBe(new Date(h.now().getTime() + 10 * DAY).toISOString());
    expect(by[IDS[3]!]).toBeUndefined();

    // Decide the last one: the gate passes, as the register says.
    await h.call('POST', `/projects/shop/findings/${await findingId(IDS[3]!)}/state`, {
      token: dev,
      body: { state: 'false-positive', reason: 'not our left-pad' },
    });
    const green = await scan(['-q', '--fail-on', 'high', '--server', `${h.url}/projects/shop${server}`]);
    expect([green.code, green.stderr]).toEqual([0, '']);
  });

  it('finds the repository from an image digest the register has seen', async () => {
    const images = await h.call('GET', '/projects/shop/images', { token: dev });
    const digest = 'sha256:' + 'a'.repeat(64);
    expect(images.body.items[0].digest).toBeNull();
    // Push once more with a digest, then ask by digest.
    expect((await scan(['-q', '--push', `${h.url}/projects/shop${server}&digest=${digest}`])).code).toBe(0);
    const byDigest = await h.call('GET', '/projects/shop/decisions', { token: dev, query: { digest } });
    expect(byDigest.body).toMatchObject({ schema: 'bulwark-decisions/v1', repository: REPO });
    expect(byDigest.body.decisions).toHaveLength(4);
    const unknown = await h.call('GET', '/projects/shop/decisions', {
      token: dev,
      query: { digest: 'sha256:' + 'b'.repeat(64) },
    });
    expect(unknown.status).toBe(404);
    expect((await h.call('GET', '/projects/shop/decisions', { token: dev })).status).toBe(400);
  });

  it('an expired acceptance no longer applies: the register reopens it and the gate fails again', async () => {
    h.advance(11 * DAY);
    const r = await scan(['--fail-on', 'high', '--server', `${h.url}/projects/shop${server}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(`^bulwark: register shop \\(${REPO}\\): 3 decisions, 3 findings suppressed by them\n`),
    );
    const open = report().findings.filter((f) => !f.suppressed);
    expect(open.flatMap((f) => [f.vulnerabilityId, ...f.aliases])).toContain(IDS[2]);
    expect(open).toHaveLength(1);
  });

  it('says clearly what is wrong: no token, unknown project, bad URL', async () => {
    const noToken = await scan(['--server', `${h.url}/projects/shop${server}`], {});
    expect([noToken.code, noToken.stderr]).toEqual([
      2,
      'bulwark: --server needs an API token in BULWARK_TOKEN\n',
    ]);
    const nope = await scan(['--server', `${h.url}/projects/nope${server}`]);
    expect([nope.code, nope.stderr]).toEqual([
      5,
      `bulwark: --server: ${h.url} answered 404: project "nope" not found\n`,
    ]);
    const bad = await scan(['--server', `${h.url}/shop`]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^bulwark: --server: expected http\(s\):\/\/HOST\[:PORT\]\/projects\/NAME/);
    const noRepo = await scan(['--server', `${h.url}/projects/shop`]);
    expect(noRepo.stderr).toMatch(/--server: name the image repository/);
  });
});
