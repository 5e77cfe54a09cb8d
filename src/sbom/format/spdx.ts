/**
 * `--format spdx-json`: SPDX 2.3 JSON, written by hand (the format is small and fully specified).
 *
 * Layout: the document DESCRIBES one root package for the scanned image or folder, which CONTAINS
 * every package and the operating system. `depends-on` becomes DEPENDS_ON, `contains` CONTAINS and
 * `ownership-by-file-overlap` OTHER with a comment. Declared licences become an SPDX expression;
 * text that is not SPDX becomes a `LicenseRef-…` defined in `hasExtractedLicensingInfos`.
 * The namespace UUID is derived from the document content (which includes the image digest, the
 * tool version and the creation time), so a pinned timestamp gives byte-identical output.
 */
import type * as CdxLib from '@cyclonedx/cyclonedx-library';
import type { Package, Relationship } from '../../model/package.js';
import type { SourceDescription } from '../../source/types.js';
import type { Sbom } from '../../model/sbom.js';
import {
  byString,
  comparePackages,
  contentUuid,
  isSpdxExpression,
  isoSeconds,
  joinWithAnd,
  resolveTimestamp,
  subjectName,
  type FormatOptions,
} from './common.js';
import { redactLayer, redactSource } from './redact.js';
import { lazyRequire } from '../../util/lazy.js';

const cdx = lazyRequire<typeof CdxLib>('@cyclonedx/cyclonedx-library');

export type SpdxOptions = Pick<FormatOptions, 'timestamp' | 'env'>;

const NOASSERTION = 'NOASSERTION';
const NAMESPACE_BASE = 'https://spdx.org/spdxdocs/';

interface SpdxExternalRef {
  referenceCategory: 'PACKAGE-MANAGER' | 'SECURITY';
  referenceType: string;
  referenceLocator: string;
}

interface SpdxPackage {
  SPDXID: string;
  name: string;
  versionInfo?: string;
  supplier?: string;
  downloadLocation: string;
  filesAnalyzed: boolean;
  checksums?: { algorithm: string; checksumValue: string }[];
  sourceInfo?: string;
  licenseConcluded: string;
  licenseDeclared: string;
  copyrightText: string;
  description?: string;
  comment?: string;
  externalRefs?: SpdxExternalRef[];
  primaryPackagePurpose: string;
}

interface SpdxRelationship {
  spdxElementId: string;
  relationshipType: string;
  relatedSpdxElement: string;
  comment?: string;
}

interface ExtractedLicense {
  licenseId: string;
  name: string;
  extractedText: string;
  comment?: string;
}

