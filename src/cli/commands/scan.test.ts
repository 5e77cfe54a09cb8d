/**
 * `bulwark scan`, `quickview`, `compare` and `cache` end to end through the CLI, in process, against a
 * database imported from the shared corpus (npm + Debian:12 + KEV) once for this file.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScanReport } from '../../report/types.js';
import { KEV_DIR, haveVulndata, importTestDb, osvDir } from '../../match/test-support/vulndata.js';
import { haveImages, imagePath } from '../../test-support/images.js';
import type { CliIO } from '../io.js';
import { run } from '../main.js';

interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

function capture(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      chunks.push(Buffer.from(chunk));
      cb();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

let work: string;
let dbDir: string;
let dbPath: string;

async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Captured> {
  const out = capture();
  const err = capture();
  const io: CliIO = {
    stdout: out.stream,
    stderr: err.stream,
    stdin: process.stdin,
    env: { BULWARK_CACHE_DIR: join(work, 'cache'), NO_COLOR: '1', ...env },
    cwd: work,
  };
  const code = await run(args, io);
  return { code, stdout: out.text(), stderr: err.text() };
}

async function scanJson(args: string[]): Promise<{ r: Captured; report: ScanReport }> {
  const r = await cli(['scan', ...args, '--offline', '--db', dbPath, '-f', 'json', '-q']);
  expect(r.stderr).not.toMatch(/internal error/);
  return { r, report: JSON.parse(r.stdout) as ScanReport };
}

const component = (name: string, version: string) => ({
  type: 'library',
  'bom-ref': `ref-${name}`,
  name,
  version,
  purl: `pkg:npm/${name}@${version}`,
});

function writeBom(file: string, comps: [string, string][]): void {
  writeFileSync(
    join(work, file),
    JSON.stringify({
      bomFormat: 'CycloneDX',
      specVersion: '1.5',
      version: 1,
      components: comps.map(([n, v]) => component(n, v)),
    }),
  );
}

describe.skipIf(!haveVulndata())('bulwark scan through the CLI', () => {
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'bulwark-scan-cli-'));
    const imported = await importTestDb([osvDir('npm'), osvDir('Debian:12'), KEV_DIR]);
    dbDir = imported.dir;
    dbPath = imported.dbPath;
    writeBom('bom.json', [
      ['lodash', '4.17.15'],
      ['minimist', '1.2.0'],
      ['express', '4.17.1'],
      ['left-pad', '1.3.0'],
    ]);
  });
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
    if (dbDir) rmSync(dbDir, { recursive: true, force: true });
  });

  it('scans a CycloneDX SBOM and explains each finding', async () => {
    const { r, report } = await scanJson(['sbom://bom.json']);
    expect(r.code).toBe(0);
    expect(report.schema).toBe('bulwark-scan/v1');
    const lodash = report.findings.filter((f) => f.package.name === 'lodash');
    expect(lodash.flatMap((f) => f.aliases)).toEqual(
      expect.arrayContaining(['GHSA-35jh-r3h4-6jhm', 'GHSA-p6mc-m468-83gw', 'CVE-2020-8203']),
    );
    const proto = lodash.find((f) => f.vulnerabilityId === 'CVE-2020-8203')!;
    expect(proto.fixedVersion).toBe('4.17.19');
    expect(proto.severity).toBe('high');
    expect(proto.severitySource).toBe('ghsa');
    expect(proto.matches[0]!.reason).toContain('4.17.15');
    const minimist = report.findings.find((f) => f.aliases.includes('GHSA-xvch-5gv4-984h'))!;
    expect(minimist.severity).toBe('critical');
    expect(report.findings.some((f) => f.package.name === 'left-pad')).toBe(false);
    // deterministic: same bytes twice
    const again = await cli(['scan', 'sbom://bom.json', '--offline', '--db', dbPath, '-f', 'json', '-q']);
    expect(again.stdout).toBe(r.stdout);
  });

  it('prints a table with counts', async () => {
    const r = await cli(['scan', 'sbom://bom.json', '--offline', '--db', dbPath, '-q']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^minimist 1\.2\.0 \(npm\)$/m);
    expect(r.stdout).toMatch(/CVE-2021-44906\s+critical\s+1\.2\.6/);
    expect(r.stdout).toMatch(/Summary: \d+ vulnerabilities: 1 critical \(1 fixable\)/);
    const located = await cli(['scan', 'sbom://bom.json', '--offline', '--db', dbPath, '-q', '--locations']);
    expect(located.code).toBe(0);
  });

  it('honours ignore rules, and reports expired ones instead of applying them', async () => {
    writeFileSync(
      join(work, 'ignore.yaml'),
      [
        'ignore:',
        '  - id: GHSA-p6mc-m468-83gw',
        '    package: pkg:npm/lodash@4.17.*',
        '    reason: "zipObjectDeep is never called with user input"',
        '    expires: 2999-12-31',
        '  - id: CVE-2021-44906',
        '    reason: "was accepted until the upgrade landed"',
        '    expires: 2020-01-01',
      ].join('\n'),
    );
    const { r, report } = await scanJson(['sbom://bom.json', '--config', 'ignore.yaml']);
    expect(r.code).toBe(0);
    const proto = report.findings.find((f) => f.vulnerabilityId === 'CVE-2020-8203')!;
    expect(proto.suppressed).toMatchObject({
      kind: 'config',
      status: 'ignored',
      reason: 'zipObjectDeep is never called with user input',
      expires: '2999-12-31',
    });
    expect(proto.suppressed!.source).toMatch(/ignore\.yaml#ignore\[0\]$/);
    const minimist = report.findings.find((f) => f.vulnerabilityId === 'CVE-2021-44906')!;
    expect(minimist.suppressed).toBeUndefined();
    expect(report.expiredSuppressions).toEqual([
      expect.objectContaining({ id: 'CVE-2021-44906', expires: '2020-01-01' }),
    ]);
    const table = await cli([
      'scan',
      'sbom://bom.json',
      '--offline',
      '--db',
      dbPath,
      '-q',
      '--config',
      'ignore.yaml',
    ]);
    expect(table.stdout).toMatch(
      /suppression of CVE-2021-44906 in .*ignore\.yaml#ignore\[1\] expired on 2020-01-01/,
    );
    expect(table.stdout).not.toMatch(/CVE-2020-8203/);
    const shown = await cli([
      'scan',
      'sbom://bom.json',
      '--offline',
      '--db',
      dbPath,
      '-q',
      '--config',
      'ignore.yaml',
      '--show-suppressed',
    ]);
    expect(shown.stdout).toMatch(
      /CVE-2020-8203[^\n]*\n\s+suppressed — ignored: zipObjectDeep is never called with user input/,
    );
  });

  it('rejects an ignore rule without a reason', async () => {
    writeFileSync(join(work, 'noreason.yaml'), 'ignore:\n  - id: CVE-2020-8203\n');
    const r = await cli([
      'scan',
      'sbom://bom.json',
      '--offline',
      '--db',
      dbPath,
      '-q',
      '--config',
      'noreason.yaml',
    ]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/noreason\.yaml: ignore\[0\]: reason: reason is required/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('applies OpenVEX and CycloneDX VEX statements', async () => {
    writeFileSync(
      join(work, 'vex.openvex.json'),
      JSON.stringify({
        '@context': 'https://openvex.dev/ns/v0.2.0',
        '@id': 'https://example.com/vex/1',
        author: 'team',
        timestamp: '2024-01-01T00:00:00Z',
        version: 1,
        statements: [
          {
            vulnerability: { name: 'CVE-2021-44906' },
            products: [{ '@id': 'pkg:oci/app', subcomponents: [{ '@id': 'pkg:npm/minimist@1.2.0' }] }],
            status: 'not_affected',
            justification: 'vulnerable_code_not_in_execute_path',
          },
          {
            vulnerability: { name: 'GHSA-35jh-r3h4-6jhm' },
            products: [{ '@id': 'pkg:npm/lodash' }],
            status: 'under_investigation',
          },
        ],
      }),
    );
    writeFileSync(
      join(work, 'vex.cdx.json'),
      JSON.stringify({
        bomFormat: 'CycloneDX',
        specVersion: '1.6',
        version: 1,
        components: [component('lodash', '4.17.15')],
        vulnerabilities: [
          {
            id: 'CVE-2020-8203',
            analysis: { state: 'resolved', detail: 'patched in our fork' },
            affects: [{ ref: 'ref-lodash' }],
          },
          {
            id: 'CVE-2021-23337',
            analysis: { state: 'exploitable' },
            affects: [{ ref: 'pkg:npm/lodash@4.17.15' }],
          },
        ],
      }),
    );
    const { report } = await scanJson(['sbom://bom.json', '--vex', 'vex.openvex.json', 'vex.cdx.json']);
    const by = (id: string) => report.findings.find((f) => f.vulnerabilityId === id)!;
    expect(by('CVE-2021-44906').suppressed).toMatchObject({
      kind: 'vex',
      status: 'not_affected',
      justification: 'vulnerable_code_not_in_execute_path',
    });
    expect(by('CVE-2020-8203').suppressed).toMatchObject({
      kind: 'vex',
      status: 'fixed',
      reason: 'patched in our fork',
    });
    expect(by('CVE-2021-23337').suppressed).toBeUndefined();
  });

  it('fails the build with --fail-on, respecting filters and suppressions', async () => {
    const base = ['scan', 'sbom://bom.json', '--offline', '--db', dbPath, '-q'];
    expect((await cli([...base, '--fail-on', 'critical'])).code).toBe(1);
    const custom = await cli([...base, '--fail-on', 'high', '--exit-code', '7']);
    expect(custom.code).toBe(7);
    expect(custom.stderr).toMatch(/at or above high/);
    // the only critical finding is minimist's: filtered away, or suppressed, it no longer fails
    expect((await cli([...base, '--fail-on', 'critical', '--package', 'lodash'])).code).toBe(0);
    expect((await cli([...base, '--fail-on', 'critical', '--vex', 'vex.openvex.json'])).code).toBe(0);
    expect((await cli([...base, '--fail-on', 'critical', '--only-package-type', 'deb'])).code).toBe(0);
    expect((await cli([...base, '--fail-on', 'severe'])).code).toBe(2);
  });

  it('filters by severity, fixability, KEV and EPSS', async () => {
    const { report: all } = await scanJson(['sbom://bom.json']);
    // options may come before the target: list options take one (comma-separated) value
    const { report: critical } = await scanJson(['--severity', 'critical', 'sbom://bom.json']);
    expect(critical.findings.length).toBeGreaterThan(0);
    expect(critical.findings.every((f) => f.severity === 'critical')).toBe(true);
    const { report: highUp } = await scanJson(['sbom://bom.json', '--severity', 'high']);
    expect(highUp.findings.length).toBe(
      all.findings.filter((f) => f.severity === 'high' || f.severity === 'critical').length,
    );
    const { report: fixed } = await scanJson(['sbom://bom.json', '--ignore-unfixed']);
    expect(fixed.findings.every((f) => f.fixState === 'fixed')).toBe(true);
    const { report: two } = await scanJson([
      '--package',
      'lodash,express',
      '--package',
      'minimist',
      'sbom://bom.json',
    ]);
    expect(new Set(two.findings.map((f) => f.package.name))).toEqual(
      new Set(['lodash', 'express', 'minimist']),
    );
    const { report: kev } = await scanJson(['sbom://bom.json', '--only-kev']);
    expect(kev.findings.every((f) => f.kev)).toBe(true);
    const { report: epss } = await scanJson(['sbom://bom.json', '--min-epss', '0.5']);
    expect(epss.findings).toEqual([]); // the test database has no EPSS scores
    expect(epss.filters).toEqual({ minEpss: 0.5 });
  });

  it('scans a folder (lock file), without caching it', async () => {
    const app = join(work, 'app');
    mkdirSync(join(app, 'node_modules', 'minimist'), { recursive: true });
    writeFileSync(
      join(app, 'package-lock.json'),
      JSON.stringify({
        name: 'app',
        lockfileVersion: 3,
        packages: {
          '': { name: 'app', dependencies: { minimist: '1.2.0' } },
          'node_modules/minimist': { version: '1.2.0' },
        },
      }),
    );
    writeFileSync(
      join(app, 'node_modules', 'minimist', 'package.json'),
      JSON.stringify({ name: 'minimist', version: '1.2.0' }),
    );
    const { r, report } = await scanJson(['fs://app', '--only-package-type', 'npm']);
    expect(r.code).toBe(0);
    expect(new Set(report.findings.map((f) => f.vulnerabilityId))).toEqual(
      new Set(['CVE-2021-44906', 'CVE-2020-7598']),
    );
    expect(report.findings.every((f) => f.package.name === 'minimist')).toBe(true);
    expect((await cli(['cache', 'status'])).stdout).toMatch(/layers\s+0/);
  });

  it('fails clearly when offline without a database', async () => {
    const r = await cli(['scan', 'sbom://bom.json', '--offline', '--db', 'nope.sqlite', '-q']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/no vulnerability database at .*nope\.sqlite.*bulwark db import/);
  });

  it('quickview shows counts and the upgrades that fix the most', async () => {
    const r = await cli(['qv', 'sbom://bom.json', '--offline', '--db', dbPath, '-q']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Packages\s+4 \(4 npm\)/);
    expect(r.stdout).toMatch(/critical\s+1\s+1 fixable/);
    const lodash = /upgrade lodash 4\.17\.15 → (\S+) fixes (\d+)/.exec(r.stdout);
    expect(lodash?.[1]).toBe('4.17.21');
    expect(Number(lodash?.[2])).toBeGreaterThanOrEqual(3);
  });

  it('compare lists package and vulnerability changes', async () => {
    writeBom('bom2.json', [
      ['lodash', '4.17.21'],
      ['minimist', '1.2.0'],
      ['ms', '2.1.3'],
    ]);
    const r = await cli([
      'compare',
      'sbom://bom.json',
      'sbom://bom2.json',
      '--offline',
      '--db',
      dbPath,
      '-q',
      '--ignore-unchanged',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/~ lodash 4\.17\.15 → 4\.17\.21 \(npm\)/);
    expect(r.stdout).toMatch(/\+ ms 2\.1\.3/);
    expect(r.stdout).toMatch(/- express 4\.17\.1/);
    expect(r.stdout).toMatch(/- CVE-2020-8203 high in lodash 4\.17\.15/);
    expect(r.stdout).not.toMatch(/unchanged/);
  });

  it('downloads the database when it is missing (local HTTP server), then reuses it while fresh', async () => {
    const files = new Map<string, Buffer>();
    const npm = osvDir('npm');
    const zip = zipSync(
      Object.fromEntries(readdirSync(npm).map((f) => [f, new Uint8Array(readFileSync(join(npm, f)))])),
    );
    files.set('/osv/ecosystems.txt', Buffer.from('npm\nSomething Unsupported\n'));
    files.set('/osv/npm/all.zip', Buffer.from(zip));
    files.set('/kev.json', readFileSync(join(KEV_DIR, 'known_exploited_vulnerabilities.json')));
    files.set(
      '/epss.csv',
      Buffer.from(
        '#model_version:v2025.03.14,score_date:2025-08-25T00:00:00Z\ncve,epss,percentile\nCVE-2021-44906,0.97000,0.99900\n',
      ),
    );
    const requests: string[] = [];
    const server = createServer((req, res) => {
      requests.push(req.url ?? '');
      const body = files.get(req.url ?? '');
      res.writeHead(body ? 200 : 404).end(body ?? 'not found');
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const env = {
      BULWARK_OSV_BASE_URL: `${base}/osv`,
      BULWARK_KEV_URL: `${base}/kev.json`,
      BULWARK_EPSS_URL: `${base}/epss.csv`,
    };
    try {
      const args = [
        'scan',
        'sbom://bom.json',
        '--db',
        'fresh/db.sqlite',
        '-f',
        'json',
        '-q',
        '--min-epss',
        '0.5',
      ];
      const r = await cli(args, env);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout) as ScanReport;
      expect(report.findings.map((f) => [f.vulnerabilityId, f.epss?.score])).toEqual([
        ['CVE-2021-44906', 0.97],
      ]);
      expect(requests).toContain('/osv/npm/all.zip');
      const before = requests.length;
      expect((await cli(args, env)).code).toBe(0);
      expect(requests.length).toBe(before); // fresh: no second download
    } finally {
      server.close();
    }
  });

  describe.skipIf(!haveImages())('image targets', () => {
    it('scans debian12-node, reuses cached layers on the second run, and cache status/clean manage them', async () => {
      const target = `oci-dir://${imagePath('debian12-node', 'oci')}`;
      const first = await scanJson([target]);
      expect(first.r.code).toBe(0);
      const deb = first.report.findings.filter((f) => f.package.type === 'deb');
      expect(deb.length).toBeGreaterThan(0);
      expect(deb[0]!.package.layer?.diffId).toMatch(/^sha256:/);
      const status = await cli(['cache', 'status']);
      expect(status.stdout).toMatch(/layers\s+3\n\s+images\s+1\n/);
      const second = await scanJson([target]); // the whole-image result
      expect(second.r.stdout).toBe(first.r.stdout);
      const layers = join(work, 'cache', 'layers');
      for (const f of readdirSync(layers).filter((n) => n.endsWith('.bws'))) rmSync(join(layers, f));
      const third = await scanJson([target]); // every layer replayed from the per-layer cache
      expect(third.r.stdout).toBe(first.r.stdout);
      const clean = await cli(['cache', 'clean']);
      expect(clean.stdout).toMatch(/Removed 5 cache files/);
      expect((await cli(['cache', 'status'])).stdout).toMatch(/layers\s+0/);
      const noCache = await scanJson([target, '--no-cache']);
      expect(noCache.r.stdout).toBe(first.r.stdout);
      expect((await cli(['cache', 'status'])).stdout).toMatch(/layers\s+0/);
    });
  });
});
