import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Ajv2019 } from 'ajv/dist/2019.js';
import addFormats from 'ajv-formats';
import parseSpdx from 'spdx-expression-parse';
import type { Sbom } from '../../model/sbom.js';
import { formatSpdx, sanitizeSpdxId } from './spdx.js';
import { SECRET_VALUES, sampleDirectorySbom, sampleImageSbom } from './test-support/sample-sbom.js';

// The official SPDX 2.3 JSON schema, committed with its provenance in testdata/README.md.
const schema = JSON.parse(
  readFileSync(new URL('./testdata/spdx-schema-v2.3.json', import.meta.url), 'utf8'),
) as {
  $id: string;
};
const ajv = new Ajv2019({ allErrors: true, strict: false });
addFormats.default(ajv);
const validate = ajv.compile(schema);
const PINNED = new Date('2024-07-01T12:00:00Z');

interface SpdxPackage {
  SPDXID: string;
  name: string;
  versionInfo?: string;
  licenseDeclared: string;
  licenseConcluded: string;
  sourceInfo?: string;
  primaryPackagePurpose: string;
  externalRefs?: { referenceCategory: string; referenceType: string; referenceLocator: string }[];
  checksums?: { algorithm: string; checksumValue: string }[];
}
interface SpdxDoc {
  spdxVersion: string;
  dataLicense: string;
  SPDXID: string;
  name: string;
  documentNamespace: string;
  creationInfo: { created: string; creators: string[] };
  packages: SpdxPackage[];
  hasExtractedLicensingInfos?: { licenseId: string; extractedText: string; name: string }[];
  relationships: {
    spdxElementId: string;
    relationshipType: string;
    relatedSpdxElement: string;
    comment?: string;
  }[];
}
const parse = (text: string): SpdxDoc => JSON.parse(text) as SpdxDoc;

