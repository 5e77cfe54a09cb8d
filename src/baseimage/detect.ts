/**
 * Base-image detection: which image an image was built on, and how many of its leading layers came
 * from there. Three kinds of evidence, in this order of trust:
 *
 * 1. the layers: the longest image Bulwark knows (approved catalogue, scanned before, pulled as a
 *    candidate) whose layer diff IDs are exactly the image's first layers — `high`;
 * 2. the OCI annotations `org.opencontainers.image.base.name` / `.base.digest` of the manifest (or the
 *    same keys as config labels) — `high` with a digest, `medium` with a name only;
 * 3. the final `FROM` of the Dockerfile given with `--dockerfile` (stages followed, ARG defaults
 *    substituted) — `medium`, or `low` when a variable in it stays unresolved.
 *
 * A name from the annotations or the Dockerfile is kept as the base's name; the layer count comes only
 * from a layer match, since only that says which layers the base contributed. Nothing here reads the
 * network or the disk: the caller hands in the lookup and the Dockerfile text.
 */
import type { BaseImage, KnownBase, KnownBaseOrigin, KnownBases } from '../model/base-image.js';
import type { ImageMetadata } from '../source/types.js';
import { parseDockerfile } from '../lint/dockerfile/parser.js';
import type { Stage } from '../lint/dockerfile/types.js';
import { parseReference } from '../source/registry/reference.js';

export const BASE_NAME_ANNOTATION = 'org.opencontainers.image.base.name';
export const BASE_DIGEST_ANNOTATION = 'org.opencontainers.image.base.digest';

const ORIGIN_RANK: Record<KnownBaseOrigin, number> = { catalogue: 0, pulled: 1, scanned: 2 };
const ORIGIN_TEXT: Record<KnownBaseOrigin, string> = {
  catalogue: 'in the approved catalogue',
  pulled: 'pulled as a candidate',
  scanned: 'scanned before',
};

export interface DetectBaseOptions {
  /** Images Bulwark knows (catalogue, scanned before, pulled). */
  readonly knownBases?: KnownBases;
  /** The Dockerfile the image was built from (`--dockerfile`): its text and name for messages. */
  readonly dockerfile?: { readonly text: string; readonly name: string };
}

/** The base a Dockerfile's final stage builds on. */
export interface DockerfileBase {
  /** The reference as written after ARG substitution, e.g. `debian:12-slim`; `scratch` for none. */
  readonly reference: string;
  /** True when a `$VARIABLE` in it has no known value (an ARG without default). */
  readonly unresolved: boolean;
  /** 1-based line of that `FROM`. */
  readonly line: number;
}

/**
 * The external image the final stage of a Dockerfile starts from: `FROM stage` is followed back to the
 * stage it names, and ARGs declared before the first FROM are substituted with their defaults (by the
 * Dockerfile parser, as BuildKit does). Undefined when the file has no FROM.
 */
