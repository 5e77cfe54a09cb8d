/**
 * Base-image detection and `bulwark recommendations` on real images in a real registry, matched
 * against the shared advisory data.
 *
 * Images (assembled here from the layers of the images the shared script built, with real gzip
 * layers and correct digests, pushed with skopeo into a docker-registry on 127.0.0.1):
 *
 * - `bulwark/debian:12` first points to debian12-minbase as built (the **old** base), also `12.4`, `11`;
 * - the **new** build: debian12-minbase plus a layer whose dpkg status has the base's most vulnerable
 *   packages at the version that fixes them (as an updated base would); then `12`, `12.5`, `latest`;
 * - a **slim** variant: debian12-minbase's layer with apt and libapt-pkg removed: `12-slim`;
 * - debian12-node and secrets-in-history, both built on the old base.
 *
 * Expected numbers are computed from scans of the candidates (compareReports), never written down.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../cli/io.js';
import { run } from '../cli/main.js';
import { KEV_DIR, haveVulndata, importTestDb, osvDir } from '../match/test-support/vulndata.js';
import type { ScanReport } from '../report/types.js';
import {
  haveRegistryTools,
  push,
  startRegistry,
  type RunningRegistry,
} from '../source/registry/test-support/registry.js';
import { haveImages, imagePath } from '../test-support/images.js';
import { compareVersions } from '../version/index.js';
import {
  editLayer,
  editStatus,
  fileOfLayer,
  layersOf,
  readLayout,
  tarOfFiles,
  gzipLayer,
  writeLayout,
  type LayoutImage,
} from '../baseimage/test-support/oci-build.js';
import { compareReports } from './compare.js';
import { checkBaseFreshness, recommendBaseImages } from './recommend.js';
import { scanTarget, type ScanOptions } from './scan.js';

let work: string;
let dbDir: string;
let dbPath: string;
let registry: RunningRegistry | undefined;
let host: string;
let oldBase: LayoutImage;
let newBase: LayoutImage;
let slim: LayoutImage;

const STATUS = 'var/lib/dpkg/status';
/** The packages the slim variant leaves out (a base without a package manager). */
const SLIM_REMOVES = ['apt', 'libapt-pkg6.0'];

async function cli(args: string[], cache: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const sink = (into: Buffer[]): Writable =>
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
    env: { BULWARK_CACHE_DIR: cache, NO_COLOR: '1' },
    cwd: work,
  };
  const code = await run(args, io);
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

/** Engine options with a given cache folder (each cache folder is its own set of known images). */
const opts = (cache: string): ScanOptions => ({
  db: dbPath,
  offline: true,
  cwd: work,
  env: { BULWARK_CACHE_DIR: cache },
});

/** Counts by severity of vulnerabilities as `compareReports` lists them. */
function bySeverity(list: readonly { severity: string }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of list) out[v.severity] = (out[v.severity] ?? 0) + 1;
  return out;
}

const layerBytes = (r: ScanReport): number =>
  r.sbom.source.kind === 'image' ? r.sbom.source.image.layers.reduce((n, l) => n + l.size, 0) : 0;

const ready = haveVulndata() && haveImages() && haveRegistryTools();

