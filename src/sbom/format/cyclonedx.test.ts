import { describe, expect, it } from 'vitest';
import { Models, Spec, Validation } from '@cyclonedx/cyclonedx-library';
import type { Sbom } from '../../model/sbom.js';
import { cyclonedxLicenses, formatCycloneDx } from './cyclonedx.js';
import { SECRET_VALUES, sampleDirectorySbom, sampleImageSbom } from './test-support/sample-sbom.js';

// The official CycloneDX 1.6 JSON schema (with the SPDX and JSF schemas it references), shipped in
// the CycloneDX library and compiled offline with ajv by the library's validator.
const validator = new Validation.JsonStrictValidator(Spec.Version.v1dot6);
const PINNED = new Date('2024-07-01T12:00:00Z');

interface Property {
  name: string;
  value: string;
}
interface Component {
  type: string;
  name: string;
  version?: string;
  'bom-ref'?: string;
  purl?: string;
  cpe?: string;
  scope?: string;
  licenses?: ({ license: { id?: string; name?: string } } | { expression: string })[];
  properties?: Property[];
}
interface Bom {
  serialNumber: string;
  metadata: {
    timestamp: string;
    tools: { components: Component[] };
    component: Component;
    properties?: Property[];
  };
  components: Component[];
  dependencies: { ref: string; dependsOn?: string[] }[];
}

const parse = (text: string): Bom => JSON.parse(text) as Bom;
const prop = (c: Component, name: string): string | undefined =>
  c.properties?.find((p) => p.name === name)?.value;

