/** The library entry point drives the same pipeline as the CLI. */
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { buildImage, tempDir, writeOciLayout } from './source/test-support/build.js';
import * as bulwark from './index.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('library API', () => {
  it('opens a target, catalogs it and formats the SBOM', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const image = buildImage({
      layers: [
        {
          entries: [
            { name: 'etc/os-release', content: 'ID=alpine\nVERSION_ID=3.20.1\n' },
            { name: 'lib/apk/db/installed', content: 'P:musl\nV:1.2.5-r0\nA:x86_64\no:musl\nL:MIT\n\n' },
          ],
        },
      ],
    });
    const source = await bulwark.openSource(`oci-dir://${writeOciLayout(dir, [{ image }])}`);
    const { sbom } = await bulwark.catalogSource(source);
    expect(sbom.schema).toBe(bulwark.SBOM_SCHEMA);
    expect(sbom.distro?.id).toBe('alpine');
    expect(sbom.packages.map((p) => p.purl)).toEqual([
      'pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64&distro=alpine-3.20.1',
    ]);
    expect(JSON.parse(bulwark.formatSbom(sbom, 'json')).packages).toHaveLength(1);
    expect(bulwark.compareVersions('apk', '1.2.5-r0', '1.2.5-r1')).toBe(-1);
  });
});