describe.skipIf(!ready)('base images on real images in a real registry', () => {
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'bulwark-recs-'));
    const imported = await importTestDb([osvDir('Debian:12'), osvDir('npm'), KEV_DIR]);
    dbDir = imported.dir;
    dbPath = imported.dbPath;
    registry = await startRegistry({ dir: join(work, 'registry') });
    host = registry.host;

    oldBase = readLayout(imagePath('debian12-minbase', 'oci'));
    const [l0] = layersOf(oldBase);
    // The old base's fixable findings decide what the new build fixes: its two most affected packages.
    const oldScan = await scanTarget(`oci-dir://${oldBase.dir}`, opts(join(work, 'cache-fixture')));
    const fixes = new Map<string, string>();
    const count = new Map<string, number>();
    for (const f of oldScan.report.findings) {
      if (f.fixState !== 'fixed' || !f.fixedVersion || SLIM_REMOVES.includes(f.package.name)) continue;
      count.set(f.package.name, (count.get(f.package.name) ?? 0) + 1);
      const prev = fixes.get(f.package.name);
      if (!prev || compareVersions('dpkg', f.fixedVersion, prev) > 0)
        fixes.set(f.package.name, f.fixedVersion);
    }
    const upgraded = [...count.entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, 2)
      .map(([name]) => name);
    expect(upgraded).toHaveLength(2);
    const status = fileOfLayer(l0!, STATUS);
    const newStatus = editStatus(status, {
      versions: Object.fromEntries(upgraded.map((n) => [n, fixes.get(n)!])),
    });
    const update = gzipLayer(
      tarOfFiles(join(work, 'update-files'), { [STATUS]: newStatus }),
      `RUN apt-get upgrade -y ${upgraded.join(' ')}`,
    );
    newBase = writeLayout(join(work, 'new'), oldBase, [l0!, update], undefined, '2026-02-01T00:00:00Z');

    // The slim variant: the base layer without the package manager's files and status entries.
    const remove: string[] = [];
    for (const pkg of SLIM_REMOVES) {
      const list = fileOfLayer(l0!, `var/lib/dpkg/info/${pkg}${pkg.startsWith('lib') ? ':amd64' : ''}.list`);
      for (const line of list.split('\n')) if (line.startsWith('/')) remove.push(line.slice(1));
    }
    const slimLayer = editLayer(
      l0!,
      join(work, 'slim-work'),
      { remove, replace: { [STATUS]: editStatus(status, { remove: SLIM_REMOVES }) } },
      'debootstrap --variant=minbase bookworm (slim: no apt)',
    );
    slim = writeLayout(join(work, 'slim'), oldBase, [slimLayer], undefined, '2026-02-01T00:00:00Z');

    for (const tag of ['12', '12.4', '11']) await push(oldBase.dir, `${host}/bulwark/debian:${tag}`);
  }, 600_000);

  afterAll(async () => {
    await registry?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
    if (dbDir) rmSync(dbDir, { recursive: true, force: true });
  });

  it('detects the base by layer prefix on images built on debian12-minbase, once it was scanned', async () => {
    const cache = join(work, 'cache-detect');
    // Nothing known yet: no base.
    const before = await scanTarget(`oci-dir://${imagePath('debian12-node', 'oci')}`, opts(cache));
    expect(before.report.baseImage).toBeUndefined();
    // The base pulled from the registry is remembered (beside the layer cache)…
    const base = await scanTarget(`registry://${host}/bulwark/debian:12`, opts(cache));
    expect(base.report.baseImage).toBeUndefined();
    // …and found again as the first layer of both images built on it.
    for (const name of ['debian12-node', 'secrets-in-history'] as const) {
      const { report } = await scanTarget(`oci-dir://${imagePath(name, 'oci')}`, opts(cache));
      expect(report.baseImage).toEqual({
        name: `${host}/bulwark/debian:12`,
        digest: oldBase.manifestDigest,
        layers: 1,
        detectedBy: 'layers',
        confidence: 'high',
        knownFrom: 'scanned',
        evidence: `layer 0 is ${host}/bulwark/debian:12 (scanned before)`,
      });
      expect(report.sbom.baseImage).toEqual(report.baseImage);
      // The split: every finding of a package from layer 0 is the base's.
      const json = JSON.parse(
        (
          await cli(
            ['scan', `oci-dir://${imagePath(name, 'oci')}`, '--db', dbPath, '--offline', '-f', 'json'],
            cache,
          )
        ).stdout,
      ) as {
        findings: { origin: string; package: { layer?: { index: number } } }[];
        summary: { byOrigin: { base: { total: number }; added: { total: number } } };
      };
      const fromBase = json.findings.filter((f) => f.package.layer?.index === 0).length;
      expect(json.findings.filter((f) => f.origin === 'base')).toHaveLength(fromBase);
      expect(json.summary.byOrigin.base.total).toBe(fromBase);
      expect(json.summary.byOrigin.added.total).toBe(json.findings.length - fromBase);
    }
    // While :12 still points to it, the base is up to date, and recommendations say so.
    const node0 = await scanTarget(`oci-dir://${imagePath('debian12-node', 'oci')}`, opts(cache));
    expect(await checkBaseFreshness(node0.report.baseImage!)).toEqual({
      reference: `${host}/bulwark/debian:12`,
      currentDigest: oldBase.manifestDigest,
      upToDate: true,
    });
    const fresh = await recommendBaseImages(`oci-dir://${imagePath('debian12-node', 'oci')}`, opts(cache));
    expect(fresh.upToDate).toBe(true);
    expect(fresh.candidates).toEqual([]);
    expect(fresh.skipped).toEqual([
      { reference: `${host}/bulwark/debian:12`, kind: 'refresh', reason: 'same digest as the current base' },
    ]);
    // debian12-node adds vulnerable npm packages and Debian packages of its own.
    const node = await scanTarget(`oci-dir://${imagePath('debian12-node', 'oci')}`, opts(cache));
    expect(node.report.findings.some((f) => (f.package.layer?.index ?? 0) >= 1)).toBe(true);
  }, 300_000);

  it('detects the base from OCI annotations, confirmed by layers when the digest is known', async () => {
    const node = readLayout(imagePath('debian12-node', 'oci'));
    const annotated = writeLayout(join(work, 'annotated'), node, layersOf(node), {
      'org.opencontainers.image.base.name': `${host}/bulwark/debian:12`,
      'org.opencontainers.image.base.digest': oldBase.manifestDigest,
    });
    const fresh = await scanTarget(`oci-dir://${annotated.dir}`, opts(join(work, 'cache-annot')));
    expect(fresh.report.baseImage).toMatchObject({
      name: `${host}/bulwark/debian:12`,
      digest: oldBase.manifestDigest,
      layers: 0,
      detectedBy: 'annotation',
      confidence: 'high',
    });
    const cache = join(work, 'cache-annot-known');
    await scanTarget(`registry://${host}/bulwark/debian:12`, opts(cache));
    const known = await scanTarget(`oci-dir://${annotated.dir}`, opts(cache));
    expect(known.report.baseImage).toMatchObject({
      detectedBy: 'annotation',
      layers: 1,
      knownFrom: 'scanned',
    });
  }, 300_000);

  it('detects the base from the final FROM of --dockerfile (stages, ARG defaults)', async () => {
    writeFileSync(
      join(work, 'Dockerfile'),
      [
        'ARG BASE_TAG=12',
        'FROM node:20 AS build',
        'RUN npm ci',
        `FROM ${host}/bulwark/debian:\${BASE_TAG} AS runtime`,
        'FROM runtime',
        'COPY --from=build /app /app',
        '',
      ].join('\n'),
    );
    const r = await cli(
      [
        'scan',
        `oci-dir://${imagePath('debian12-node', 'oci')}`,
        '--db',
        dbPath,
        '--offline',
        '--no-cache',
        '--dockerfile',
        'Dockerfile',
        '-f',
        'json',
      ],
      join(work, 'cache-df'),
    );
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { baseImage: unknown }).baseImage).toEqual({
      name: `${host}/bulwark/debian:12`,
      layers: 0,
      detectedBy: 'dockerfile',
      confidence: 'medium',
      evidence: 'final FROM of Dockerfile (line 4)',
    });
    const missing = await cli(
      [
        'scan',
        `oci-dir://${imagePath('debian12-node', 'oci')}`,
        '--db',
        dbPath,
        '--offline',
        '--dockerfile',
        'nope',
      ],
      join(work, 'cache-df'),
    );
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/^bulwark: nope: /);
  }, 300_000);

  it('recommends the refresh and the slim variant with the exact deltas, and a fix plan', async () => {
    const cache = join(work, 'cache-recs');
    // The image was built while :12 was the old build; Bulwark saw that base then.
    await scanTarget(`registry://${host}/bulwark/debian:12`, opts(cache));
    // Since then :12 was rebuilt, and a slim variant and other tags were published.
    for (const tag of ['12', '12.5', 'latest', '13'])
      await push(newBase.dir, `${host}/bulwark/debian:${tag}`);
    await push(slim.dir, `${host}/bulwark/debian:12-slim`);
    const outdated = await scanTarget(`oci-dir://${imagePath('debian12-node', 'oci')}`, opts(cache));
    expect(await checkBaseFreshness(outdated.report.baseImage!)).toEqual({
      reference: `${host}/bulwark/debian:12`,
      currentDigest: newBase.manifestDigest,
      upToDate: false,
    });

    const r = await cli(
      [
        'recommendations',
        `oci-dir://${imagePath('debian12-node', 'oci')}`,
        '--db',
        dbPath,
        '--offline',
        '-f',
        'json',
      ],
      cache,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      schema: string;
      baseImage: { name: string; digest: string };
      upToDate: boolean;
      tagsListed: number;
      current: { size: number };
      candidates: {
        reference: string;
        kind: string;
        digest: string;
        sizeChange: number;
        removes: Record<string, number>;
        adds: Record<string, number>;
        removed: { vulnerabilityId: string; package: string }[];
        added: unknown[];
      }[];
      plan: { kind: string; base?: string; fixedVulnerabilities: string[]; package?: { name: string } }[];
    };
    expect(doc.schema).toBe('bulwark-recommendations/v1');
    expect(doc.baseImage).toMatchObject({
      name: `${host}/bulwark/debian:12`,
      digest: oldBase.manifestDigest,
    });
    expect(doc.upToDate).toBe(false);
    expect(doc.tagsListed).toBe(7);
    // The rule: the same tag rebuilt and the slim variant; not 12.5 (a different granularity), 11, 13, latest.
    expect(doc.candidates.map((c) => [c.kind, c.reference]).sort()).toEqual([
      ['refresh', `${host}/bulwark/debian:12`],
      ['slimmer', `${host}/bulwark/debian:12-slim`],
    ]);

    // Expected deltas: the old base against each candidate, scanned on their own (another cache).
    const ref = opts(join(work, 'cache-expected'));
    const old = await scanTarget(`registry://${host}/bulwark/debian@${oldBase.manifestDigest}`, ref);
    for (const [kind, layout, tag] of [
      ['refresh', newBase, '12'],
      ['slimmer', slim, '12-slim'],
    ] as const) {
      const cand = await scanTarget(`registry://${host}/bulwark/debian:${tag}`, ref);
      const diff = compareReports(old.report, cand.report);
      const got = doc.candidates.find((c) => c.kind === kind)!;
      expect(got.digest).toBe(layout.manifestDigest);
      expect(diff.vulnerabilities.removed.length).toBeGreaterThan(0);
      const { total: removedTotal, ...removes } = got.removes;
      const { total: addedTotal, ...adds } = got.adds;
      expect(removedTotal).toBe(diff.vulnerabilities.removed.length);
      expect(addedTotal).toBe(diff.vulnerabilities.added.length);
      expect(Object.fromEntries(Object.entries(removes).filter(([, n]) => n > 0))).toEqual(
        bySeverity(diff.vulnerabilities.removed),
      );
      expect(Object.fromEntries(Object.entries(adds).filter(([, n]) => n > 0))).toEqual(
        bySeverity(diff.vulnerabilities.added),
      );
      expect(got.removed.map((v) => `${v.vulnerabilityId} ${v.package}`)).toEqual(
        diff.vulnerabilities.removed.map((v) => `${v.vulnerabilityId} ${v.package}`),
      );
      expect(got.sizeChange).toBe(layerBytes(cand.report) - layerBytes(old.report));
    }
    expect(doc.candidates.find((c) => c.kind === 'slimmer')!.sizeChange).toBeLessThan(0);

    // The plan: the base change that removes the most, then upgrades of what is left, each fixing
    // something, no vulnerability fixed twice, every fixable one of the result covered.
    const best = [...doc.candidates].sort((a, b) => b.removed.length - a.removed.length)[0]!;
    expect(doc.plan[0]).toMatchObject({ kind: 'base', base: best.reference });
    expect([...doc.plan[0]!.fixedVulnerabilities].sort()).toEqual(
      [...new Set(best.removed.map((v) => v.vulnerabilityId))].sort(),
    );
    const upgrades = doc.plan.slice(1);
    expect(upgrades.every((s) => s.kind === 'upgrade' && s.fixedVulnerabilities.length > 0)).toBe(true);
    const app = await scanTarget(`oci-dir://${imagePath('debian12-node', 'oci')}`, ref);
    const bestScan = await scanTarget(`registry://${best.reference}`, ref);
    const after = [
      ...app.report.findings.filter((f) => (f.package.layer?.index ?? 1) >= 1),
      ...bestScan.report.findings,
    ].filter((f) => f.fixState === 'fixed' && !f.suppressed);
    const planned = upgrades.flatMap((s) => s.fixedVulnerabilities.map((id) => `${s.package!.name} ${id}`));
    expect(new Set(planned).size).toBe(planned.length);
    expect(new Set(upgrades.flatMap((s) => s.fixedVulnerabilities))).toEqual(
      new Set(after.map((f) => f.vulnerabilityId)),
    );

    // The table and markdown name the same candidates; --fail-on-outdated exits 1.
    const table = await cli(
      ['recs', `oci-dir://${imagePath('debian12-node', 'oci')}`, '--db', dbPath, '--offline'],
      cache,
    );
    expect(table.code).toBe(0);
    expect(table.stdout).toContain(`Outdated: ${host}/bulwark/debian:12 now points to a newer digest`);
    expect(table.stdout).toContain(`${host}/bulwark/debian:12-slim`);
    expect(table.stdout).toMatch(/^ {2}1\. change the base image to /m);
    const mdOut = await cli(
      [
        'recs',
        `oci-dir://${imagePath('debian12-node', 'oci')}`,
        '--db',
        dbPath,
        '--offline',
        '-f',
        'markdown',
        '--fail-on-outdated',
      ],
      cache,
    );
    expect(mdOut.code).toBe(1);
    expect(mdOut.stdout).toContain('## Base image recommendations');
    expect(mdOut.stderr).toContain('now points to a newer digest');

    // Alternatives (e.g. from the approved catalogue): scanned like the others; one that cannot be read is skipped.
    const alt = await cli(
      [
        'recs',
        `oci-dir://${imagePath('debian12-node', 'oci')}`,
        '--db',
        dbPath,
        '--offline',
        '-f',
        'json',
        '--alternative',
        `${host}/bulwark/debian:13`,
        '--alternative',
        `${host}/bulwark/nothing:1`,
      ],
      cache,
    );
    expect(alt.code).toBe(0);
    const altDoc = JSON.parse(alt.stdout) as typeof doc & {
      skipped: { reference: string; reason: string }[];
    };
    const thirteen = altDoc.candidates.find((c) => c.kind === 'alternative')!;
    expect(thirteen.reference).toBe(`${host}/bulwark/debian:13`);
    expect(thirteen.digest).toBe(newBase.manifestDigest);
    expect(thirteen.removes).toEqual(doc.candidates.find((c) => c.kind === 'refresh')!.removes);
    expect(altDoc.skipped).toEqual([
      expect.objectContaining({
        reference: `${host}/bulwark/nothing:1`,
        reason: expect.stringMatching(/^could not be read: /),
      }),
    ]);
  }, 600_000);

  it('recommendations: no base is said (exit 0), a folder is an input error, bad flags a usage error', async () => {
    const cache = join(work, 'cache-none');
    const none = await cli(
      ['recs', `oci-dir://${imagePath('debian12-minbase', 'oci')}`, '--db', dbPath, '--offline'],
      cache,
    );
    expect(none.code).toBe(0);
    expect(none.stdout).toContain('No recommendations: no base image detected');
    const folder = await cli(
      ['recs', `fs://${join(work, 'update-files')}`, '--db', dbPath, '--offline'],
      cache,
    );
    expect(folder.code).toBe(3);
    expect(folder.stderr).toMatch(/^bulwark: .*: not an image\n$/);
    const bad = await cli(['recs', 'x', '--max-candidates', '0'], cache);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--max-candidates must be a whole number from 1 to 50');
  }, 300_000);

  it('lists every tag through the paginated tags list', async () => {
    const { listRepositoryTags } = await import('../source/registry/open-registry.js');
    const all = await listRepositoryTags(`${host}/bulwark/debian`, {}, 2);
    const one = await listRepositoryTags(`${host}/bulwark/debian`);
    expect(all).toEqual(one);
    expect(all).toEqual(expect.arrayContaining(['11', '12', '12.4']));
  });
});
