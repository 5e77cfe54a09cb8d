/**
 * Reading SBOMs back: our own writers (Bulwark JSON, CycloneDX 1.6, SPDX 2.3) round-trip to the same
 * package identities, SBOMs from other tools are read by PURL, and bad input is a one-line error.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { osPurl } from '../../catalog/os/purl.js';
import type { Package } from '../../model/package.js';
import { InputError } from '../../util/errors.js';
import { formatSbom } from '../format/index.js';
import { sampleDirectorySbom, sampleImageSbom } from '../format/test-support/sample-sbom.js';
import type { Sbom } from '../../model/sbom.js';
import { detectSbomFormat, parseSbom, readSbomFile } from './index.js';
import { packageFromPurl } from './purl.js';

const identity = (p: Package) => ({
  type: p.type,
  name: p.name,
  version: p.version,
  purl: p.purl,
  sourceName: p.sourceName ?? p.name,
});
const identities = (s: Sbom) => s.packages.map(identity).sort((a, b) => a.purl.localeCompare(b.purl));

/** The sample image SBOM with deb PURLs as the dpkg cataloger writes them (source in `upstream=`). */
function sample(): Sbom {
  const s = sampleImageSbom();
  return {
    ...s,
    packages: s.packages.map((p) =>
      p.type === 'deb'
        ? {
            ...p,
            purl: osPurl('deb', s.distro, p.name, p.version, {
              arch: p.arch,
              upstream: p.sourceName && p.sourceName !== p.name ? p.sourceName : undefined,
            }),
          }
        : p,
    ),
  };
}

describe('round trip through our own writers', () => {
  it.each(['json', 'cyclonedx-json', 'spdx-json'] as const)('%s', (format) => {
    const original = sample();
    const text = formatSbom(original, format, { timestamp: new Date('2024-07-01T00:00:00Z') });
    const doc = JSON.parse(text) as unknown;
    expect(detectSbomFormat(doc)).toBe(format === 'json' ? 'bulwark-json' : format);
    const read = parseSbom(doc, 'sbom://x', '/x');
    expect(identities(read)).toEqual(identities(original));
    expect(read.distro).toMatchObject({ id: 'debian', versionId: '12' });
    const libssl = read.packages.find((p) => p.name === 'libssl3')!;
    expect(libssl.sourceName).toBe('openssl');
    if (format !== 'spdx-json') {
      // CycloneDX bom-refs and Bulwark ids are our package ids, so VEX refs keep working
      expect(new Set(read.packages.map((p) => p.id))).toEqual(new Set(original.packages.map((p) => p.id)));
      expect(libssl.layer?.index).toBe(1);
    }
    if (format === 'json') {
      expect(read.source.kind).toBe('image');
      expect(read.relationships).toHaveLength(original.relationships.length);
    }
    // The OS package owning a language package's files survives, so `scan sbom://` skips it the same way.
    const owned = (x: Sbom) => {
      const purl = (id: string) => x.packages.find((p) => p.id === id)?.purl ?? id;
      return x.relationships
        .filter((r) => r.type === 'ownership-by-file-overlap')
        .map((r) => `${purl(r.from)} -> ${purl(r.to)}`)
        .sort();
    };
    expect(owned(read)).toEqual(owned(original));
    expect(owned(read)).toHaveLength(1);
  });

  it('keeps a folder SBOM readable', () => {
    const text = formatSbom(sampleDirectorySbom(), 'cyclonedx-json');
    const read = parseSbom(JSON.parse(text), 'sbom://dir.json', '/dir.json');
    expect(identities(read)).toEqual([
      {
        type: 'npm',
        name: 'left-pad',
        version: '1.3.0',
        purl: 'pkg:npm/left-pad@1.3.0',
        sourceName: 'left-pad',
      },
    ]);
    expect(read.distro).toBeUndefined();
  });
});

