/**
 * The base image an image was built on, as detected from the image (OCI annotations, the layer prefix it
 * shares with an image Bulwark knows) or from the Dockerfile's final `FROM`. The layers `0 … layers-1`
 * of the image came from the base image; findings in those layers are "from the base image", the rest
 * were "added by your layers".
 */
export interface BaseImage {
  /** The base's reference as detected, e.g. `docker.io/library/debian:12-slim`; absent when unknown. */
  readonly name?: string;
  /** The base's manifest digest (`sha256:…`), when known. */
  readonly digest?: string;
  /** How many leading layers of the image the base contributed (0 when not known). */
  readonly layers: number;
  /** How it was detected. */
  readonly detectedBy: 'annotation' | 'layers' | 'dockerfile' | 'label';
  /** How sure the detection is: layer-prefix and digest matches are `high`; a name alone `medium`. */
  readonly confidence: 'high' | 'medium' | 'low';
  /** With `detectedBy: 'layers'` (or a name confirmed by layers): where the matching image was known from. */
  readonly knownFrom?: KnownBaseOrigin;
  /** True when the approved catalogue lists the detected base (set by whoever knows the catalogue). */
  readonly approved?: boolean;
  /** One line saying what the detection rests on, e.g. `layers 1-1 are debian:12 (scanned before)`. */
  readonly evidence?: string;
}

/** Where Bulwark learned of a known base image. */
export type KnownBaseOrigin =
  /** An entry of the approved base-image catalogue (`.bulwark.yaml` or the server's). */
  | 'catalogue'
  /** An image Bulwark scanned before (recorded beside the layer cache). */
  | 'scanned'
  /** A candidate `bulwark recommendations` pulled. */
  | 'pulled';

/** An image whose layers Bulwark knows: a possible base of images that start with the same layers. */
export interface KnownBase {
  /** Its reference, e.g. `docker.io/library/debian:12-slim` or `debian12-minbase:latest`. */
  readonly name: string;
  /** Its manifest digest (`sha256:…`), when known. */
  readonly digest?: string;
  /** Its layers' diff IDs (uncompressed digests), in order. */
  readonly diffIds: readonly string[];
  readonly origin: KnownBaseOrigin;
  /** True when the approved catalogue lists it. */
  readonly approved?: boolean;
}

/**
 * A lookup of known base images, fed by whoever knows some: the images scanned before (the cache's
 * store), the candidates `recommendations` pulled, the approved catalogue. Detection asks by the
 * image's first layer and keeps the longest known image whose layers are a prefix of the image's.
 */
export interface KnownBases {
  /** Every known image whose first layer has this diff ID (any order). */
  byFirstLayer(diffId: string): readonly KnownBase[];
  /** Every known image with this manifest digest (to resolve an annotation's `base.digest`). */
  byDigest?(digest: string): readonly KnownBase[];
}

/** Several lookups as one (answers concatenated, in the order given). */
export function combineKnownBases(...sources: readonly (KnownBases | undefined)[]): KnownBases {
  const all = sources.filter((s): s is KnownBases => s !== undefined);
  return {
    byFirstLayer: (diffId) => all.flatMap((s) => s.byFirstLayer(diffId)),
    byDigest: (digest) => all.flatMap((s) => s.byDigest?.(digest) ?? []),
  };
}

/** A fixed list of known bases (the approved catalogue once resolved, candidates pulled this run). */
export class KnownBaseList implements KnownBases {
  private readonly entries: KnownBase[] = [];

  constructor(entries: readonly KnownBase[] = []) {
    for (const e of entries) this.add(e);
  }

  add(entry: KnownBase): void {
    if (entry.diffIds.length > 0) this.entries.push(entry);
  }

  byFirstLayer(diffId: string): readonly KnownBase[] {
    return this.entries.filter((e) => e.diffIds[0] === diffId);
  }

  byDigest(digest: string): readonly KnownBase[] {
    return this.entries.filter((e) => e.digest === digest);
  }
}

const DETECTED_BY: readonly BaseImage['detectedBy'][] = ['annotation', 'label', 'layers', 'dockerfile'];
const CONFIDENCE: readonly BaseImage['confidence'][] = ['high', 'medium', 'low'];
const ORIGINS: readonly KnownBaseOrigin[] = ['catalogue', 'scanned', 'pulled'];

/**
 * A `baseImage` read back from a document (a Bulwark JSON SBOM or scan report), checked field by field;
 * undefined when it is missing or malformed (a wrong optional field is dropped, not trusted).
 */
export function parseBaseImage(value: unknown): BaseImage | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.layers !== 'number' || !Number.isInteger(v.layers) || v.layers < 0) return undefined;
  if (!DETECTED_BY.includes(v.detectedBy as BaseImage['detectedBy'])) return undefined;
  if (!CONFIDENCE.includes(v.confidence as BaseImage['confidence'])) return undefined;
  const str = (x: unknown): x is string => typeof x === 'string' && x.length > 0 && x.length <= 4096;
  return {
    ...(str(v.name) ? { name: v.name } : {}),
    ...(str(v.digest) && /^[a-z0-9]+:[a-f0-9]{32,}$/.test(v.digest) ? { digest: v.digest } : {}),
    layers: v.layers,
    detectedBy: v.detectedBy as BaseImage['detectedBy'],
    confidence: v.confidence as BaseImage['confidence'],
    ...(ORIGINS.includes(v.knownFrom as KnownBaseOrigin)
      ? { knownFrom: v.knownFrom as KnownBaseOrigin }
      : {}),
    ...(typeof v.approved === 'boolean' ? { approved: v.approved } : {}),
    ...(str(v.evidence) ? { evidence: v.evidence } : {}),
  };
}
