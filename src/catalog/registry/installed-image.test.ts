/**
 * The installed-package catalogers through the real core on the debian12-node test image: every
 * package of the app's package-lock.json (the expectation, read from the image itself) must appear
 * with its version, at its node_modules path, attributed to the layer that copied the app.
 */
import { describe, it, expect } from 'vitest';
import { openSource } from '../../source/open.js';
import { haveImages, imagePath } from '../../test-support/images.js';
import { catalogSource } from '../run.js';
import { INSTALLED_CATALOGERS } from './installed.js';

describe.skipIf(!haveImages())('installed catalogers on debian12-node', () => {
  it('finds every locked npm package at its node_modules path in the app layer', async () => {
    const probe = {
      id: 'lock-probe',
      version: 1,
      match: (p: string) => p === '/app/package-lock.json',
      catalog: () => ({ packages: [] }),
    };
    const { sbom, tree } = await catalogSource(await openSource(imagePath('debian12-node', 'oci')), {
      catalogers: [...INSTALLED_CATALOGERS, probe],
    });
    const lockNode = tree.resolve('/app/package-lock.json')!;
    const lock = JSON.parse(lockNode.content!.toString()) as {
      packages: Record<string, { version?: string; link?: boolean }>;
    };
    const expected = Object.entries(lock.packages)
      .filter(([k, v]) => k.startsWith('node_modules/') && !v.link && v.version)
      .map(([k, v]) => `/app/${k}/package.json@${v.version}`)
      .sort();
    expect(expected.length).toBeGreaterThan(10);

    const npm = sbom.packages.filter((p) => p.type === 'npm' && p.locations[0]!.path.startsWith('/app/'));
    expect(npm.map((p) => `${p.locations[0]!.path}@${p.version}`).sort()).toEqual(expected);
    // The app's own private package.json is not a package.
    expect(npm.some((p) => p.locations[0]!.path === '/app/package.json')).toBe(false);
    for (const p of npm) {
      expect(p.layer?.index).toBe(lockNode.layer.index);
      expect(p.layer?.createdBy).toMatch(/COPY app\//);
    }
    expect(sbom.unknowns.filter((u) => u.path.startsWith('/app/'))).toEqual([]);
  }, 120_000);
});