describe('SBOMs from other tools', () => {
  it('reads CycloneDX 1.4 with nested components and takes the distro from a PURL qualifier', () => {
    const doc = {
      bomFormat: 'CycloneDX',
      specVersion: '1.4',
      version: 1,
      components: [
        {
          type: 'library',
          name: 'app',
          purl: 'pkg:maven/com.example/app@1.0',
          components: [
            {
              type: 'library',
              name: 'log4j-core',
              purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1',
            },
          ],
        },
        {
          type: 'library',
          name: 'zlib1g',
          purl: 'pkg:deb/debian/zlib1g@1%3A1.2.13.dfsg-1?arch=amd64&upstream=zlib&distro=debian-12',
        },
        { type: 'library', name: 'nopurl' },
        { type: 'library', name: 'thing', purl: 'pkg:github/foo/bar@1.0' },
      ],
    };
    const s = parseSbom(doc, 'sbom://t.json', '/t.json');
    expect(s.distro).toMatchObject({ id: 'debian', versionId: '12' });
    expect(s.packages.map((p) => `${p.type}:${p.name}@${p.version}`)).toEqual([
      'deb:zlib1g@1:1.2.13.dfsg-1',
      'maven:com.example:app@1.0',
      'maven:org.apache.logging.log4j:log4j-core@2.14.1',
    ]);
    expect(s.packages[0]).toMatchObject({
      sourceName: 'zlib',
      sourceVersion: '1:1.2.13.dfsg-1',
      arch: 'amd64',
    });
    expect(s.unknowns.map((u) => u.reason)).toEqual([
      expect.stringMatching(/nopurl has no purl/),
      expect.stringMatching(/"github" has no vulnerability source/),
    ]);
  });

  it('reads SPDX 2.3 with PACKAGE_MANAGER purls and an operating-system package', () => {
    const doc = {
      spdxVersion: 'SPDX-2.3',
      SPDXID: 'SPDXRef-DOCUMENT',
      packages: [
        {
          SPDXID: 'SPDXRef-os',
          name: 'alpine',
          versionInfo: '3.20.1',
          primaryPackagePurpose: 'OPERATING-SYSTEM',
        },
        {
          SPDXID: 'SPDXRef-1',
          name: 'libcrypto3',
          versionInfo: '3.3.1-r0',
          externalRefs: [
            {
              referenceCategory: 'PACKAGE_MANAGER',
              referenceType: 'purl',
              referenceLocator: 'pkg:apk/alpine/libcrypto3@3.3.1-r0?arch=x86_64&upstream=openssl',
            },
          ],
        },
        {
          SPDXID: 'SPDXRef-2',
          name: 'Django',
          externalRefs: [
            {
              referenceCategory: 'PACKAGE-MANAGER',
              referenceType: 'purl',
              referenceLocator: 'pkg:pypi/django@4.2.0',
            },
          ],
        },
        {
          SPDXID: 'SPDXRef-3',
          name: 'golang.org/x/net',
          externalRefs: [
            {
              referenceCategory: 'PACKAGE-MANAGER',
              referenceType: 'purl',
              referenceLocator: 'pkg:golang/golang.org/x/net@v0.17.0',
            },
          ],
        },
        {
          SPDXID: 'SPDXRef-4',
          name: 'rpm-thing',
          externalRefs: [
            {
              referenceCategory: 'PACKAGE-MANAGER',
              referenceType: 'purl',
              referenceLocator:
                'pkg:rpm/almalinux/vim-minimal@2:8.2.2637-20.el9_1?upstream=vim-8.2.2637-20.el9_1.src.rpm',
            },
          ],
        },
      ],
    };
    const s = parseSbom(doc, 'sbom://s.json', '/s.json');
    expect(s.distro).toMatchObject({ id: 'alpine', versionId: '3.20.1' });
    const by = (n: string) => s.packages.find((p) => p.name === n)!;
    expect(by('libcrypto3')).toMatchObject({ type: 'apk', sourceName: 'openssl' });
    expect(by('django').type).toBe('pypi');
    expect(by('golang.org/x/net').version).toBe('v0.17.0');
    expect(by('vim-minimal')).toMatchObject({ sourceName: 'vim', sourceVersion: '2:8.2.2637-20.el9_1' });
  });

  it.each([
    ['pkg:npm/%40babel/core@7.0.0', 'npm', '@babel/core'],
    ['pkg:composer/laravel/framework@10.0.0', 'composer', 'laravel/framework'],
    ['pkg:cargo/serde@1.0.0', 'cargo', 'serde'],
    ['pkg:gem/rack@2.2.3', 'gem', 'rack'],
    ['pkg:nuget/Newtonsoft.Json@13.0.1', 'nuget', 'Newtonsoft.Json'],
  ])('%s', (purl, type, name) => {
    const r = packageFromPurl(purl);
    expect(r.ok && { type: r.pkg.type, name: r.pkg.name }).toEqual({ type, name });
  });

  it('treats unversioned and malformed PURLs as unknowns', () => {
    expect(packageFromPurl('pkg:npm/lodash')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/no version/),
    });
    expect(packageFromPurl('not a purl')).toMatchObject({ ok: false });
  });
});

describe('bad input', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-sbom-read-'));
  const file = (name: string, text: string): string => {
    writeFileSync(join(dir, name), text);
    return name;
  };
  it.each([
    ['not json', '{"bomFormat": "CycloneDX", ', /not JSON/],
    ['not an SBOM', '{"hello": 1}', /not a Bulwark, CycloneDX or SPDX JSON SBOM/],
    [
      'CycloneDX 1.2',
      '{"bomFormat":"CycloneDX","specVersion":"1.2","components":[]}',
      /CycloneDX 1\.2 is not supported/,
    ],
    ['SPDX 2.1', '{"spdxVersion":"SPDX-2.1","packages":[]}', /SPDX-2\.1 is not supported/],
    ['Bulwark without packages', '{"schema":"bulwark-sbom/v1"}', /without a packages list/],
    ['an array', '[1,2,3]', /not a Bulwark/],
  ])('%s', (name, text, message) => {
    const f = file(`${name.replace(/\W+/g, '-')}.json`, text);
    let err: unknown;
    try {
      readSbomFile(f, dir);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain('\n');
  });
  it('names a missing file', () => {
    expect(() => readSbomFile('missing.json', dir)).toThrow(/missing\.json: no such file/);
  });
  it('keeps going past malformed packages of a Bulwark SBOM', () => {
    const f = file(
      'partial.json',
      JSON.stringify({
        schema: 'bulwark-sbom/v1',
        packages: [
          { id: 'a', name: 'x', type: 'npm', version: '1.0.0', purl: 'pkg:npm/x@1.0.0', locations: [] },
          { name: 'broken' },
          7,
        ],
      }),
    );
    const s = readSbomFile(f, dir);
    expect(s.packages.map((p) => p.name)).toEqual(['x']);
    expect(s.unknowns).toHaveLength(2);
    rmSync(dir, { recursive: true, force: true });
  });
});
