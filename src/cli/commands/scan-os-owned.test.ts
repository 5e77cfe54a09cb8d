/**
 * `--include-os-owned` and `scan.includeOsOwned` end to end through the CLI (in process), on a Debian
 * root filesystem written by the test: python3-urllib3 owns a dist-packages entry, and the same
 * urllib3 version is also installed by pip under /usr/local (owned by nothing). The database holds a
 * PyPI advisory for urllib3. Every output format must say what happened to the owned package: not
 * matched by default (with a note), matched and marked OS-owned with the option.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importInputs } from '../../db/import.js';
import { tempDir } from '../../source/test-support/build.js';
import { REPO_ROOT } from '../../test-support/images.js';
import type { CliIO } from '../io.js';
import { run } from '../main.js';

const OWNED = '/usr/lib/python3/dist-packages/urllib3-1.26.12.egg-info/PKG-INFO';
const PIP = '/usr/local/lib/python3.11/dist-packages/urllib3-1.26.12.dist-info/METADATA';

let work: string;
let root: string;
let dbPath: string;

function write(base: string, path: string, content: string): void {
  mkdirSync(dirname(join(base, path)), { recursive: true });
  writeFileSync(join(base, path), content);
}

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const chunks: Record<'out' | 'err', Buffer[]> = { out: [], err: [] };
  const sink = (k: 'out' | 'err') =>
    new Writable({
      write(chunk: Buffer | string, _enc, cb) {
        chunks[k].push(Buffer.from(chunk));
        cb();
      },
    });
  const io: CliIO = {
    stdout: sink('out'),
    stderr: sink('err'),
    stdin: process.stdin,
    env: { BULWARK_CACHE_DIR: join(work, 'cache'), NO_COLOR: '1' },
    cwd: work,
  };
  const code = await run(args, io);
  return {
    code,
    stdout: Buffer.concat(chunks.out).toString('utf8'),
    stderr: Buffer.concat(chunks.err).toString('utf8'),
  };
}

const scan = (format: string, ...extra: string[]) =>
  cli(['scan', `fs://${root}`, '--offline', '--db', dbPath, '-q', '--no-gitignore', '-f', format, ...extra]);

interface JsonReport {
  osOwned?: { packages: number; included: boolean };
  findings: {
    package: { name: string; locations: { path: string }[] };
    ownedBy?: { name: string; type: string; purl: string };
  }[];
  sbom: {
    packages: { id: string; name: string; type: string; locations: { path: string }[] }[];
    relationships: { from: string; to: string; type: string }[];
  };
}

beforeAll(async () => {
  work = tempDir('bulwark-os-owned-cli-');
  root = join(work, 'rootfs');
  write(root, 'etc/os-release', 'ID=debian\nVERSION_ID="12"\n');
  write(
    root,
    'var/lib/dpkg/status',
    'Package: python3-urllib3\nStatus: install ok installed\nArchitecture: all\nSource: python-urllib3\nVersion: 1.26.12-1+deb12u1\nMaintainer: T <t@example.org>\nDescription: test\n',
  );
  write(root, 'var/lib/dpkg/info/python3-urllib3.list', `/.\n/usr\n${OWNED}\n`);
  const meta = 'Metadata-Version: 2.1\nName: urllib3\nVersion: 1.26.12\n';
  write(root, OWNED.slice(1), meta);
  write(root, PIP.slice(1), meta);
  const osv = join(work, 'osv');
  write(
    osv,
    'GHSA-v845-jxx5-vc9f.json',
    JSON.stringify({
      schema_version: '1.6.0',
      id: 'GHSA-v845-jxx5-vc9f',
      aliases: ['CVE-2023-43804'],
      modified: '2024-01-01T00:00:00Z',
      summary: 'Cookie request header is not stripped during cross-origin redirects',
      database_specific: { severity: 'HIGH' },
      affected: [
        {
          package: { ecosystem: 'PyPI', name: 'urllib3' },
          ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.26.17' }] }],
        },
      ],
    }),
  );
  dbPath = join(work, 'db.sqlite');
  await importInputs([osv], { dbPath });
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('OS-owned language packages through the CLI', () => {
  it('json: by default only the pip-installed copy has a finding; the SBOM links the owned one to its owner', async () => {
    const r = await scan('json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as JsonReport;
    expect(report.findings.map((f) => f.package.locations[0]!.path)).toEqual([PIP]);
    expect(report.findings[0]!.ownedBy).toBeUndefined();
    expect(report.osOwned).toEqual({ packages: 1, included: false });
    const owner = report.sbom.packages.find((p) => p.name === 'python3-urllib3')!;
    const links = report.sbom.relationships.filter(
      (x) => x.type === 'ownership-by-file-overlap' && x.from === owner.id,
    );
    expect(links.map((x) => report.sbom.packages.find((p) => p.id === x.to)?.locations[0]?.path)).toEqual([
      OWNED,
    ]);
  });

  it('json: --include-os-owned matches the owned copy too, marked with its owner', async () => {
    const report = JSON.parse((await scan('json', '--include-os-owned')).stdout) as JsonReport;
    expect(report.osOwned).toEqual({ packages: 1, included: true });
    expect(
      report.findings
        .map(
          (f) => `${f.package.locations[0]!.path} ${f.ownedBy ? `${f.ownedBy.type}:${f.ownedBy.name}` : '-'}`,
        )
        .sort(),
    ).toEqual([`${OWNED} deb:python3-urllib3`, `${PIP} -`]);
    // Still a valid bulwark-scan/v1 document.
    const load = (name: string): object =>
      JSON.parse(readFileSync(join(REPO_ROOT, 'schemas', name), 'utf8')) as object;
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats.default(ajv);
    ajv.addSchema(load('bulwark-sbom-v1.schema.json'));
    const validate = ajv.compile(load('bulwark-scan-v1.schema.json'));
    expect(validate(report)).toBe(true);
    expect(validate.errors ?? []).toEqual([]);
    const owned = report.findings.find((f) => f.ownedBy)!;
    expect(owned.ownedBy!.purl).toMatch(/^pkg:deb\/debian\/python3-urllib3@1\.26\.12-1\+deb12u1\?/);
  });

  it('config scan.includeOsOwned: true does the same; a wrong type is a config error (exit 3)', async () => {
    write(work, 'on.yaml', 'scan:\n  includeOsOwned: true\n');
    const on = JSON.parse((await scan('json', '--config', join(work, 'on.yaml'))).stdout) as JsonReport;
    expect(on.osOwned).toEqual({ packages: 1, included: true });
    expect(on.findings).toHaveLength(2);
    write(work, 'bad.yaml', 'scan:\n  includeOsOwned: "yes"\n');
    const bad = await scan('json', '--config', join(work, 'bad.yaml'));
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/scan\.includeOsOwned: expected true or false/);
  });

  it('table: a note by default; the owned package is marked with the option', async () => {
    const plain = (await scan('table')).stdout;
    expect(plain).toMatch(
      /1 language package owned by OS packages matched through their OS package only \(--include-os-owned/,
    );
    expect(plain).not.toMatch(/OS-owned:/);
    const included = (await scan('table', '--include-os-owned', '--locations')).stdout;
    expect(included).toMatch(
      /urllib3 1\.26\.12 \(pypi\)\s+\[OS-owned: python3-urllib3 1\.26\.12-1\+deb12u1 \(deb\)\]/,
    );
    expect(included.match(/OS-owned: python3-urllib3/g)).toHaveLength(1);
    expect(included).toMatch(/matched by their own version too \(--include-os-owned\)/);
  });

  it('quickview counts the owned packages, and the owned findings with the option', async () => {
    const qv = (...extra: string[]) =>
      cli(['quickview', `fs://${root}`, '--offline', '--db', dbPath, '-q', '--no-gitignore', ...extra]);
    expect((await qv()).stdout).toMatch(
      /^ {2}1 OS-owned language package matched through their OS package \(--include-os-owned\)$/m,
    );
    const included = await qv('--include-os-owned');
    expect(included.stdout).toMatch(/^Vulnerabilities {2}2$/m);
    expect(included.stdout).toMatch(/OS-owned \(--include-os-owned\): 1 of these concern/);
  });

  it('sarif, markdown, html and cyclonedx-json mark the owned finding', async () => {
    const sarif = JSON.parse((await scan('sarif', '--include-os-owned')).stdout) as {
      runs: { results: { ruleId: string; message: { text: string }; properties: { ownedBy?: string } }[] }[];
    };
    // Vulnerability results only (packages the test database has no data for are `not-evaluated/*` notes).
    const results = sarif.runs[0]!.results.filter((r) => !r.ruleId.startsWith('not-evaluated/'));
    expect(results).toHaveLength(2);
    const marked = results.filter((x) => x.properties.ownedBy);
    expect(marked).toHaveLength(1);
    expect(marked[0]!.properties.ownedBy).toMatch(/^pkg:deb\/debian\/python3-urllib3@/);
    expect(marked[0]!.message.text).toMatch(/OS-owned: its files belong to deb package python3-urllib3/);

    const md = (await scan('markdown', '--include-os-owned')).stdout;
    expect(md).toMatch(/`urllib3` \(pypi\) ⚠ OS-owned: python3-urllib3/);
    expect((await scan('markdown')).stdout).toMatch(/matched through their OS package only/);

    const html = (await scan('html', '--include-os-owned')).stdout;
    expect(html).toMatch(
      /<span class="os-owned" title="OS-owned: python3-urllib3 1\.26\.12-1\+deb12u1 \(deb\)">OS-owned<\/span>/,
    );
    expect(html).toContain('id="os-owned-note"');

    const cdx = JSON.parse((await scan('cyclonedx-json', '--include-os-owned')).stdout) as {
      components: { name: string; purl?: string; properties?: { name: string; value: string }[] }[];
      vulnerabilities: { properties?: { name: string; value: string }[] }[];
    };
    const props = cdx.vulnerabilities
      .flatMap((v) => v.properties ?? [])
      .filter((p) => p.name === 'bulwark:osOwned');
    expect(props.map((p) => p.value)).toEqual([
      expect.stringMatching(/^pkg:pypi\/urllib3@1\.26\.12 owned by pkg:deb\/debian\/python3-urllib3@/),
    ]);
    const ownedComponents = cdx.components.filter((c) =>
      c.properties?.some((p) => p.name === 'bulwark:ownedBy'),
    );
    expect(ownedComponents.map((c) => c.purl)).toEqual(['pkg:pypi/urllib3@1.26.12']);
  });
});
