/**
 * `bulwark catalog verify` end to end: small real images built here (tar layers, digests), pushed into a
 * real distribution registry on 127.0.0.1 with attestations attached the ways tools attach them (a
 * cosign `.att` tag for provenance, an SPDX artifact in the referrers tag schema for the SBOM). One image
 * meets the hardened profile; each of the others breaks exactly one point of it, and only that point
 * fails. Vulnerabilities come from the shared advisory data.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importInputs } from '../../db/import.js';
import type { CatalogVerification, HardenedCheckId } from '../../report/policy-types.js';
import {
  haveRegistryTools,
  startRegistry,
  type RunningRegistry,
} from '../../source/registry/test-support/registry.js';
import { tempDir } from '../../source/test-support/build.js';
import { SHARED_DIR } from '../../test-support/images.js';
import { prerequisite } from '../../test-support/require.js';
import { existsSync } from 'node:fs';
import {
  Pusher,
  attach,
  distroless,
  image,
  layout,
  npmPackage,
  type Built,
} from '../../policy/test-support/images.js';
import { expectVerifyDocument } from '../../policy/test-support/schema.js';
import { runCli } from '../test-support/capture.js';

const NPM = join(SHARED_DIR, 'vulndata', 'osv', 'npm');
const ready =
  haveRegistryTools() &&
  prerequisite(existsSync(NPM), `catalog verify tests: ${NPM} (shared advisory data) is missing`);

let work: string;
let dbPath: string;
let registry: RunningRegistry;
let host: string;

const IMAGES: Record<string, { img: Built; sbom: boolean; provenance: boolean; breaks?: HardenedCheckId }> =
  {};

function add(
  tag: string,
  img: Built,
  breaks?: HardenedCheckId,
  att = { sbom: true, provenance: true },
): void {
  IMAGES[tag] = { img, ...att, ...(breaks ? { breaks } : {}) };
}

const env = (): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOME: work,
  BULWARK_CACHE_DIR: join(work, 'cache'),
  NO_COLOR: '1',
});

const verify = (target: string, ...extra: string[]) =>
  runCli(['catalog', 'verify', target, '--db', dbPath, '--offline', '-q', ...extra], {
    cwd: work,
    env: env(),
  });

function failing(v: CatalogVerification): string[] {
  expectVerifyDocument(v);
  return v.checks.filter((c) => c.status === 'fail' || c.status === 'unknown').map((c) => c.id);
}

beforeAll(async () => {
  if (!ready) return;
  work = tempDir('bulwark-catalog-cli-');
  dbPath = join(work, 'db', 'bulwark.sqlite');
  await importInputs([NPM], { dbPath });
  registry = await startRegistry({ dir: join(work, 'registry') });
  host = registry.host;
  const app = { user: '1000:1000' };
  add('pass', image(distroless(), app));
  add('root', image(distroless()), 'non-root-user');
  add(
    'shell',
    image(
      distroless([
        { name: 'bin', type: 'dir' },
        { name: 'bin/sh', content: 'x', mode: 0o755 },
      ]),
      app,
    ),
    'no-shell',
  );
  add(
    'pkgmgr',
    image(
      distroless([
        { name: 'usr', type: 'dir' },
        { name: 'usr/bin', type: 'dir' },
        { name: 'usr/bin/apk', content: 'x', mode: 0o755 },
      ]),
      app,
    ),
    'no-package-manager',
  );
  add('setuid', image(distroless([{ name: 'app/helper', content: 'x', mode: 0o4755 }]), app), 'no-setuid');
  add('vuln', image(distroless([npmPackage('lodash', '4.17.15')]), app), 'no-fixable-critical-high');
  add('nosbom', image(distroless([{ name: 'app/v', content: 'nosbom' }]), app), 'sbom-attestation', {
    sbom: false,
    provenance: true,
  });
  add('noprov', image(distroless([{ name: 'app/v', content: 'noprov' }]), app), 'provenance-attestation', {
    sbom: true,
    provenance: false,
  });
  const pusher = new Pusher(host);
  for (const [tag, v] of Object.entries(IMAGES)) {
    await pusher.image('golden', tag, v.img);
    await attach(pusher, 'golden', v.img, { sbom: v.sbom, provenance: v.provenance });
  }
  writeFileSync(
    join(work, '.bulwark.yaml'),
    `approved:\n  - repository: ${host}/golden\n    tags: ['*']\n    owner: platform-team\n    notes: golden images\n    profile: hardened\n`,
  );
}, 180_000);

afterAll(async () => {
  await registry?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!ready)('bulwark catalog verify', () => {
  it('passes an image that meets every point of the hardened profile (exit 0)', async () => {
    const r = await verify(`registry://${host}/golden:pass`, '-f', 'json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const v = JSON.parse(r.stdout) as CatalogVerification;
    expectVerifyDocument(v);
    expect(v.passed).toBe(true);
    expect(v.entry).toEqual({ repository: `${host}/golden`, owner: 'platform-team', notes: 'golden images' });
    expect(v.checks.map((c) => [c.id, c.status])).toEqual([
      ['approved', 'pass'],
      ['non-root-user', 'pass'],
      ['no-shell', 'pass'],
      ['no-package-manager', 'pass'],
      ['no-setuid', 'pass'],
      ['no-fixable-critical-high', 'pass'],
      ['sbom-attestation', 'pass'],
      ['provenance-attestation', 'pass'],
    ]);
    const hex = IMAGES['pass']!.img.manifestDigest.slice(7);
    expect(v.checks.find((c) => c.id === 'sbom-attestation')!.evidence).toEqual([
      `sbom: tag sha256-${hex} application/spdx+json`,
    ]);
    expect(v.checks.find((c) => c.id === 'provenance-attestation')!.evidence).toEqual([
      `provenance: tag sha256-${hex}.att https://slsa.dev/provenance/v1`,
    ]);
    // The table says the same, point by point.
    const t = await verify(`registry://${host}/golden:pass`);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/^PASS +no-setuid +no setuid\/setgid files$/m);
    expect(t.stdout).toContain('Result: the image meets the profile.');
  });

  for (const tag of ['root', 'shell', 'pkgmgr', 'setuid', 'vuln', 'nosbom', 'noprov']) {
    it(`fails an image that breaks exactly one point: ${tag}`, async () => {
      const expected = IMAGES[tag]!.breaks!;
      const r = await verify(`registry://${host}/golden:${tag}`, '-f', 'json');
      expect(r.code).toBe(1);
      const v = JSON.parse(r.stdout) as CatalogVerification;
      expect(v.passed).toBe(false);
      expect(failing(v)).toEqual([expected]);
      expect(v.checks.find((c) => c.id === expected)!.status).toBe('fail');
      expect(r.stderr).toBe(`bulwark: ${host}/golden:${tag} does not meet the profile: ${expected}\n`);
    });
  }

  it('names what broke the point', async () => {
    const get = async (tag: string, id: HardenedCheckId) =>
      (
        JSON.parse(
          (await verify(`registry://${host}/golden:${tag}`, '-f', 'json')).stdout,
        ) as CatalogVerification
      ).checks.find((c) => c.id === id)!;
    expect((await get('root', 'non-root-user')).detail).toBe('default user is unset (root)');
    expect((await get('shell', 'no-shell')).evidence).toEqual(['/bin/sh']);
    expect((await get('pkgmgr', 'no-package-manager')).evidence).toEqual(['/usr/bin/apk']);
    expect((await get('setuid', 'no-setuid')).evidence).toEqual(['/app/helper (setuid, layer 0)']);
    const vuln = await get('vuln', 'no-fixable-critical-high');
    expect(vuln.evidence).toContain('CVE-2020-8203 lodash@4.17.15 → 4.17.19 (high)');
  });

  it('an allowed shell does not fail the point', async () => {
    const dir = tempDir('bulwark-catalog-allow-');
    writeFileSync(
      join(dir, '.bulwark.yaml'),
      `approved:\n  - repository: ${host}/golden\n    profile: {noShell: true, allowShells: [sh]}\n`,
    );
    const r = await runCli(
      [
        'catalog',
        'verify',
        `registry://${host}/golden:shell`,
        '--db',
        dbPath,
        '--offline',
        '-q',
        '-f',
        'json',
      ],
      {
        cwd: dir,
        env: env(),
      },
    );
    const v = JSON.parse(r.stdout) as CatalogVerification;
    expect(v.checks.find((c) => c.id === 'no-shell')).toMatchObject({
      status: 'pass',
      detail: 'no shell (1 allowed)',
    });
    // Points the entry's profile does not require are skipped.
    expect(v.checks.find((c) => c.id === 'non-root-user')!.status).toBe('skipped');
    expect(r.code).toBe(0);
    // --profile hardened checks every point whatever the entry says.
    const h = await runCli(
      [
        'catalog',
        'verify',
        `registry://${host}/golden:shell`,
        '--db',
        dbPath,
        '--offline',
        '-q',
        '-f',
        'json',
        '--profile',
        'hardened',
      ],
      { cwd: dir, env: env() },
    );
    expect(h.code).toBe(1);
    expect(failing(JSON.parse(h.stdout) as CatalogVerification)).toEqual(['no-shell']);
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails the approval point for a name the catalogue does not hold', async () => {
    const r = await verify(`registry://${host}/golden:pass`, '-f', 'json', '--name', 'ghcr.io/other/base:1');
    expect(r.code).toBe(1);
    const v = JSON.parse(r.stdout) as CatalogVerification;
    expect(failing(v)).toEqual(['approved']);
    expect(v.checks[0]!.detail).toBe('ghcr.io/other/base is not in the approved catalogue');
  });

  it('attestations of an image read from a layout, or without look-ups, are unknown: not met', async () => {
    const dir = layout(IMAGES['pass']!.img);
    const r = await verify(`oci-dir://${dir}`, '-f', 'json', '--name', `${host}/golden:pass`);
    expect(r.code).toBe(1);
    const v = JSON.parse(r.stdout) as CatalogVerification;
    expect(failing(v)).toEqual(['sbom-attestation', 'provenance-attestation']);
    expect(v.checks.find((c) => c.id === 'sbom-attestation')!.status).toBe('unknown');
    const n = await verify(`registry://${host}/golden:pass`, '-f', 'json', '--no-lookups');
    expect(failing(JSON.parse(n.stdout) as CatalogVerification)).toEqual([
      'sbom-attestation',
      'provenance-attestation',
    ]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('bad input: a folder is a usage error (2), a bad catalogue a config error (3)', async () => {
    const dir = tempDir('bulwark-catalog-bad-');
    const folder = await runCli(['catalog', 'verify', `fs://${dir}`, '--db', dbPath, '--offline', '-q'], {
      cwd: dir,
      env: env(),
    });
    expect(folder.code).toBe(2);
    expect(folder.stderr).toMatch(/^bulwark: fs:\/\/.*: catalog verify needs an image/);
    writeFileSync(
      join(dir, '.bulwark.yaml'),
      'approved:\n  - repository: debian\n    versions: ">=12 <<13"\n',
    );
    const bad = await runCli(
      ['catalog', 'verify', `registry://${host}/golden:pass`, '--db', dbPath, '--offline', '-q'],
      {
        cwd: dir,
        env: env(),
      },
    );
    expect(bad.code).toBe(3);
    expect(bad.stderr).toBe(
      `bulwark: ${join(dir, '.bulwark.yaml')}: approved[0].versions: "<<13" is not a version comparator (e.g. >=12.4, ^3, 12.x)\n`,
    );
    rmSync(dir, { recursive: true, force: true });
  });

  it('catalog list shows the entries', async () => {
    const r = await runCli(['catalog', 'list', '-f', 'json'], { cwd: work, env: env() });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { entries: { repository: string; owner: string }[] };
    expect(doc.entries).toMatchObject([{ repository: `${host}/golden`, owner: 'platform-team' }]);
  });
});
