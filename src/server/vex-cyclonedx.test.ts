/**
 * CycloneDX VEX export on both engines: the register's decisions for an image, validated against the
 * official CycloneDX 1.6 schema (as the CycloneDX SBOM output is), read back by our own VEX reader and
 * applied by `bulwark scan --vex` to the same SBOM.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/test-support/capture.js';
import { importInputs } from '../db/import.js';
import { parseVex } from '../policy/vex.js';
import { startHarness, testEngines, type Harness } from './test-support/harness.js';
import { startPostgres, type TestPostgres } from './test-support/postgres.js';

const validator = new Validation.JsonStrictValidator(Spec.Version.v1dot6);
const DAY = 86_400_000;
const REPO = 'ghcr.io/acme/vex';
const IDS = ['GHSA-cdx0-0000-0001', 'GHSA-cdx0-0000-0002', 'GHSA-cdx0-0000-0003', 'GHSA-cdx0-0000-0004'];

describe.each(testEngines())('CycloneDX VEX export on %s', (engine) => {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-cdx-vex-'));
  const vulnDb = join(dir, 'vuln.sqlite');
  const sbomFile = join(dir, 'bom.json');
  let pg: TestPostgres | undefined;
  let h: Harness;
  let dev: string;
  let sec: string;
  let reportText: string;

  beforeAll(async () => {
    const osv = join(dir, 'osv', 'npm');
    mkdirSync(osv, { recursive: true });
    for (const id of IDS)
      writeFileSync(
        join(osv, `${id}.json`),
        JSON.stringify({
          id,
          modified: '2024-01-01T00:00:00Z',
          affected: [
            {
              package: { ecosystem: 'npm', name: id.endsWith('4') ? 'right-pad' : 'left-pad' },
              ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '9.0.0' }] }],
            },
          ],
          database_specific: { severity: 'HIGH' },
        }),
      );
    await importInputs([osv], { dbPath: vulnDb });
    const pkg = (name: string) => ({
      id: name,
      name,
      version: '1.0.0',
      type: 'npm',
      purl: `pkg:npm/${name}@1.0.0`,
      licenses: [],
      locations: [{ path: `/app/node_modules/${name}/package.json` }],
      foundBy: 'npm-installed',
    });
    writeFileSync(
      sbomFile,
      JSON.stringify({
        schema: 'bulwark-sbom/v1',
        tool: { name: 'bulwark', version: '0' },
        source: { kind: 'directory', target: 'fs://app', path: '/app' },
        packages: [pkg('left-pad'), pkg('right-pad')],
        relationships: [],
        unknowns: [],
        catalogers: [],
      }),
    );
    const r = await runCli(['scan', `sbom://${sbomFile}`, '--db', vulnDb, '--offline', '-q', '-f', 'json'], {
      cwd: dir,
      env: { HOME: dir, NO_COLOR: '1' },
    });
    expect(r.code).toBe(0);
    reportText = r.stdout;
    if (engine === 'postgres') pg = await startPostgres();
    h = await startHarness({ engine, ...(pg ? { pg } : {}) });
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

  it('exports every kind of decision, valid CycloneDX 1.6, read back and applied by scan --vex', async () => {
    const push = (text: string) =>
      h.call('POST', '/projects/shop/scans', { token: dev, raw: text, query: { repository: REPO } });
    const first = await push(reportText);
    expect(first.body.new).toBe(4);
    const all = (await h.call('GET', '/projects/shop/findings', { token: dev })).body.items as {
      id: string;
      vulnerabilityId: string;
    }[];
    const idOf = (v: string) => all.find((f) => f.vulnerabilityId === v)!.id;
    await h.call('POST', `/projects/shop/findings/${idOf(IDS[0]!)}/state`, {
      token: dev,
      body: {
        state: 'not-affected',
        justification: 'vulnerable_code_not_in_execute_path',
        reason: 'never called',
      },
    });
    await h.call('POST', `/projects/shop/findings/${idOf(IDS[1]!)}/state`, {
      token: dev,
      body: { state: 'false-positive', reason: 'wrong package' },
    });
    const acc = await h.call('POST', '/projects/shop/acceptances', {
      token: dev,
      body: {
        scope: 'repository',
        repository: REPO,
        vulnerabilityId: IDS[2],
        reason: 'behind the VPN only',
        expiresAt: new Date(h.now().getTime() + 30 * DAY).toISOString(),
      },
    });
    await h.call('POST', `/acceptances/${acc.body.id}/approve`, {
      token: sec,
      body: { comment: 'agreed, 30 days' },
    });
    // A newer scan without right-pad's advisory: that finding is fixed.
    const report = JSON.parse(reportText) as { findings: { vulnerabilityId: string }[] };
    const second = await push(
      JSON.stringify({ ...report, findings: report.findings.filter((f) => f.vulnerabilityId !== IDS[3]) }),
    );
    expect(second.body.fixed).toBe(1);

    const image = second.body.imageId as string;
    const r = await h.call('GET', `/projects/shop/images/${image}/vex/cyclonedx`, { token: dev });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^application\/vnd\.cyclonedx\+json/);
    expect(await validator.validate(r.text)).toBeNull();
    const doc = r.body as {
      serialNumber: string;
      metadata: { component: { type: string; name: string } };
      components: { purl: string }[];
      vulnerabilities: { id: string; analysis: Record<string, unknown>; affects: { ref: string }[] }[];
    };
    expect(doc.metadata.component).toMatchObject({ type: 'container', name: REPO });
    expect(doc.components.map((c) => c.purl)).toEqual(['pkg:npm/left-pad', 'pkg:npm/right-pad']);
    const by = Object.fromEntries(doc.vulnerabilities.map((v) => [v.id, v.analysis]));
    expect(by[IDS[0]!]).toMatchObject({
      state: 'not_affected',
      justification: 'code_not_reachable',
      detail: 'never called',
    });
    expect(by[IDS[1]!]).toMatchObject({ state: 'false_positive', detail: 'wrong package' });
    expect(by[IDS[2]!]).toMatchObject({ state: 'exploitable', response: ['will_not_fix'] });
    expect(String(by[IDS[2]!]!.detail)).toMatch(
      /^risk accepted until \S+ \(acceptance \S+\): behind the VPN only$/,
    );
    expect(by[IDS[3]!]).toMatchObject({ state: 'resolved' });
    // Deterministic: the same decisions give the same document (timestamp aside).
    const again = await h.call('GET', `/projects/shop/images/${image}/vex/cyclonedx`, { token: dev });
    expect(again.body.serialNumber).toBe(doc.serialNumber);

    // Our own VEX reader understands it …
    const statements = parseVex(doc, 'register.cdx.json');
    expect(statements.map((s) => [s.ids[0], s.status, s.products]).sort()).toEqual(
      [
        [IDS[0], 'not_affected', ['pkg:npm/left-pad']],
        [IDS[1], 'not_affected', ['pkg:npm/left-pad']],
        [IDS[2], 'affected', ['pkg:npm/left-pad']],
        [IDS[3], 'fixed', ['pkg:npm/right-pad']],
      ].sort(),
    );
    // … and bulwark scan --vex applies it: two suppressed, the accepted risk stays visible.
    const file = join(dir, 'register.cdx.json');
    writeFileSync(file, r.text);
    const out = join(dir, 'out.json');
    const scan = await runCli(
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
        out,
        '--vex',
        file,
      ],
      { cwd: dir, env: { HOME: dir, NO_COLOR: '1' } },
    );
    expect(scan.code).toBe(0);
    const scanned = JSON.parse(readFileSync(out, 'utf8')) as {
      findings: { vulnerabilityId: string; suppressed?: { kind: string; status: string } }[];
    };
    const sup = Object.fromEntries(
      scanned.findings.map((f) => [f.vulnerabilityId, f.suppressed?.status ?? 'open']),
    );
    expect(sup).toEqual({
      [IDS[0]!]: 'not_affected',
      [IDS[1]!]: 'not_affected',
      [IDS[2]!]: 'open',
      [IDS[3]!]: 'fixed',
    });
  });

  it('answers 404 for an image of another project', async () => {
    await h.call('POST', '/projects', { token: h.adminToken, body: { name: 'other' } });
    const img = (await h.call('GET', '/projects/shop/images', { token: dev })).body.items[0].id;
    const r = await h.call('GET', `/projects/other/images/${img}/vex/cyclonedx`, { token: h.adminToken });
    expect(r.status).toBe(404);
  });
});
