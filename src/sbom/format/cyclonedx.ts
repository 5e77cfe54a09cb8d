/**
 * `--format cyclonedx-json`: CycloneDX 1.6 JSON, built with the official CycloneDX library.
 *
 * Layout: `metadata.component` is the scanned image (type `container`) or folder (type `file`);
 * the distro is an `operating-system` component; every package is a `library` component whose
 * `bom-ref` is the package id. What CycloneDX has no field for goes into `bulwark:`-namespaced
 * properties (documented in docs/sbom-formats.md). `depends-on` relationships become the dependency
 * graph, and the root depends on every package nothing else depends on, so the graph is connected.
 *
 * Lists are ordered by us (code-point order) and the library's locale-dependent sorting is off, so
 * output is stable across machines; with a pinned timestamp the serial number is derived from the
 * content and the whole document is byte-identical.
 */
import type * as CdxLib from '@cyclonedx/cyclonedx-library';
import type { Package } from '../../model/package.js';
import type { LayerRef, SourceDescription } from '../../source/types.js';
import type { Sbom } from '../../model/sbom.js';
import {
  byString,
  comparePackages,
  compareUnknowns,
  documentUuid,
  isSpdxExpression,
  joinWithAnd,
  resolveTimestamp,
  subjectName,
  type FormatOptions,
} from './common.js';
import { envName, redactLayer, redactSource } from './redact.js';
import { pushAll } from '../../util/arrays.js';
import { lazyRequire } from '../../util/lazy.js';

const cdx = lazyRequire<typeof CdxLib>('@cyclonedx/cyclonedx-library');

export type CycloneDxOptions = Pick<FormatOptions, 'timestamp' | 'env'>;

/** Namespace of the content-derived serial numbers (a fixed, Bulwark-specific string). */
const SERIAL_NAMESPACE = 'bulwark:cyclonedx:serialNumber';
const ROOT_REF_PREFIX = 'bulwark:subject:';
const OS_REF_PREFIX = 'bulwark:os:';

type Props = [name: string, value: string][];

function toProperties(props: Props): CdxLib.Models.PropertyRepository {
  const repo = new (cdx().Models.PropertyRepository)();
  for (const [name, value] of props) repo.add(new (cdx().Models.Property)(name, value));
  return repo;
}

function layerProps(prefix: string, layer: LayerRef | undefined): Props {
  const l = redactLayer(layer);
  if (!l) return [];
  const props: Props = [[`${prefix}:index`, String(l.index)]];
  if (l.digest) props.push([`${prefix}:digest`, l.digest]);
  if (l.diffId) props.push([`${prefix}:diffId`, l.diffId]);
  if (l.createdBy) props.push([`${prefix}:createdBy`, l.createdBy]);
  return props;
}

/**
 * CycloneDX 1.6 accepts either a list of single licences (`id` from the SPDX list, or `name`) or
 * exactly one `expression`, never both. Plain SPDX ids and free text stay separate entries; when an
 * expression is among them and everything is valid SPDX, all are joined with AND into one
 * expression (several declared licences all apply); otherwise every entry is kept as a `name` so
 * no text is lost.
 */
export function cyclonedxLicenses(licenses: readonly string[]): CdxLib.Models.License[] {
  const unique = [...new Set(licenses.map((l) => l.trim()).filter(Boolean))].sort(byString);
  const isId = (l: string): boolean => cdx().SPDX.isSupportedSpdxId(l);
  if (unique.every((l) => isId(l) || !isSpdxExpression(l))) {
    return unique.map((l) =>
      isId(l) ? new (cdx().Models.SpdxLicense)(l) : new (cdx().Models.NamedLicense)(l),
    );
  }
  if (unique.every(isSpdxExpression)) {
    return [new (cdx().Models.LicenseExpression)(joinWithAnd(unique))];
  }
  return unique.map((l) => new (cdx().Models.NamedLicense)(l));
}

