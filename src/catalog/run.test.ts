/**
 * The catalog stage end to end on the real test images: counts and layer attribution are computed
 * independently in the test (from the images' own dpkg status files and the build's package lists).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, lstatSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSource } from '../source/open.js';
import { haveImages, imagePath, IMAGES_DIR } from '../test-support/images.js';
import { tempDir } from '../source/test-support/build.js';
import { catalogSource } from './run.js';
import type { Package } from './types.js';

/** Installed packages in a dpkg status file, counted with a plain regex (independent of the cataloger). */
function installedInStatus(status: string): Set<string> {
  const out = new Set<string>();
  for (const stanza of status.split(/\n\n+/)) {
    const name = /^Package: (.+)$/m.exec(stanza)?.[1];
    const version = /^Version: (.+)$/m.exec(stanza)?.[1];
    if (name && version && /^Status: install ok installed$/m.test(stanza)) out.add(`${name}@${version}`);
  }
  return out;
}

/** A file of the final filesystem, read through the core's file tree with a one-path probe cataloger. */
async function finalFile(target: string, path: string): Promise<string> {
  const { tree } = await catalogSource(await openSource(target), {
    catalogers: [{ id: 'probe', version: 1, match: (p) => p === path, catalog: () => ({ packages: [] }) }],
  });
  return tree.resolve(path)!.content!.toString();
}

const statusOf = (target: string): Promise<string> => finalFile(target, '/var/lib/dpkg/status');

const debs = (pkgs: readonly Package[]): Package[] => pkgs.filter((p) => p.type === 'deb');
const key = (p: Package): string => `${p.name}@${p.version}`;

/** A package without the format-specific parts of its layer reference (blob digest, media type, size). */
function portable(p: Package): unknown {
  const slim = (l?: Package['layer']) =>
    l ? { index: l.index, diffId: l.diffId, createdBy: l.createdBy } : undefined;
  return {
    ...p,
    layer: slim(p.layer),
    locations: p.locations.map((l) => ({ path: l.path, layer: slim(l.layer) })),
  };
}