/** Characters SPDX allows in an id after `SPDXRef-` / `LicenseRef-`: letters, digits, `.` and `-`. */
export function sanitizeSpdxId(text: string): string {
  const cleaned = text
    .replace(/[^A-Za-z0-9.-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '');
  return cleaned || 'x';
}

/** Hands out unique ids: a collision after sanitising gets `-2`, `-3`, … in order of request. */
class IdAllocator {
  private readonly used = new Set<string>();
  take(base: string): string {
    let id = base;
    for (let n = 2; this.used.has(id); n++) id = `${base}-${n}`;
    this.used.add(id);
    return id;
  }
}

/** Collects `LicenseRef-` ids used in expressions, each with its text for hasExtractedLicensingInfos. */
class LicenseRefs {
  private readonly byText = new Map<string, string>();
  private readonly infos = new Map<string, ExtractedLicense>();
  private readonly ids = new IdAllocator();

  /** A LicenseRef for declared text that is not an SPDX expression. */
  forText(text: string): string {
    let id = this.byText.get(text);
    if (!id) {
      id = this.ids.take(`LicenseRef-${sanitizeSpdxId(text).slice(0, 60)}`);
      this.byText.set(text, id);
      this.infos.set(id, { licenseId: id, name: text.slice(0, 200), extractedText: text });
    }
    return id;
  }

  /** Make sure a LicenseRef written by a cataloger (e.g. `LicenseRef-public-domain`) is defined. */
  define(id: string): void {
    if (this.infos.has(id)) return;
    this.ids.take(id);
    const name = id.slice('LicenseRef-'.length);
    this.infos.set(id, {
      licenseId: id,
      name,
      extractedText: name,
      comment:
        'Licence reference assigned by Bulwark from package metadata; the full text was not extracted.',
    });
  }

  list(): ExtractedLicense[] {
    return [...this.infos.values()].sort((a, b) => byString(a.licenseId, b.licenseId));
  }
}

/** `licenseDeclared` for a package: one expression (AND of all declared licences) or NOASSERTION. */
function declaredLicense(licenses: readonly string[], refs: LicenseRefs): string {
  const parts = [...new Set(licenses.map((l) => l.trim()).filter(Boolean))].sort(byString).map((l) => {
    if (isSpdxExpression(l)) {
      for (const m of l.matchAll(/(?<![\w.-])LicenseRef-[A-Za-z0-9.-]+/g)) refs.define(m[0]);
      return l;
    }
    return refs.forText(l);
  });
  if (parts.length === 0) return NOASSERTION;
  return joinWithAnd(parts);
}

function purpose(p: Package): string {
  return p.type === 'binary' ? 'APPLICATION' : 'LIBRARY';
}

function sourceInfo(p: Package): string {
  const layerText = (l: { index: number; diffId: string }): string =>
    `layer ${l.index}${l.diffId ? ` (${l.diffId})` : ''}`;
  const where = p.locations.map((l) => {
    const layer = redactLayer(l.layer);
    // Mention a location's layer only when it is not the layer that introduced the package.
    return layer && layer.index !== p.layer?.index ? `${l.path} in ${layerText(layer)}` : l.path;
  });
  const from = `acquired package info from ${p.foundBy} cataloger${where.length ? ` at ${where.join(', ')}` : ''}`;
  return p.layer ? `${from}; introduced in ${layerText(p.layer)}` : from;
}

function externalRefs(p: Package): SpdxExternalRef[] {
  const refs: SpdxExternalRef[] = [];
  // Only well-formed CPEs: SPDX validators reject a cpe23Type locator that breaks the CPE grammar.
  for (const cpe of (p.cpes ?? []).filter((c) => cdx().Types.isCPE(c))) {
    const referenceType = cpe.startsWith('cpe:2.3:') ? 'cpe23Type' : 'cpe22Type';
    refs.push({ referenceCategory: 'SECURITY', referenceType, referenceLocator: cpe });
  }
  if (p.purl)
    refs.push({ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: p.purl });
  return refs;
}

function rootPackage(source: SourceDescription, ids: IdAllocator): SpdxPackage {
  const name = subjectName(source);
  if (source.kind === 'directory') {
    return {
      SPDXID: ids.take(`SPDXRef-DocumentRoot-Directory-${sanitizeSpdxId(name)}`),
      name,
      downloadLocation: NOASSERTION,
      filesAnalyzed: false,
      licenseConcluded: NOASSERTION,
      licenseDeclared: NOASSERTION,
      copyrightText: NOASSERTION,
      // A folder may be a source tree or an unpacked root filesystem: no closer purpose applies.
      primaryPackagePurpose: 'OTHER',
    };
  }
  const image = source.image;
  const [algorithm, hex] = image.manifestDigest.split(':');
  const checksums =
    algorithm === 'sha256' && hex && /^[0-9a-f]{64}$/.test(hex)
      ? [{ algorithm: 'SHA256', checksumValue: hex }]
      : undefined;
  return {
    SPDXID: ids.take(`SPDXRef-DocumentRoot-Image-${sanitizeSpdxId(name)}`),
    name,
    versionInfo: image.manifestDigest || undefined,
    downloadLocation: NOASSERTION,
    filesAnalyzed: false,
    checksums,
    licenseConcluded: NOASSERTION,
    licenseDeclared: NOASSERTION,
    copyrightText: NOASSERTION,
    comment: `${image.format} image, platform ${[image.platform.os, image.platform.architecture, image.platform.variant].filter(Boolean).join('/')}, ${image.layers.length} layers`,
    primaryPackagePurpose: 'CONTAINER',
  };
}

const RELATIONSHIP_TYPES: Record<Relationship['type'], string> = {
  'depends-on': 'DEPENDS_ON',
  contains: 'CONTAINS',
  'ownership-by-file-overlap': 'OTHER',
};

interface SpdxDocument {
  spdxVersion: 'SPDX-2.3';
  dataLicense: 'CC0-1.0';
  SPDXID: 'SPDXRef-DOCUMENT';
  name: string;
  documentNamespace: string;
  creationInfo: { created: string; creators: string[]; comment?: string };
  packages: SpdxPackage[];
  hasExtractedLicensingInfos?: ExtractedLicense[];
  relationships: SpdxRelationship[];
}

function buildDocument(sbom: Sbom, created: Date): SpdxDocument {
  const source = redactSource(sbom.source);
  const ids = new IdAllocator();
  ids.take('SPDXRef-DOCUMENT');
  const refs = new LicenseRefs();
  const root = rootPackage(source, ids);
  const packages: SpdxPackage[] = [root];
  const relationships: SpdxRelationship[] = [];
  const contains = (id: string): void => {
    relationships.push({ spdxElementId: root.SPDXID, relationshipType: 'CONTAINS', relatedSpdxElement: id });
  };

  if (sbom.distro) {
    const d = sbom.distro;
    const os: SpdxPackage = {
      SPDXID: ids.take(
        `SPDXRef-OperatingSystem-${sanitizeSpdxId(d.id)}${d.versionId ? `-${sanitizeSpdxId(d.versionId)}` : ''}`,
      ),
      name: d.id,
      versionInfo: d.versionId,
      downloadLocation: NOASSERTION,
      filesAnalyzed: false,
      licenseConcluded: NOASSERTION,
      licenseDeclared: NOASSERTION,
      copyrightText: NOASSERTION,
      description: d.prettyName,
      primaryPackagePurpose: 'OPERATING_SYSTEM', // the JSON schema spells it with an underscore
    };
    packages.push(os);
    contains(os.SPDXID);
  }

  const spdxIdOf = new Map<string, string>();
  for (const p of [...sbom.packages].sort(comparePackages)) {
    if (spdxIdOf.has(p.id)) continue;
    const SPDXID = ids.take(
      `SPDXRef-Package-${sanitizeSpdxId(p.type)}-${sanitizeSpdxId(p.name)}-${sanitizeSpdxId(p.id)}`,
    );
    spdxIdOf.set(p.id, SPDXID);
    const extRefs = externalRefs(p);
    packages.push({
      SPDXID,
      name: p.name,
      versionInfo: p.version || undefined,
      supplier: NOASSERTION,
      downloadLocation: NOASSERTION,
      filesAnalyzed: false,
      sourceInfo: sourceInfo(p),
      licenseConcluded: NOASSERTION,
      licenseDeclared: declaredLicense(p.licenses, refs),
      copyrightText: NOASSERTION,
      externalRefs: extRefs.length ? extRefs : undefined,
      primaryPackagePurpose: purpose(p),
    });
    contains(SPDXID);
  }

  for (const r of sbom.relationships) {
    const from = spdxIdOf.get(r.from);
    const to = spdxIdOf.get(r.to);
    if (!from || !to) continue;
    relationships.push({
      spdxElementId: from,
      relationshipType: RELATIONSHIP_TYPES[r.type],
      relatedSpdxElement: to,
      comment:
        r.type === 'ownership-by-file-overlap'
          ? 'ownership-by-file-overlap: the first package owns the files where the second was found'
          : undefined,
    });
  }
  relationships.sort(
    (a, b) =>
      byString(a.spdxElementId, b.spdxElementId) ||
      byString(a.relationshipType, b.relationshipType) ||
      byString(a.relatedSpdxElement, b.relatedSpdxElement),
  );
  relationships.unshift({
    spdxElementId: 'SPDXRef-DOCUMENT',
    relationshipType: 'DESCRIBES',
    relatedSpdxElement: root.SPDXID,
  });
  // The detected base image: a package of its own, the image DESCENDANT_OF it.
  const b = sbom.baseImage;
  if (b && source.kind === 'image') {
    const [algorithm, hex] = (b.digest ?? '').split(':');
    const base: SpdxPackage = {
      SPDXID: ids.take(`SPDXRef-BaseImage-${sanitizeSpdxId(b.name ?? b.digest ?? 'unknown')}`),
      name: b.name ?? 'unknown base image',
      versionInfo: b.digest,
      downloadLocation: NOASSERTION,
      filesAnalyzed: false,
      checksums:
        algorithm === 'sha256' && hex && /^[0-9a-f]{64}$/.test(hex)
          ? [{ algorithm: 'SHA256', checksumValue: hex }]
          : undefined,
      licenseConcluded: NOASSERTION,
      licenseDeclared: NOASSERTION,
      copyrightText: NOASSERTION,
      comment: `base image: ${b.layers} layers, detected by ${b.detectedBy} (${b.confidence} confidence)${b.evidence ? `: ${b.evidence}` : ''}`,
      primaryPackagePurpose: 'CONTAINER',
    };
    packages.splice(1, 0, base);
    relationships.splice(1, 0, {
      spdxElementId: root.SPDXID,
      relationshipType: 'DESCENDANT_OF',
      relatedSpdxElement: base.SPDXID,
    });
  }

  const extracted = refs.list();
  return {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: subjectName(source),
    documentNamespace: '',
    creationInfo: {
      created: isoSeconds(created),
      creators: [`Tool: ${sbom.tool.name}-${sbom.tool.version}`],
    },
    packages,
    hasExtractedLicensingInfos: extracted.length ? extracted : undefined,
    relationships,
  };
}

/** SPDX 2.3 JSON for the SBOM. */
export function formatSpdx(sbom: Sbom, options: SpdxOptions = {}): string {
  const { date } = resolveTimestamp(options);
  const doc = buildDocument(sbom, date);
  // Derive the namespace from everything else in the document: the same scan at the same time gives
  // the same namespace, any difference (content, tool version, creation time) gives another one.
  const body = JSON.stringify(doc);
  const slug = sanitizeSpdxId(doc.name).slice(0, 80);
  doc.documentNamespace = `${NAMESPACE_BASE}bulwark-${slug}-${contentUuid('bulwark:spdx:documentNamespace', body)}`;
  return `${JSON.stringify(doc, null, 2)}\n`;
}
