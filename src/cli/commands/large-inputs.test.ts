/**
 * Lock files and outputs of 100,000+ entries through the CLI. A `Math.max(...xs)` or `push(...xs)` over
 * such arrays overflows the stack; caught by a cataloger's error handler that used to become
 * "0 packages, exit 0". These tests generate the inputs and check counts, exit codes and every format.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importTestDb } from '../../match/test-support/vulndata.js';
import { runCli } from '../test-support/capture.js';

const N = 100_000;
let work: string;

const name = (i: number): string => `pkg-${i.toString(36)}`;

function packageLock(dir: string): void {
  const packages: Record<string, unknown> = {
    '': { name: 'big', version: '1.0.0', dependencies: {} as Record<string, string> },
  };
  const deps = (packages[''] as { dependencies: Record<string, string> }).dependencies;
  for (let i = 0; i < N; i++) {
    deps[name(i)] = '^1.0.0';
    packages[`node_modules/${name(i)}`] = {
      version: `1.0.${i % 7}`,
      resolved: `https://registry.npmjs.org/${name(i)}/-/${name(i)}-1.0.${i % 7}.tgz`,
      integrity: 'sha512-AAAA',
    };
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package-lock.json'),
    JSON.stringify({ name: 'big', version: '1.0.0', lockfileVersion: 3, requires: true, packages }),
  );
}

function yarnLock(dir: string, n: number): void {
  const lines = ['# yarn lockfile v1', ''];
  for (let i = 0; i < n; i++) {
    lines.push(
      `${name(i)}@^1.0.0:`,
      `  version "1.0.${i % 7}"`,
      `  resolved "https://registry.yarnpkg.com/${name(i)}/-/${name(i)}-1.0.${i % 7}.tgz"`,
      '',
    );
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'yarn.lock'), lines.join('\n'));
}

function pnpmLock(dir: string): void {
  const lines = ["lockfileVersion: '9.0'", '', 'importers:', '  .:', '    dependencies:'];
  for (let i = 0; i < N; i++)
    lines.push(`      ${name(i)}:`, `        specifier: ^1.0.0`, `        version: 1.0.0`);
  lines.push('', 'packages:');
  for (let i = 0; i < N; i++) lines.push(`  ${name(i)}@1.0.0:`, '    resolution: {integrity: sha512-AAAA}');
  lines.push('', 'snapshots:');
  for (let i = 0; i < N; i++) lines.push(`  ${name(i)}@1.0.0: {}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'pnpm-lock.yaml'), `${lines.join('\n')}\n`);
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'bulwark-large-'));
});
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

async function sbomJson(dir: string): Promise<{ packages: { name: string }[]; unknowns?: unknown[] }> {
  const r = await runCli(['sbom', dir, '-f', 'json', '-q']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as { packages: { name: string }[] };
}

describe('100,000-entry lock files', () => {
  it('package-lock.json: every package, every SBOM format', async () => {
    const dir = join(work, 'npm');
    packageLock(dir);
    const sbom = await sbomJson(dir);
    expect(sbom.packages.filter((p) => p.name.startsWith('pkg-'))).toHaveLength(N);
    expect(sbom.unknowns ?? []).toEqual([]);

    const table = await runCli(['sbom', dir, '-q']);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n').filter((l) => /^pkg-/.test(l))).toHaveLength(N);

    const cdx = await runCli(['sbom', dir, '-f', 'cyclonedx-json', '-q']);
    expect(cdx.code).toBe(0);
    const components = (JSON.parse(cdx.stdout) as { components: { name: string }[] }).components;
    expect(components.filter((c) => c.name.startsWith('pkg-'))).toHaveLength(N);

    const spdx = await runCli(['sbom', dir, '-f', 'spdx-json', '-q']);
    expect(spdx.code).toBe(0);
    const spdxPkgs = (JSON.parse(spdx.stdout) as { packages: { name: string }[] }).packages;
    expect(spdxPkgs.filter((p) => p.name.startsWith('pkg-'))).toHaveLength(N);
  }, 300_000);

  it('yarn.lock with 200,000 entries (past where a spread of that many arguments overflows)', async () => {
    const dir = join(work, 'yarn');
    yarnLock(dir, 2 * N);
    const sbom = await sbomJson(dir);
    expect(sbom.packages.filter((p) => p.name.startsWith('pkg-'))).toHaveLength(2 * N);
  }, 300_000);

  it('pnpm-lock.yaml', async () => {
    const dir = join(work, 'pnpm');
    pnpmLock(dir);
    const sbom = await sbomJson(dir);
    expect(sbom.packages.filter((p) => p.name.startsWith('pkg-'))).toHaveLength(N);
  }, 300_000);

  it('a scan report with 100,000 findings, in every format', async () => {
    // One advisory affecting every version of one package, installed 100,000 times at different paths.
    const osv = join(work, 'osv');
    mkdirSync(osv, { recursive: true });
    writeFileSync(
      join(osv, 'GHSA-big0-0000-0000.json'),
      JSON.stringify({
        schema_version: '1.6.0',
        id: 'GHSA-big0-0000-0000',
        modified: '2024-01-01T00:00:00Z',
        published: '2024-01-01T00:00:00Z',
        summary: 'every version is affected',
        database_specific: { severity: 'HIGH' },
        affected: [
          {
            package: { ecosystem: 'npm', name: 'everywhere' },
            ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }],
          },
        ],
      }),
    );
    const db = await importTestDb([osv]);
    try {
      const dir = join(work, 'findings');
      const packages: Record<string, unknown> = { '': { name: 'big', version: '1.0.0' } };
      for (let i = 0; i < N; i++)
        packages[`node_modules/${name(i)}/node_modules/everywhere`] = { version: `1.${i}.0` };
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        join(dir, 'package-lock.json'),
        JSON.stringify({ name: 'big', version: '1.0.0', lockfileVersion: 3, packages }),
      );
      const base = ['scan', dir, '--offline', '--db', db.dbPath, '-q'];
      const json = await runCli([...base, '-f', 'json']);
      expect(json.stderr).toBe('');
      expect(json.code).toBe(0);
      const report = JSON.parse(json.stdout) as { findings: unknown[] };
      expect(report.findings).toHaveLength(N);
      const md = await runCli([...base, '-f', 'markdown']);
      expect(md.code).toBe(0);
      expect(md.stdout).toMatch(/100000/); // markdown lists the top findings and counts the rest
      const cdx = await runCli([...base, '-f', 'cyclonedx-json']);
      expect(cdx.code).toBe(0);
      const vulns = (JSON.parse(cdx.stdout) as { vulnerabilities: { affects: unknown[] }[] }).vulnerabilities;
      // One vulnerability record, affecting every one of the packages.
      expect(vulns.reduce((n, v) => n + v.affects.length, 0)).toBe(N);
      for (const format of ['table', 'sarif', 'html']) {
        const r = await runCli([...base, '-f', format]);
        expect(r.stderr, format).toBe('');
        expect(r.code, format).toBe(0);
        expect(r.stdout.split('GHSA-big0-0000-0000').length - 1, format).toBeGreaterThanOrEqual(N);
      }
      // --fail-on still sees them all.
      const failing = await runCli([...base, '--fail-on', 'high']);
      expect(failing.code).toBe(1);
      expect(failing.stderr).toMatch(/100000 findings at or above high/);
    } finally {
      rmSync(db.dir, { recursive: true, force: true });
    }
  }, 600_000);
});