describe('formatSpdx', () => {
  it('validates against the official schema (which is the 2.3 one)', () => {
    expect(schema.$id).toBe('http://spdx.org/rdf/terms/2.3');
    for (const sbom of [sampleImageSbom(), sampleDirectorySbom()]) {
      const doc = parse(formatSpdx(sbom, { timestamp: PINNED }));
      const ok = validate(doc);
      expect(validate.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
    }
  });

  it('the schema does reject a broken document', () => {
    const doc = parse(formatSpdx(sampleImageSbom(), { timestamp: PINNED })) as unknown as Record<
      string,
      unknown
    >;
    delete doc['creationInfo'];
    expect(validate(doc)).toBe(false);
  });

  it('writes the document header', () => {
    const doc = parse(formatSpdx(sampleImageSbom(), { timestamp: PINNED }));
    expect(doc).toMatchObject({
      spdxVersion: 'SPDX-2.3',
      dataLicense: 'CC0-1.0',
      SPDXID: 'SPDXRef-DOCUMENT',
      name: 'example.org/team/debian12-node:latest',
      creationInfo: { created: '2024-07-01T12:00:00Z', creators: ['Tool: bulwark-0.1.0'] },
    });
    expect(doc.documentNamespace).toMatch(
      /^https:\/\/spdx\.org\/spdxdocs\/bulwark-example\.org-team-debian12-node-latest-[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('uses only SPDX-legal ids, all unique, and every relationship points at one', () => {
    const doc = parse(formatSpdx(sampleImageSbom(), { timestamp: PINNED }));
    const ids = doc.packages.map((p) => p.SPDXID);
    for (const id of ids) expect(id).toMatch(/^SPDXRef-[A-Za-z0-9.-]+$/);
    expect(new Set(ids).size).toBe(ids.length);
    const known = new Set([...ids, 'SPDXRef-DOCUMENT']);
    for (const r of doc.relationships) {
      expect(known.has(r.spdxElementId)).toBe(true);
      expect(known.has(r.relatedSpdxElement)).toBe(true);
    }
  });

  it('describes a root package for the image that contains every package', () => {
    const doc = parse(formatSpdx(sampleImageSbom(), { timestamp: PINNED }));
    const root = doc.packages[0]!;
    expect(root).toMatchObject({
      SPDXID: 'SPDXRef-DocumentRoot-Image-example.org-team-debian12-node-latest',
      primaryPackagePurpose: 'CONTAINER',
      versionInfo: `sha256:${'e'.repeat(64)}`,
      checksums: [{ algorithm: 'SHA256', checksumValue: 'e'.repeat(64) }],
    });
    expect(doc.relationships[0]).toEqual({
      spdxElementId: 'SPDXRef-DOCUMENT',
      relationshipType: 'DESCRIBES',
      relatedSpdxElement: root.SPDXID,
    });
    const contained = doc.relationships.filter(
      (r) => r.spdxElementId === root.SPDXID && r.relationshipType === 'CONTAINS',
    );
    expect(contained.map((r) => r.relatedSpdxElement).sort()).toEqual(
      ids(doc)
        .filter((id) => id !== root.SPDXID)
        .sort(),
    );
    expect(doc.packages[1]).toMatchObject({
      name: 'debian',
      versionInfo: '12',
      primaryPackagePurpose: 'OPERATING_SYSTEM',
    });
  });

  it('maps package fields, references and relationships', () => {
    const doc = parse(formatSpdx(sampleImageSbom(), { timestamp: PINNED }));
    const libssl = byName(doc, 'libssl3');
    expect(libssl.SPDXID).toBe('SPDXRef-Package-deb-libssl3-deb-libssl3-0123456789abcdef');
    expect(libssl).toMatchObject({
      versionInfo: '3.0.13-1~deb12u1',
      licenseDeclared: 'Apache-2.0',
      licenseConcluded: 'NOASSERTION',
      primaryPackagePurpose: 'LIBRARY',
    });
    expect(libssl.externalRefs).toEqual([
      {
        referenceCategory: 'SECURITY',
        referenceType: 'cpe23Type',
        referenceLocator: 'cpe:2.3:a:libssl3:libssl3:3.0.13-1\\~deb12u1:*:*:*:*:*:*:*',
      },
      { referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: libsslPurl },
    ]);
    expect(libssl.sourceInfo).toBe(
      `acquired package info from dpkg-db cataloger at /var/lib/dpkg/status; introduced in layer 1 (sha256:${'d'.repeat(64)})`,
    );
    // The malformed CPE is left out, the well-formed one kept.
    expect(
      byName(doc, 'weird-pkg')
        .externalRefs?.filter((r) => r.referenceCategory === 'SECURITY')
        .map((r) => r.referenceLocator),
    ).toEqual(['cpe:2.3:a:weird:weird-pkg:0.0.1:*:*:*:*:*:*:*']);
    const rel = (from: string, type: string, to: string): boolean =>
      doc.relationships.some(
        (r) =>
          r.spdxElementId === byName(doc, from).SPDXID &&
          r.relationshipType === type &&
          r.relatedSpdxElement === byName(doc, to).SPDXID,
      );
    expect(rel('express', 'DEPENDS_ON', 'debug')).toBe(true);
    expect(rel('libssl3', 'DEPENDS_ON', 'libc6')).toBe(true);
    expect(rel('tzdata', 'OTHER', '@types/node')).toBe(true);
  });

  it('declares licences as SPDX expressions and defines every LicenseRef it uses', () => {
    const doc = parse(formatSpdx(sampleImageSbom(), { timestamp: PINNED }));
    expect(byName(doc, 'libc6').licenseDeclared).toBe('GPL-2.0-or-later AND LGPL-2.1-or-later');
    expect(byName(doc, 'debug').licenseDeclared).toBe('(MIT OR Apache-2.0)');
    expect(byName(doc, 'weird-pkg').licenseDeclared).toBe(
      '(GPL-2.0-only WITH Classpath-exception-2.0) AND LicenseRef-see-LICENSE.txt',
    );
    expect(byName(doc, 'tzdata').licenseDeclared).toBe(
      'LicenseRef-public-domain AND LicenseRef-Some-Custom-Licence-Text-v1',
    );
    const defined = new Set(doc.hasExtractedLicensingInfos?.map((l) => l.licenseId));
    expect(
      doc.hasExtractedLicensingInfos?.find((l) => l.licenseId === 'LicenseRef-see-LICENSE.txt')
        ?.extractedText,
    ).toBe('see LICENSE.txt');
    for (const p of doc.packages) {
      if (p.licenseDeclared === 'NOASSERTION') continue;
      expect(() => parseSpdx(p.licenseDeclared)).not.toThrow();
      for (const m of p.licenseDeclared.matchAll(/LicenseRef-[A-Za-z0-9.-]+/g))
        expect(defined.has(m[0])).toBe(true);
    }
  });

  it('gives distinct LicenseRefs to texts that sanitise alike', () => {
    const sbom = sampleDirectorySbom();
    const doc = parse(
      formatSpdx(
        { ...sbom, packages: [{ ...sbom.packages[0]!, licenses: ['My Licence', 'My/Licence'] }] },
        { timestamp: PINNED },
      ),
    );
    expect(doc.packages[1]!.licenseDeclared).toBe('LicenseRef-My-Licence AND LicenseRef-My-Licence-2');
    expect(doc.hasExtractedLicensingInfos?.map((l) => l.extractedText)).toEqual(['My Licence', 'My/Licence']);
  });

  it('describes a folder with a root package of purpose OTHER', () => {
    const doc = parse(formatSpdx(sampleDirectorySbom(), { timestamp: PINNED }));
    expect(doc.packages[0]).toMatchObject({
      SPDXID: 'SPDXRef-DocumentRoot-Directory-my-app',
      name: './my-app',
      primaryPackagePurpose: 'OTHER',
    });
    expect(doc.packages[1]!.licenseDeclared).toBe('WTFPL');
  });

  it('is byte-identical for a pinned time and changes namespace with content or time', () => {
    const a = formatSpdx(sampleImageSbom(), { timestamp: PINNED });
    const reordered: Sbom = {
      ...sampleImageSbom(),
      packages: [...sampleImageSbom().packages].reverse(),
      relationships: [...sampleImageSbom().relationships].reverse(),
    };
    expect(formatSpdx(reordered, { timestamp: PINNED })).toBe(a);
    expect(
      formatSpdx(sampleImageSbom(), { env: { SOURCE_DATE_EPOCH: String(PINNED.getTime() / 1000) } }),
    ).toBe(a);
    const later = parse(formatSpdx(sampleImageSbom(), { timestamp: new Date('2024-07-02T00:00:00Z') }));
    expect(later.documentNamespace).not.toBe(parse(a).documentNamespace);
    const newerTool = parse(
      formatSpdx(
        { ...sampleImageSbom(), tool: { name: 'bulwark', version: '0.2.0' } },
        { timestamp: PINNED },
      ),
    );
    expect(newerTool.documentNamespace).not.toBe(parse(a).documentNamespace);
  });

  it('never writes env values', () => {
    const text = formatSpdx(sampleImageSbom(), { timestamp: PINNED });
    for (const secret of SECRET_VALUES) expect(text).not.toContain(secret);
  });
});

describe('sanitizeSpdxId', () => {
  it.each([
    ['@types/node', 'types-node'],
    ['a b__c', 'a-b-c'],
    ['v1.2-3', 'v1.2-3'],
    ['///', 'x'],
  ])('%s → %s', (input, expected) => {
    expect(sanitizeSpdxId(input)).toBe(expected);
  });
});

const libsslPurl = 'pkg:deb/debian/libssl3@3.0.13-1~deb12u1?arch=amd64&distro=debian-12';
function ids(doc: SpdxDoc): string[] {
  return doc.packages.map((p) => p.SPDXID);
}
function byName(doc: SpdxDoc, name: string): SpdxPackage {
  const p = doc.packages.find((x) => x.name === name);
  if (!p) throw new Error(`no package ${name}`);
  return p;
}
