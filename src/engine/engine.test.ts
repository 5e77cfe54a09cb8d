/**
 * The engine as a library, imported from the package entry point (src/index.ts, built to
 * dist/index.js): debian12-node scanned without the CLI against a database imported from the shared
 * corpus, and the results held against what the CLI prints for the same image.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as bulwark from '../index.js';
import type { CliIO } from '../cli/io.js';
import { run } from '../cli/main.js';
import { KEV_DIR, haveVulndata, importTestDb, osvDir } from '../match/test-support/vulndata.js';
import { haveImages, imagePath } from '../test-support/images.js';

let work: string;
let dbDir: string;
let dbPath: string;

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const sink = (into: Buffer[]) =>
    new Writable({
      write(chunk: Buffer | string, _enc, cb) {
        into.push(Buffer.from(chunk));
        cb();
      },
    });
  const io: CliIO = {
    stdout: sink(out),
    stderr: sink(err),
    stdin: process.stdin,
    env: { BULWARK_CACHE_DIR: join(work, 'cli-cache'), NO_COLOR: '1' },
    cwd: work,
  };
  const code = await run(args, io);
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

describe.skipIf(!haveVulndata() || !haveImages())('the engine from the package entry point', () => {
  const target = (): string => `oci-dir://${imagePath('debian12-node', 'oci')}`;
  const warnings: string[] = [];
  const notices: string[] = [];
  const options = (): bulwark.ScanOptions => ({
    db: dbPath,
    offline: true,
    cwd: work,
    env: { BULWARK_CACHE_DIR: join(work, 'engine-cache') },
    onWarning: (m) => warnings.push(m),
    updateOutput: { write: (text: string) => notices.push(text) },
  });

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'bulwark-engine-'));
    const imported = await importTestDb([osvDir('npm'), osvDir('Debian:12'), KEV_DIR]);
    dbDir = imported.dir;
    dbPath = imported.dbPath;
  });
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
    if (dbDir) rmSync(dbDir, { recursive: true, force: true });
  });

  it('scans debian12-node without the CLI, never writing to stdout or stderr, with what the CLI reports', async () => {
    const stdout = vi.spyOn(process.stdout, 'write');
    const stderr = vi.spyOn(process.stderr, 'write');
    let scan: bulwark.ScanRun;
    try {
      scan = await bulwark.scanTarget(bulwark.parseTarget(target()), options());
      expect(stdout).not.toHaveBeenCalled();
      expect(stderr).not.toHaveBeenCalled();
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }
    const { report } = scan;
    expect(warnings).toEqual([]);
    expect(notices).toEqual([]); // offline, database present: the refresh says nothing
    expect(report.schema).toBe('bulwark-scan/v1');
    expect(report.sbom.distro?.id).toBe('debian');
    expect(report.database?.path).toBe(dbPath);
    const types = new Set(report.sbom.packages.map((p) => p.type));
    expect([...types].sort()).toEqual(expect.arrayContaining(['deb', 'npm']));
    const deb = report.findings.filter((f) => f.package.type === 'deb');
    const npm = report.findings.filter((f) => f.package.type === 'npm');
    expect(deb.length).toBeGreaterThan(0);
    expect(npm.length).toBeGreaterThan(0);
    expect(deb[0]!.package.layer?.diffId).toMatch(/^sha256:/);

    // The CLI's SBOM lists the same packages…
    const sbom = await cli(['sbom', target(), '-f', 'json', '-q']);
    expect(sbom.code).toBe(0);
    const cliPackages = (JSON.parse(sbom.stdout) as { packages: { purl: string }[] }).packages;
    expect(cliPackages.length).toBe(report.sbom.packages.length);
    expect(cliPackages.map((p) => p.purl)).toEqual(report.sbom.packages.map((p) => p.purl));

    // …and its scan JSON holds the same findings, rendered by the same report code.
    const cliScan = await cli(['scan', target(), '--offline', '--db', dbPath, '-f', 'json', '-q']);
    expect(cliScan.code).toBe(0);
    const fromCli = (JSON.parse(cliScan.stdout) as { findings: unknown[] }).findings;
    const fromEngine = (JSON.parse(bulwark.renderScanReport(report, 'json')) as { findings: unknown[] })
      .findings;
    expect(fromCli.length).toBe(report.findings.length);
    expect(fromCli).toEqual(fromEngine);
  });

  it('catalogs through the per-layer and whole-image caches', async () => {
    const env = { BULWARK_CACHE_DIR: join(work, 'catalog-cache') };
    const cold = await bulwark.catalogTarget(target(), { cwd: work, env });
    expect(cold.cachedLayers).toBe(0);
    expect(readdirSync(bulwark.layerCacheDir(env)).filter((f) => f.endsWith('.bws'))).toHaveLength(1);
    const warm = await bulwark.catalogTarget(target(), { cwd: work, env });
    const layers = warm.sbom.source.kind === 'image' ? warm.sbom.source.image.layers.length : 0;
    expect(layers).toBeGreaterThan(0);
    expect(warm.cachedLayers).toBe(layers);
    expect(JSON.stringify(warm.sbom)).toBe(JSON.stringify(cold.sbom));
    const uncached = await bulwark.catalogTarget(target(), { cwd: work, env, cache: false });
    expect(uncached.cachedLayers).toBe(0);
    expect(JSON.stringify(uncached.sbom)).toBe(JSON.stringify(cold.sbom));
  });

  it('compares two results, and refuses what it cannot open with a typed error', async () => {
    const same = await bulwark.compareTargets(target(), target(), options());
    expect(same.comparison.packages.added).toEqual([]);
    expect(same.comparison.packages.removed).toEqual([]);
    expect(same.comparison.vulnerabilities.added).toEqual([]);
    expect(same.comparison.vulnerabilities.unchanged).toBeGreaterThan(0);
    const minbase = await bulwark.scanTarget(`oci-dir://${imagePath('debian12-minbase', 'oci')}`, options());
    const diff = bulwark.compareReports(minbase.report, same.base.report);
    expect(diff.packages.added.some((p) => p.type === 'npm')).toBe(true);
    expect(diff.vulnerabilities.added.length).toBeGreaterThan(0);

    const missing = await bulwark.scanTarget(join(work, 'no-such-image.tar'), options()).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(missing).toBeInstanceOf(bulwark.BulwarkError);
    expect((missing as bulwark.BulwarkError).exitCode).toBe(bulwark.ExitCode.input);
    await expect(
      bulwark.prepareDatabase({ db: join(work, 'absent.sqlite'), offline: true }),
    ).rejects.toMatchObject({ exitCode: bulwark.ExitCode.database });
  });
});