export function dockerfileBase(text: string): DockerfileBase | undefined {
  const df = parseDockerfile(text);
  const last = df.stages[df.stages.length - 1];
  if (!last) return undefined;
  let stage: Stage = last;
  for (let guard = 0; stage.baseStage !== undefined && guard < df.stages.length; guard++) {
    const next: Stage | undefined = df.stages[stage.baseStage];
    if (!next) break;
    stage = next;
  }
  const reference = stage.image.replace(/^["']|["']$/g, '');
  return { reference, unresolved: reference.includes('$'), line: stage.from.range.start.line };
}

/** A reference in its canonical form (`debian:12` → `docker.io/library/debian:12`); as given when unparseable. */
export function canonicalName(name: string): string {
  try {
    const r = parseReference(name);
    return `${r.registry}/${r.repository}${r.tag !== undefined ? `:${r.tag}` : ''}${r.digest ? `@${r.digest}` : ''}`;
  } catch {
    return name;
  }
}

/** Repository of a reference, canonical (`debian:12` → `docker.io/library/debian`); undefined when unparseable. */
export function repositoryOf(name: string): string | undefined {
  try {
    const r = parseReference(name);
    return `${r.registry}/${r.repository}`;
  } catch {
    return undefined;
  }
}

/** The name with any `@digest` removed (`debian:12@sha256:…` → `debian:12`). */
function withoutDigest(name: string): string {
  const at = name.indexOf('@');
  return at < 0 ? name : name.slice(0, at);
}

/** Do two references name the same image (the same tag of the same repository, or the same digest)? */
function sameName(a: string, b: string): boolean {
  return canonicalName(withoutDigest(a)) === canonicalName(withoutDigest(b));
}

/**
 * The longest known image whose layers are the image's first layers. An image never matches itself
 * (same digest, or all its layers from a scan): only the approved catalogue may name an image as its
 * own base (an approved base scanned as it is). Ties: catalogue, then pulled, then scanned before; then
 * the name the other evidence gives; then by name.
 */
export function matchLayerPrefix(
  image: ImageMetadata,
  known: KnownBases,
  preferName?: string,
): KnownBase | undefined {
  const diffIds = image.layers.map((l) => l.diffId);
  if (diffIds.length === 0 || !diffIds[0]) return undefined;
  let best: KnownBase | undefined;
  const better = (a: KnownBase, b: KnownBase): boolean => {
    if (a.diffIds.length !== b.diffIds.length) return a.diffIds.length > b.diffIds.length;
    if (ORIGIN_RANK[a.origin] !== ORIGIN_RANK[b.origin]) return ORIGIN_RANK[a.origin] < ORIGIN_RANK[b.origin];
    if (preferName) {
      const pa = sameName(a.name, preferName);
      if (pa !== sameName(b.name, preferName)) return pa;
    }
    return a.name < b.name || (a.name === b.name && (a.digest ?? '') < (b.digest ?? ''));
  };
  for (const k of known.byFirstLayer(diffIds[0])) {
    if (k.diffIds.length > diffIds.length) continue;
    if (k.diffIds.length === diffIds.length && k.origin !== 'catalogue') continue;
    if (k.digest && image.manifestDigest && k.digest === image.manifestDigest && k.origin !== 'catalogue')
      continue;
    if (!k.diffIds.every((d, i) => d === diffIds[i])) continue;
    if (!best || better(k, best)) best = k;
  }
  return best;
}

/** The annotation (manifest) or label (config) naming the base, when the image carries one. */
function annotatedBase(
  image: ImageMetadata,
): { name?: string; digest?: string; by: 'annotation' | 'label' } | undefined {
  for (const [by, record] of [
    ['annotation', image.annotations ?? {}],
    ['label', image.config.labels],
  ] as const) {
    const name = record[BASE_NAME_ANNOTATION]?.trim();
    const digest = record[BASE_DIGEST_ANNOTATION]?.trim();
    const validDigest = digest && /^[a-z0-9]+:[a-f0-9]{32,}$/.test(digest) ? digest : undefined;
    if (name || validDigest)
      return { ...(name ? { name } : {}), ...(validDigest ? { digest: validDigest } : {}), by };
  }
  return undefined;
}

const layerWord = (n: number): string => (n === 1 ? 'layer 0' : `layers 0-${n - 1}`);

/** Detect the base image of an image (undefined when nothing points at one, or it is `FROM scratch`). */
export function detectBaseImage(
  image: ImageMetadata,
  options: DetectBaseOptions = {},
): BaseImage | undefined {
  const annotated = annotatedBase(image);
  const df = options.dockerfile ? dockerfileBase(options.dockerfile.text) : undefined;
  const dfRef = df && df.reference.toLowerCase() !== 'scratch' ? df : undefined;
  const known = options.knownBases;
  const named = annotated?.name ?? dfRef?.reference;

  // A digest from the annotation names one image exactly: its layers, when known, settle the count.
  let match: KnownBase | undefined;
  if (known && annotated?.digest) {
    const diffIds = image.layers.map((l) => l.diffId);
    match = (known.byDigest?.(annotated.digest) ?? []).find(
      (k) => k.diffIds.length <= diffIds.length && k.diffIds.every((d, i) => d === diffIds[i]),
    );
  }
  match ??= known ? matchLayerPrefix(image, known, named) : undefined;

  const approved = match?.approved === true ? { approved: true } : {};
  if (annotated) {
    // The annotation names the base; layers count only when the matched image is that base.
    const confirms =
      match !== undefined &&
      ((annotated.digest !== undefined && match.digest === annotated.digest) ||
        (annotated.digest === undefined &&
          annotated.name !== undefined &&
          sameName(match.name, annotated.name)));
    const where = annotated.by === 'annotation' ? 'manifest annotation' : 'config label';
    const name = annotated.name ?? (confirms ? match!.name : undefined);
    return {
      ...(name ? { name: withoutDigest(name) } : {}),
      ...(annotated.digest ? { digest: annotated.digest } : {}),
      layers: confirms ? match!.diffIds.length : 0,
      detectedBy: annotated.by,
      confidence: annotated.digest || confirms ? 'high' : 'medium',
      ...(confirms ? { knownFrom: match!.origin, ...approved } : {}),
      evidence:
        `${where} ${annotated.name ? BASE_NAME_ANNOTATION : BASE_DIGEST_ANNOTATION}` +
        (confirms ? `; ${layerWord(match!.diffIds.length)} match it (${ORIGIN_TEXT[match!.origin]})` : ''),
    };
  }
  if (match) {
    const dfNote =
      dfRef && !sameName(dfRef.reference, match.name)
        ? `; the Dockerfile's final FROM says ${dfRef.reference}`
        : '';
    return {
      name: withoutDigest(match.name),
      ...(match.digest ? { digest: match.digest } : {}),
      layers: match.diffIds.length,
      detectedBy: 'layers',
      confidence: 'high',
      knownFrom: match.origin,
      ...approved,
      evidence: `${layerWord(match.diffIds.length)} ${match.diffIds.length === 1 ? 'is' : 'are'} ${match.name} (${ORIGIN_TEXT[match.origin]})${dfNote}`,
    };
  }
  if (dfRef) {
    const at = dfRef.reference.indexOf('@');
    const digest = at >= 0 ? dfRef.reference.slice(at + 1) : undefined;
    return {
      name: withoutDigest(dfRef.reference),
      ...(digest ? { digest } : {}),
      layers: 0,
      detectedBy: 'dockerfile',
      confidence: dfRef.unresolved ? 'low' : 'medium',
      evidence: `final FROM of ${options.dockerfile!.name} (line ${dfRef.line})${dfRef.unresolved ? ', with an unresolved variable' : ''}`,
    };
  }
  return undefined;
}