function packageComponent(p: Package): CdxLib.Models.Component {
  const props: Props = [
    ['bulwark:package:type', p.type],
    ['bulwark:package:foundBy', p.foundBy],
  ];
  if (p.arch) props.push(['bulwark:package:arch', p.arch]);
  if (p.direct !== undefined) props.push(['bulwark:package:direct', String(p.direct)]);
  if (p.scope) props.push(['bulwark:package:scope', p.scope]);
  if (p.sourceName) props.push(['bulwark:source:name', p.sourceName]);
  if (p.sourceVersion) props.push(['bulwark:source:version', p.sourceVersion]);
  pushAll(props, layerProps('bulwark:layer', p.layer));
  p.locations.forEach((loc, i) => {
    props.push([`bulwark:location:${i}:path`, loc.path]);
    if (loc.layer) props.push([`bulwark:location:${i}:layer:index`, String(loc.layer.index)]);
  });
  // CycloneDX has one `cpe` field, which must match the CPE grammar: the first well-formed CPE goes
  // there, every other one (well-formed or not) into properties so nothing is lost.
  const cpe = p.cpes?.find((c) => cdx().Types.isCPE(c));
  (p.cpes ?? []).filter((c) => c !== cpe).forEach((c, i) => props.push([`bulwark:cpe:${i}`, c]));

  const scope =
    p.scope === 'optional' || p.scope === 'dev'
      ? cdx().Enums.ComponentScope.Optional
      : p.scope
        ? cdx().Enums.ComponentScope.Required
        : undefined;
  return new (cdx().Models.Component)(cdx().Enums.ComponentType.Library, p.name, {
    bomRef: p.id,
    version: p.version,
    purl: p.purl || undefined,
    cpe,
    licenses: new (cdx().Models.LicenseRepository)(cyclonedxLicenses(p.licenses)),
    scope,
    properties: toProperties(props),
  });
}

function subjectComponent(source: SourceDescription): CdxLib.Models.Component {
  if (source.kind === 'directory') {
    return new (cdx().Models.Component)(cdx().Enums.ComponentType.File, source.target, {
      bomRef: `${ROOT_REF_PREFIX}${source.target}`,
      properties: toProperties([['bulwark:source:kind', 'directory']]),
    });
  }
  const image = source.image;
  const props: Props = [
    ['bulwark:source:kind', 'image'],
    ['bulwark:source:target', source.target],
    ['bulwark:image:format', image.format],
    ['bulwark:image:manifestMediaType', image.manifestMediaType],
    ['bulwark:image:configDigest', image.configDigest],
    [
      'bulwark:image:platform',
      [image.platform.os, image.platform.architecture, image.platform.variant].filter(Boolean).join('/'),
    ],
  ];
  if (image.created) props.push(['bulwark:image:created', image.created]);
  image.repoTags.forEach((t, i) => props.push([`bulwark:image:repoTag:${i}`, t]));
  image.repoDigests.forEach((d, i) => props.push([`bulwark:image:repoDigest:${i}`, d]));
  if (image.config.user) props.push(['bulwark:image:user', image.config.user]);
  // Names only, even if the caller passed an unredacted source: values may be secrets.
  image.config.env.forEach((e, i) => props.push([`bulwark:image:env:${i}:name`, envName(e)]));
  for (const key of Object.keys(image.config.labels).sort(byString)) {
    props.push([`bulwark:image:label:${key}`, image.config.labels[key]!]);
  }
  for (const layer of image.layers) {
    const n = layer.index;
    props.push([`bulwark:image:layer:${n}:digest`, layer.digest]);
    props.push([`bulwark:image:layer:${n}:diffId`, layer.diffId]);
    props.push([`bulwark:image:layer:${n}:mediaType`, layer.mediaType]);
    props.push([`bulwark:image:layer:${n}:size`, String(layer.size)]);
    if (layer.createdBy) props.push([`bulwark:image:layer:${n}:createdBy`, layer.createdBy]);
  }
  const name = subjectName(source);
  return new (cdx().Models.Component)(cdx().Enums.ComponentType.Container, name, {
    bomRef: `${ROOT_REF_PREFIX}${image.manifestDigest || name}`,
    version: image.manifestDigest,
    properties: toProperties(props),
  });
}

function osComponent(sbom: Sbom): CdxLib.Models.Component | undefined {
  const d = sbom.distro;
  if (!d) return undefined;
  const props: Props = [];
  if (d.prettyName) props.push(['bulwark:distro:prettyName', d.prettyName]);
  if (d.versionCodename) props.push(['bulwark:distro:versionCodename', d.versionCodename]);
  if (d.idLike.length > 0) props.push(['bulwark:distro:idLike', d.idLike.join(' ')]);
  if (d.foundIn) props.push(['bulwark:distro:foundIn', d.foundIn]);
  return new (cdx().Models.Component)(cdx().Enums.ComponentType.OperatingSystem, d.id, {
    bomRef: `${OS_REF_PREFIX}${d.id}${d.versionId ? `@${d.versionId}` : ''}`,
    version: d.versionId,
    description: d.prettyName,
    properties: toProperties(props),
  });
}

/**
 * The CycloneDX model of the SBOM, before serialisation: formats that extend the SBOM (the scan
 * report adds a `vulnerabilities` array) start from it. Package components use the package id as
 * `bom-ref`.
 */