describe('formatCycloneDx', () => {
  it.each([
    ['image', sampleImageSbom()],
    ['folder', sampleDirectorySbom()],
  ])('is valid CycloneDX 1.6 (%s)', async (_name, sbom) => {
    const text = formatCycloneDx(sbom, { timestamp: PINNED });
    expect(await validator.validate(text)).toBeNull();
  });

  it('the validator does reject a broken document', async () => {
    const bom = parse(formatCycloneDx(sampleImageSbom(), { timestamp: PINNED }));
    bom.components[0]!.type = 'not-a-type';
    expect(await validator.validate(JSON.stringify(bom))).not.toBeNull();
  });

  it('describes the image as the metadata component, with its layers as properties', () => {
    const bom = parse(formatCycloneDx(sampleImageSbom(), { timestamp: PINNED }));
    const root = bom.metadata.component;
    expect(root).toMatchObject({
      type: 'container',
      name: 'example.org/team/debian12-node:latest',
      version: `sha256:${'e'.repeat(64)}`,
    });
    expect(prop(root, 'bulwark:image:layer:0:digest')).toBe(`sha256:${'a'.repeat(64)}`);
    expect(prop(root, 'bulwark:image:layer:1:diffId')).toBe(`sha256:${'d'.repeat(64)}`);
    expect(prop(root, 'bulwark:image:layer:1:createdBy')).toContain('apt-get install');
    expect(prop(root, 'bulwark:image:env:1:name')).toBe('API_TOKEN');
    expect(bom.metadata.tools.components).toEqual([
      { type: 'application', name: 'bulwark', version: '0.1.0' },
    ]);
    expect(bom.metadata.timestamp).toBe('2024-07-01T12:00:00.000Z');
    expect(prop({ type: '', name: '', properties: bom.metadata.properties }, 'bulwark:unknown:0:path')).toBe(
      '/app/node_modules/broken/package.json',
    );
  });

  it('names an untagged image by its target and a folder by its path', () => {
    const sbom = sampleImageSbom();
    if (sbom.source.kind !== 'image') throw new Error('image expected');
    const untagged: Sbom = {
      ...sbom,
      source: { ...sbom.source, image: { ...sbom.source.image, repoTags: [] } },
    };
    expect(parse(formatCycloneDx(untagged, { timestamp: PINNED })).metadata.component.name).toBe(
      'debian12-node.docker.tar',
    );
    const folder = parse(formatCycloneDx(sampleDirectorySbom(), { timestamp: PINNED })).metadata.component;
    expect(folder).toMatchObject({ type: 'file', name: './my-app' });
  });

  it('stays valid when the manifest digest is unknown', async () => {
    const sbom = sampleImageSbom();
    if (sbom.source.kind !== 'image') throw new Error('image expected');
    const noDigest: Sbom = {
      ...sbom,
      source: { ...sbom.source, image: { ...sbom.source.image, manifestDigest: '' } },
    };
    const text = formatCycloneDx(noDigest, { timestamp: PINNED });
    expect(await validator.validate(text)).toBeNull();
    const root = parse(text).metadata.component;
    expect(root.version).toBeUndefined();
    expect(root['bom-ref']).toBe('bulwark:subject:example.org/team/debian12-node:latest');
  });

  it('lists the distro as an operating-system component and packages as libraries', () => {
    const bom = parse(formatCycloneDx(sampleImageSbom(), { timestamp: PINNED }));
    expect(bom.components[0]).toMatchObject({ type: 'operating-system', name: 'debian', version: '12' });
    const libs = bom.components.slice(1);
    expect(libs.map((c) => c.type)).toEqual(Array(7).fill('library'));
    expect(libs.map((c) => c['bom-ref'])).toEqual(
      sampleImageSbom()
        .packages.map((p) => p.id)
        .sort(),
    );

    const libc = libs.find((c) => c.name === 'libc6')!;
    expect(libc.purl).toBe('pkg:deb/debian/libc6@2.36-9%2Bdeb12u7?arch=amd64&distro=debian-12');
    expect(libc.cpe).toBe('cpe:2.3:a:libc6:libc6:2.36-9\\+deb12u7:*:*:*:*:*:*:*');
    expect(prop(libc, 'bulwark:package:type')).toBe('deb');
    expect(prop(libc, 'bulwark:source:name')).toBe('glibc');
    expect(prop(libc, 'bulwark:layer:index')).toBe('0');
    expect(prop(libc, 'bulwark:layer:diffId')).toBe(`sha256:${'b'.repeat(64)}`);
    expect(prop(libc, 'bulwark:layer:createdBy')).toContain('ADD file:');
    expect(prop(libc, 'bulwark:location:0:path')).toBe('/var/lib/dpkg/status');
    expect(libc.licenses).toEqual([
      { license: { id: 'GPL-2.0-or-later' } },
      { license: { id: 'LGPL-2.1-or-later' } },
    ]);

    // A malformed CPE never reaches the `cpe` field but is kept as a property.
    const weird = libs.find((c) => c.name === 'weird-pkg')!;
    expect(weird.cpe).toBe('cpe:2.3:a:weird:weird-pkg:0.0.1:*:*:*:*:*:*:*');
    expect(prop(weird, 'bulwark:cpe:0')).toBe('cpe:2.3:a:weird:weird pkg:0.0.1:*:*:*:*:*:*:*');
    expect(weird.scope).toBe('optional');
  });

  it('builds the dependency graph from depends-on, rooted at the image', () => {
    const bom = parse(formatCycloneDx(sampleImageSbom(), { timestamp: PINNED }));
    const deps = new Map(bom.dependencies.map((d) => [d.ref, d.dependsOn ?? []]));
    expect(deps.get('npm-express-fedcba9876543210')).toEqual([
      'npm-debug-fedcba9876543210',
      'npm-weird-pkg-fedcba9876543210',
    ]);
    expect(deps.get('deb-libssl3-0123456789abcdef')).toEqual(['deb-libc6-0123456789abcdef']);
    // ownership-by-file-overlap is not a dependency.
    expect(deps.get('deb-tzdata-0123456789abcdef')).toEqual([]);
    const rootDeps = deps.get(bom.metadata.component['bom-ref']!)!;
    expect(rootDeps).toContain('npm-express-fedcba9876543210');
    expect(rootDeps).toContain('bulwark:os:debian@12');
    expect(rootDeps).not.toContain('npm-debug-fedcba9876543210');
    // Every reference points at a component of the document.
    const refs = new Set([bom.metadata.component['bom-ref'], ...bom.components.map((c) => c['bom-ref'])]);
    for (const [ref, on] of deps) for (const r of [ref, ...on]) expect(refs.has(r)).toBe(true);
  });

  it('is byte-identical with a pinned timestamp, serial number included', () => {
    const a = formatCycloneDx(sampleImageSbom(), { timestamp: PINNED });
    const b = formatCycloneDx(
      { ...sampleImageSbom(), packages: [...sampleImageSbom().packages].reverse() },
      { timestamp: PINNED },
    );
    expect(b).toBe(a);
    expect(parse(a).serialNumber).toMatch(
      /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    const other = formatCycloneDx(sampleDirectorySbom(), { timestamp: PINNED });
    expect(parse(other).serialNumber).not.toBe(parse(a).serialNumber);
  });

  it('takes the time from SOURCE_DATE_EPOCH, else now with a random serial number', () => {
    const env = { SOURCE_DATE_EPOCH: '1700000000' };
    const a = formatCycloneDx(sampleImageSbom(), { env });
    expect(parse(a).metadata.timestamp).toBe('2023-11-14T22:13:20.000Z');
    expect(formatCycloneDx(sampleImageSbom(), { env })).toBe(a);

    const before = Date.now();
    const x = parse(formatCycloneDx(sampleImageSbom(), { env: {} }));
    const y = parse(formatCycloneDx(sampleImageSbom(), { env: {} }));
    expect(Date.parse(x.metadata.timestamp)).toBeGreaterThanOrEqual(before - 1000);
    expect(x.serialNumber).not.toBe(y.serialNumber);
    expect(() => formatCycloneDx(sampleImageSbom(), { env: { SOURCE_DATE_EPOCH: 'yesterday' } })).toThrow(
      /SOURCE_DATE_EPOCH/,
    );
  });

  it('never writes env values', () => {
    const text = formatCycloneDx(sampleImageSbom(), { timestamp: PINNED });
    for (const secret of SECRET_VALUES) expect(text).not.toContain(secret);
  });
});

describe('cyclonedxLicenses', () => {
  const render = (ls: string[]): unknown[] =>
    cyclonedxLicenses(ls).map((l) =>
      l instanceof Models.LicenseExpression
        ? { expression: l.expression }
        : l instanceof Models.SpdxLicense
          ? { id: l.id }
          : { name: l.name },
    );

  it.each<[string[], unknown[]]>([
    [['MIT'], [{ id: 'MIT' }]],
    [
      ['MIT', 'Apache-2.0'],
      [{ id: 'Apache-2.0' }, { id: 'MIT' }],
    ],
    [['MIT OR Apache-2.0'], [{ expression: 'MIT OR Apache-2.0' }]],
    [['MIT OR Apache-2.0', 'BSD-3-Clause'], [{ expression: 'BSD-3-Clause AND (MIT OR Apache-2.0)' }]],
    [['LicenseRef-public-domain'], [{ expression: 'LicenseRef-public-domain' }]],
    [
      ['Custom text', 'MIT'],
      [{ name: 'Custom text' }, { id: 'MIT' }],
    ],
    [
      ['Custom text', 'MIT OR ISC'],
      [{ name: 'Custom text' }, { name: 'MIT OR ISC' }],
    ],
    [['', '  '], []],
  ])('%j', (input, expected) => {
    expect(render(input)).toEqual(expected);
  });
});
