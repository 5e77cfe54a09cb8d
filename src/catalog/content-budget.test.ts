/**
 * The memory budget for kept file contents: an image of many large jars catalogs the same with a tiny
 * budget (contents spilled to temporary files and read back) as with plenty, while the contents held in
 * memory stay under the budget plus one file. Spill files are removed afterwards.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { openSource } from '../source/open.js';
import { buildImage, tempDir, writeOciLayout } from '../source/test-support/build.js';
import { javaArchiveCataloger } from './java/cataloger.js';
import { catalogSource } from './run.js';

const JARS = 24;
const FILLER = 3 * 1024 * 1024; // stored uncompressed-ish: random bytes do not deflate

function jar(i: number): Buffer {
  return Buffer.from(
    zipSync({
      'META-INF/MANIFEST.MF': Buffer.from('Manifest-Version: 1.0\r\n\r\n'),
      [`META-INF/maven/org.example/lib${i}/pom.properties`]: Buffer.from(
        `groupId=org.example\nartifactId=lib${i}\nversion=1.${i}.0\n`,
      ),
      'blob.bin': randomBytes(FILLER),
    }),
  );
}

const spillDirs = (): string[] => readdirSync(tmpdir()).filter((n) => n.startsWith('bulwark-spill-'));

describe('content memory budget', () => {
  it('spills beyond the budget, with the same packages as without a limit', async () => {
    const jars = Array.from({ length: JARS }, (_, i) => jar(i));
    // Two layers; the second replaces one jar (the replaced bytes stop counting).
    const image = buildImage({
      layers: [
        {
          compression: 'none',
          entries: jars.map((content, i) => ({ name: `opt/lib/lib${i}.jar`, content })),
        },
        { compression: 'none', entries: [{ name: 'opt/lib/lib0.jar', content: jar(100) }] },
      ],
    });
    const layout = writeOciLayout(join(tempDir(), 'img'), [{ image }]);
    const before = new Set(spillDirs());
    const names = (pkgs: readonly { name: string; version: string }[]) =>
      pkgs.map((p) => `${p.name}@${p.version}`);

    const roomy = await catalogSource(await openSource(`oci-dir://${layout}`), {
      catalogers: [javaArchiveCataloger],
    });
    expect(roomy.contents.spilledFiles).toBe(0);

    const budget = 8 * 1024 * 1024;
    const tight = await catalogSource(await openSource(`oci-dir://${layout}`), {
      catalogers: [javaArchiveCataloger],
      contentBudget: budget,
    });
    expect(names(tight.sbom.packages)).toEqual(names(roomy.sbom.packages));
    expect(tight.sbom.packages).toHaveLength(JARS);
    expect(names(tight.sbom.packages)).toContain('org.example:lib100@1.100.0');
    expect(names(tight.sbom.packages)).not.toContain('org.example:lib0@1.0.0');
    expect(tight.sbom.unknowns).toEqual([]);
    expect(tight.contents.spilledFiles).toBeGreaterThan(JARS / 2);
    // Held in memory: at most the budget plus the one file that crossed it.
    expect(tight.contents.peakHeldBytes).toBeLessThanOrEqual(budget + FILLER + 64 * 1024);
    expect(roomy.contents.peakHeldBytes).toBeGreaterThan(JARS * FILLER);
    // Spill files are gone once cataloging is done.
    const left = spillDirs().filter((d) => !before.has(d));
    expect(left.filter((d) => existsSync(join(tmpdir(), d)))).toEqual([]);
  }, 120_000);
});
