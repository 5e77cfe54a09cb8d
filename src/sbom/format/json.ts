/**
 * `--format json`: Bulwark's own SBOM document ({@link Sbom}), schema `bulwark-sbom/v1`, documented in
 * docs/sbom-json.md and described by schemas/bulwark-sbom-v1.schema.json.
 *
 * Every object is rebuilt field by field in a fixed order (free-form `metadata` and `labels` with
 * sorted keys) and every list is sorted, so the same SBOM always gives the same bytes.
 */
import type { BaseImage } from '../../model/base-image.js';
import type { Distro, Location, Package, Relationship, Unknown } from '../../model/package.js';
import type { ImageMetadata, LayerRef, Platform, SourceDescription } from '../../source/types.js';
import type { Sbom } from '../../model/sbom.js';
import { byString, comparePackages, compareRelationships, compareUnknowns } from './common.js';
import { redactLayer, redactSource } from './redact.js';

export { redactSource } from './redact.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json | undefined };

/**
 * Recursively copy a JSON-like value with object keys in code-point order. Drops undefined and
 * functions; a cycle or nesting deeper than 64 becomes null (cataloger metadata is not trusted).
 */
export function sortKeysDeep(value: unknown, ancestors: object[] = []): Json | undefined {
  if (value === null) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'bigint':
      return value.toString();
    case 'object': {
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
      if (Buffer.isBuffer(value)) return value.toString('base64');
      if (ancestors.includes(value) || ancestors.length >= 64) return null;
      const inner = [...ancestors, value];
      if (Array.isArray(value)) return value.map((v) => sortKeysDeep(v, inner) ?? null);
      const out: { [key: string]: Json | undefined } = {};
      for (const key of Object.keys(value).sort(byString)) {
        const v = sortKeysDeep((value as Record<string, unknown>)[key], inner);
        if (v !== undefined) out[key] = v;
      }
      return out;
    }
    default:
      return undefined;
  }
}

/** A layer as it appears in the JSON SBOM, `ENV` values in its history text redacted. */
export function layerJson(layer: LayerRef | undefined): Json | undefined {
  const l = redactLayer(layer);
  if (!l) return undefined;
  return {
    index: l.index,
    digest: l.digest,
    diffId: l.diffId,
    mediaType: l.mediaType,
    size: l.size,
    createdBy: l.createdBy,
    created: l.created,
    comment: l.comment,
  };
}

/**
 * Packages, locations and unknowns point at a layer by index and diff ID only: the blob digest, media type
 * and size differ between a docker-archive and an OCI layout of the same image, and are listed once in
 * `source.image.layers`. So the same image gives the same `packages` whatever its format.
 */
function layerRefJson(layer: LayerRef | undefined): Json | undefined {
  if (!layer) return undefined;
  return { index: layer.index, diffId: layer.diffId };
}

function platformJson(p: Platform): Json {
  return { os: p.os, architecture: p.architecture, variant: p.variant };
}

function imageJson(image: ImageMetadata): Json {
  const c = image.config;
  return {
    format: image.format,
    repoTags: [...image.repoTags],
    repoDigests: [...image.repoDigests],
    manifestDigest: image.manifestDigest,
    manifestMediaType: image.manifestMediaType,
    configDigest: image.configDigest,
    platform: platformJson(image.platform),
    created: image.created,
    config: {
      user: c.user,
      env: [...c.env],
      entrypoint: c.entrypoint ? [...c.entrypoint] : undefined,
      cmd: c.cmd ? [...c.cmd] : undefined,
      workingDir: c.workingDir,
      labels: sortKeysDeep(c.labels),
      exposedPorts: [...c.exposedPorts],
      volumes: [...c.volumes],
      stopSignal: c.stopSignal,
      healthcheck: c.healthcheck
        ? { test: c.healthcheck.test ? [...c.healthcheck.test] : undefined }
        : undefined,
    },
    annotations: image.annotations ? sortKeysDeep(image.annotations) : undefined,
    history: image.history.map((h) => ({
      created: h.created,
      createdBy: h.createdBy,
      comment: h.comment,
      emptyLayer: h.emptyLayer,
    })),
    layers: image.layers.map((l) => layerJson(l) ?? null),
    indexPlatforms: image.indexPlatforms?.map(platformJson),
  };
}

function sourceJson(source: SourceDescription): Json {
  const s = redactSource(source);
  if (s.kind === 'image') return { kind: s.kind, target: s.target, image: imageJson(s.image) };
  return { kind: s.kind, target: s.target, path: s.path };
}

function distroJson(d: Distro | undefined): Json | undefined {
  if (!d) return undefined;
  return {
    id: d.id,
    versionId: d.versionId,
    versionCodename: d.versionCodename,
    name: d.name,
    prettyName: d.prettyName,
    idLike: [...d.idLike],
    foundIn: d.foundIn,
  };
}

function locationJson(l: Location): Json {
  return { path: l.path, layer: layerRefJson(l.layer) };
}

/** One package as it appears in the JSON SBOM (also reused by the scan report's findings). */
export function packageJson(p: Package): Json {
  return {
    id: p.id,
    name: p.name,
    version: p.version,
    type: p.type,
    purl: p.purl,
    cpes: p.cpes ? [...p.cpes] : undefined,
    licenses: [...p.licenses],
    sourceName: p.sourceName,
    sourceVersion: p.sourceVersion,
    arch: p.arch,
    locations: p.locations.map(locationJson),
    layer: layerRefJson(p.layer),
    foundBy: p.foundBy,
    files: p.files ? [...p.files].sort(byString) : undefined,
    direct: p.direct,
    scope: p.scope,
    metadata: p.metadata ? sortKeysDeep(p.metadata) : undefined,
  };
}

function relationshipJson(r: Relationship): Json {
  return { from: r.from, to: r.to, type: r.type };
}

function unknownJson(u: Unknown): Json {
  return { path: u.path, layer: layerRefJson(u.layer), reason: u.reason, cataloger: u.cataloger };
}

/** The SBOM as the plain JSON value `formatJson` prints (redacted, ordered). */
export function sbomToJson(sbom: Sbom): Json {
  return {
    schema: sbom.schema,
    tool: { name: sbom.tool.name, version: sbom.tool.version },
    source: sourceJson(sbom.source),
    distro: distroJson(sbom.distro),
    packages: [...sbom.packages].sort(comparePackages).map(packageJson),
    relationships: [...sbom.relationships].sort(compareRelationships).map(relationshipJson),
    unknowns: [...sbom.unknowns].sort(compareUnknowns).map(unknownJson),
    catalogers: [...sbom.catalogers]
      .sort((a, b) => byString(a.id, b.id) || a.version - b.version)
      .map((c) => ({ id: c.id, version: c.version })),
    baseImage: baseImageJson(sbom.baseImage),
  };
}

/** The detected base image (docs/sbom-json.md), fields in a fixed order; undefined when none. */
export function baseImageJson(b: BaseImage | undefined): Json | undefined {
  if (!b) return undefined;
  return {
    name: b.name,
    digest: b.digest,
    layers: b.layers,
    detectedBy: b.detectedBy,
    confidence: b.confidence,
    knownFrom: b.knownFrom,
    approved: b.approved,
    evidence: b.evidence,
  };
}

/** Bulwark's JSON SBOM: 2-space indent, trailing newline, byte-identical for identical input. */
export function formatJson(sbom: Sbom): string {
  return `${JSON.stringify(sbomToJson(sbom), null, 2)}\n`;
}