describe.skipIf(!haveImages())('catalog on real images', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('lists every installed dpkg package of debian12-minbase', async () => {
    const { sbom } = await catalogSource(await openSource(imagePath('debian12-minbase', 'oci')));
    const expected = new Set(
      readFileSync(join(IMAGES_DIR, 'debian12-minbase.packages.txt'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.replace('=', '@')),
    );
    expect(new Set(debs(sbom.packages).map(key))).toEqual(expected);
    expect(sbom.distro?.id).toBe('debian');
    expect(sbom.distro?.versionId).toBe('12');
    expect(debs(sbom.packages).every((p) => p.layer?.index === 0)).toBe(true);
  });

  it('attributes the apt layer packages of debian12-node to that layer and the rest to the base layer', async () => {
    const target = imagePath('debian12-node', 'oci');
    const { sbom } = await catalogSource(await openSource(target));
    const installed = installedInStatus(await statusOf(target));
    const base = new Set(
      readFileSync(join(IMAGES_DIR, 'debian12-minbase.packages.txt'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.replace('=', '@')),
    );
    const added = [...installed].filter((k) => !base.has(k));
    expect(debs(sbom.packages).map(key).sort()).toEqual([...installed].sort());
    expect(added.length).toBeGreaterThan(0);
    for (const p of debs(sbom.packages)) {
      expect({ pkg: key(p), layer: p.layer?.index }).toEqual({
        pkg: key(p),
        layer: added.includes(key(p)) ? 2 : 0,
      });
    }
    const apt = sbom.packages.find((p) => p.name === 'curl');
    expect(apt?.layer?.createdBy).toMatch(/apt-get install/);
  });

  it('gives the same packages for the docker-archive, OCI layout and OCI archive of an image', async () => {
    const results = [];
    for (const t of [
      imagePath('debian12-node', 'docker.tar'),
      `oci-dir://${imagePath('debian12-node', 'oci')}`,
      imagePath('debian12-node', 'oci.tar'),
    ]) {
      const { sbom } = await catalogSource(await openSource(t));
      results.push(
        JSON.stringify({
          packages: sbom.packages.map(portable),
          relationships: sbom.relationships,
          distro: sbom.distro,
        }),
      );
    }
    expect(results[1]).toBe(results[0]);
    expect(results[2]).toBe(results[0]);
  });

  it('selects the arm64 image of the multiarch index', async () => {
    const { sbom } = await catalogSource(
      await openSource(`oci-dir://${imagePath('multiarch', 'oci')}`, { platform: 'linux/arm64' }),
    );
    expect(debs(sbom.packages).map((p) => `${p.name}:${p.arch}`)).toEqual(['base-files:arm64']);
    const amd = await catalogSource(
      await openSource(`oci-dir://${imagePath('multiarch', 'oci')}`, { platform: 'linux/amd64' }),
    );
    expect(debs(amd.sbom.packages).length).toBeGreaterThan(50);
  });

  describe('fs:// on the unpacked root filesystem', () => {
    let root = '';
    beforeAll(() => {
      // Unpack the docker-archive layer by layer with the system tar, applying whiteouts by hand.
      const work = tempDir();
      dirs.push(work);
      root = join(work, 'rootfs');
      mkdirSync(root);
      const archive = join(work, 'archive');
      mkdirSync(archive);
      execFileSync('tar', ['-xf', imagePath('debian12-node', 'docker.tar'), '-C', archive]);
      const manifest = JSON.parse(readFileSync(join(archive, 'manifest.json'), 'utf8')) as {
        Layers: string[];
      }[];
      for (const layer of manifest[0]!.Layers) {
        execFileSync('tar', ['-xf', join(archive, layer), '-C', root, '--no-same-owner']);
        const walk = (dir: string): void => {
          for (const name of readdirSync(dir)) {
            const p = join(dir, name);
            if (name.startsWith('.wh.')) {
              rmSync(p, { force: true });
              if (name !== '.wh..wh..opq') rmSync(join(dir, name.slice(4)), { recursive: true, force: true });
            } else if (lstatSync(p).isDirectory()) walk(p);
          }
        };
        walk(root);
      }
    });

    it('gives the same OS packages as the image', async () => {
      const image = await catalogSource(await openSource(imagePath('debian12-node', 'oci')));
      const fs = await catalogSource(await openSource(`fs://${root}`, { gitignore: false }));
      const strip = (p: Package) => ({
        ...p,
        id: '',
        layer: undefined,
        locations: p.locations.map((l) => ({ path: l.path })),
      });
      expect(debs(fs.sbom.packages).map(strip)).toEqual(debs(image.sbom.packages).map(strip));
      expect(fs.sbom.distro).toEqual(image.sbom.distro);
    });
  });
});

describe.skipIf(!haveImages())('npm packages installed and locked', () => {
  it('lists each package of /app once, with its node_modules path and the lock file, direct flags from the lock', async () => {
    const { sbom } = await catalogSource(await openSource(imagePath('debian12-node', 'oci')));
    const lockText = await finalFile(imagePath('debian12-node', 'oci'), '/app/package-lock.json');
    const lock = JSON.parse(lockText) as { packages: Record<string, { version?: string }> };
    const direct = Object.keys(
      (lock.packages[''] as { dependencies?: Record<string, string> }).dependencies ?? {},
    );
    const npm = sbom.packages.filter(
      (p) => p.type === 'npm' && p.locations.some((l) => l.path.startsWith('/app/')),
    );
    const entries = Object.entries(lock.packages).filter(([k]) => k.startsWith('node_modules/'));
    expect(npm).toHaveLength(entries.length);
    for (const [path, entry] of entries) {
      const p = npm.find((x) => x.locations[0]!.path === `/app/${path}/package.json`);
      expect(p?.version).toBe(entry.version);
      expect(p?.locations.map((l) => l.path)).toEqual([
        `/app/${path}/package.json`,
        '/app/package-lock.json',
      ]);
      expect(p?.layer?.index).toBe(1);
      expect(p?.direct).toBe(
        direct.includes(p!.name) && !path.slice('node_modules/'.length).includes('/node_modules/'),
      );
    }
    const ids = new Set(npm.map((p) => p.id));
    const edges = sbom.relationships.filter((r) => r.type === 'depends-on' && ids.has(r.from));
    expect(edges.length).toBeGreaterThan(npm.length / 2);
  });
});