export function buildCycloneDxBom(sbom: Sbom, timestamp: Date): CdxLib.Models.Bom {
  const source = redactSource(sbom.source);
  const root = subjectComponent(source);
  // The detected base image: properties of the image component (this library has no pedigree).
  const b = sbom.baseImage;
  if (b) {
    const baseProps: Props = [];
    if (b.name) baseProps.push(['bulwark:baseImage:name', b.name]);
    if (b.digest) baseProps.push(['bulwark:baseImage:digest', b.digest]);
    baseProps.push(['bulwark:baseImage:layers', String(b.layers)]);
    baseProps.push(['bulwark:baseImage:detectedBy', b.detectedBy]);
    baseProps.push(['bulwark:baseImage:confidence', b.confidence]);
    if (b.knownFrom) baseProps.push(['bulwark:baseImage:knownFrom', b.knownFrom]);
    if (b.approved !== undefined) baseProps.push(['bulwark:baseImage:approved', String(b.approved)]);
    if (b.evidence) baseProps.push(['bulwark:baseImage:evidence', b.evidence]);
    for (const p of toProperties(baseProps)) root.properties.add(p);
  }
  const bom = new (cdx().Models.Bom)();
  bom.metadata.timestamp = timestamp;
  bom.metadata.component = root;
  bom.metadata.tools.components.add(
    new (cdx().Models.Component)(cdx().Enums.ComponentType.Application, sbom.tool.name, {
      version: sbom.tool.version,
    }),
  );
  const unknowns = [...sbom.unknowns].sort(compareUnknowns);
  const metaProps: Props = [];
  unknowns.forEach((u, i) => {
    metaProps.push([`bulwark:unknown:${i}:path`, u.path]);
    metaProps.push([`bulwark:unknown:${i}:reason`, u.reason]);
    if (u.layer) metaProps.push([`bulwark:unknown:${i}:layer:index`, String(u.layer.index)]);
  });
  bom.metadata.properties = toProperties(metaProps);

  const os = osComponent(sbom);
  if (os) {
    bom.components.add(os);
    root.dependencies.add(os.bomRef);
  }

  const byId = new Map<string, CdxLib.Models.Component>();
  for (const p of [...sbom.packages].sort(comparePackages)) {
    if (byId.has(p.id)) continue; // ids are unique by contract; a duplicate would break every reference
    const c = packageComponent(p);
    byId.set(p.id, c);
    bom.components.add(c);
  }

  const edges = sbom.relationships
    .filter((r) => r.type === 'depends-on' && r.from !== r.to && byId.has(r.from) && byId.has(r.to))
    .map((r) => [r.from, r.to] as const)
    .sort((a, b) => byString(a[0], b[0]) || byString(a[1], b[1]));
  const dependedOn = new Set<string>();
  for (const [from, to] of edges) {
    byId.get(from)!.dependencies.add(byId.get(to)!.bomRef);
    dependedOn.add(to);
  }
  for (const [id, c] of byId) if (!dependedOn.has(id)) root.dependencies.add(c.bomRef);

  // CycloneDX has no "owns the files of" relation: the owning OS package is a property of the owned one.
  const pkgById = new Map(sbom.packages.map((p) => [p.id, p]));
  const owners = sbom.relationships
    .filter((r) => r.type === 'ownership-by-file-overlap' && byId.has(r.to) && pkgById.has(r.from))
    .map((r) => [r.to, pkgById.get(r.from)!] as const)
    .sort((a, b) => byString(a[0], b[0]) || byString(a[1].purl, b[1].purl));
  for (const [to, owner] of owners) {
    const c = byId.get(to)!;
    c.properties.add(new (cdx().Models.Property)('bulwark:ownedBy', owner.purl));
    c.properties.add(new (cdx().Models.Property)('bulwark:ownedBy:ref', owner.id));
  }
  return bom;
}

let serializer: CdxLib.Serialize.JsonSerializer | undefined;

function serialize(bom: CdxLib.Models.Bom): string {
  // sortLists stays off: the library sorts with localeCompare, which differs between locales.
  serializer ??= new (cdx().Serialize.JsonSerializer)(
    new (cdx().Serialize.JSON.Normalize.Factory)(cdx().Spec.Spec1dot6),
  );
  return `${serializer.serialize(bom, { sortLists: false, space: 2 })}\n`;
}

/**
 * Serialise a BOM as CycloneDX 1.6 JSON after setting its serial number: derived from the content
 * when `pinned` (byte-identical output), random otherwise.
 */
export function serializeCycloneDxBom(bom: CdxLib.Models.Bom, pinned: boolean): string {
  const content = pinned ? serialize(bom) : '';
  bom.serialNumber = `urn:uuid:${documentUuid(pinned, SERIAL_NAMESPACE, content)}`;
  return serialize(bom);
}

/** CycloneDX 1.6 JSON for the SBOM. */
export function formatCycloneDx(sbom: Sbom, options: CycloneDxOptions = {}): string {
  const { date, pinned } = resolveTimestamp(options);
  return serializeCycloneDxBom(buildCycloneDxBom(sbom, date), pinned);
}
