/**
 * Redaction applied by every SBOM and scan report format before anything is written. The work is
 * done by the one metadata redactor of the secret scanner (src/secrets/metadata.ts): environment
 * values reduced to names, `ENV` values in the history replaced, secret-looking build arguments, `ARG`
 * defaults and labels masked, and every secret the detection engine finds in history, labels and
 * commands masked as the secrets reports show it (preview, length, fingerprint).
 */
import {
  REDACTED,
  envName,
  redactImageMetadata,
  redactLayerRef,
  redactMetadataText,
} from '../../secrets/metadata.js';
import type { LayerRef, SourceDescription } from '../../source/types.js';
import type { Sbom } from '../../model/sbom.js';

export { REDACTED, envName };

/** A history `created_by` command as outputs may show it. */
export function redactCreatedBy(createdBy: string): string;
export function redactCreatedBy(createdBy: string | undefined): string | undefined;
export function redactCreatedBy(createdBy: string | undefined): string | undefined {
  return createdBy === undefined ? undefined : redactMetadataText(createdBy);
}

/** A layer reference with its history text redacted. */
export function redactLayer(layer: LayerRef): LayerRef;
export function redactLayer(layer: LayerRef | undefined): LayerRef | undefined;
export function redactLayer(layer: LayerRef | undefined): LayerRef | undefined {
  return layer === undefined ? undefined : redactLayerRef(layer);
}

/** The source description as every output format may show it. Idempotent. */
export function redactSource(source: SourceDescription): SourceDescription {
  if (source.kind !== 'image') return source;
  return { ...source, image: redactImageMetadata(source.image) };
}

/**
 * The whole SBOM as outputs and caches may hold it: its source redacted, and the history text of every
 * layer a package, location or unknown points at. Applied where an SBOM leaves the catalog (or is read
 * from a file), so every report, the image cache and every later stage see only redacted metadata.
 */
export function redactSbom(sbom: Sbom): Sbom {
  return {
    ...sbom,
    source: redactSource(sbom.source),
    packages: sbom.packages.map((p) => ({
      ...p,
      locations: p.locations.map((l) => (l.layer ? { ...l, layer: redactLayer(l.layer) } : l)),
      ...(p.layer ? { layer: redactLayer(p.layer) } : {}),
    })),
    unknowns: sbom.unknowns.map((u) => (u.layer ? { ...u, layer: redactLayer(u.layer) } : u)),
  };
}
