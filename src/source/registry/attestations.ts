/**
 * Supply-chain attestations attached to an image in its registry, found the three ways tools attach them:
 *
 * - the OCI referrers API (`GET /v2/<name>/referrers/<digest>`), or — on registries without it — the
 *   referrers tag schema (`sha256-<hex>` tag holding the same index), as ORAS, Notation and cosign
 *   (OCI 1.1 mode) write them: artifacts whose `artifactType` (or whose in-toto predicate type) says SBOM
 *   or provenance;
 * - cosign's tags: `sha256-<hex>.att` (in-toto attestations, DSSE layers annotated with `predicateType`)
 *   and `sha256-<hex>.sbom` (an attached SBOM);
 * - BuildKit's attestation manifests inside the image index (`vnd.docker.reference.type:
 *   attestation-manifest` for the image's digest, layers annotated `in-toto.io/predicate-type`).
 *
 * Only manifests are read (never attestation blobs): what kind of document is attached, not whether its
 * signature verifies.
 */
import { parseJson } from '../image/oci.js';
import type { RegistryClient } from './client.js';

/** What was found: `sbom`/`provenance`, and where each was seen (`sbom: referrers application/spdx+json`). */
export interface AttestationFacts {
  readonly sbom: boolean;
  readonly provenance: boolean;
  /** `<kind>: <where> <type>` entries, sorted. */
  readonly found: readonly string[];
}

type Kind = 'sbom' | 'provenance';

/** At most this many referrer manifests are fetched per subject to classify them. */
const MAX_FETCHED = 32;

interface Descriptor {
  readonly digest?: unknown;
  readonly mediaType?: unknown;
  readonly artifactType?: unknown;
  readonly annotations?: unknown;
}

/** The kind a predicate type or media/artifact type names, if any. */
export function kindOf(type: string): Kind | undefined {
  const t = type.toLowerCase();
  if (/slsa\.dev\/provenance|provenance|slsa/.test(t)) return 'provenance';
  if (/spdx|cyclonedx|syft|sbom/.test(t)) return 'sbom';
  return undefined;
}

function annotationsOf(d: Descriptor): Record<string, string> {
  const a = d.annotations;
  if (!a || typeof a !== 'object') return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(a as Record<string, unknown>)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** Predicate types named by a descriptor's annotations (in-toto, cosign, BuildKit spellings). */
function predicateTypes(d: Descriptor): string[] {
  const a = annotationsOf(d);
  return ['in-toto.io/predicate-type', 'predicateType', 'dev.cosignproject.cosign/predicateType']
    .map((k) => a[k])
    .filter((v): v is string => typeof v === 'string');
}

function list(doc: unknown, key: 'manifests' | 'layers'): Descriptor[] {
  if (!doc || typeof doc !== 'object') return [];
  const v = (doc as Record<string, unknown>)[key];
  return Array.isArray(v) ? (v.filter((x) => x && typeof x === 'object') as Descriptor[]) : [];
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

class Finder {
  readonly found = new Set<string>();
  private fetched = 0;

  constructor(private readonly client: RegistryClient) {}

  private note(kind: Kind | undefined, where: string, type: string): boolean {
    if (!kind) return false;
    this.found.add(`${kind}: ${where} ${type}`);
    return true;
  }

  /** Classify a manifest's own artifact/config type and its layers' predicate and media types. */
  private classifyManifest(doc: unknown, where: string): void {
    const m = (doc ?? {}) as Record<string, unknown>;
    const config = (m['config'] ?? {}) as Descriptor;
    const own = str(m['artifactType']) ?? str(config.mediaType);
    let hit = false;
    for (const layer of list(doc, 'layers')) {
      for (const p of predicateTypes(layer)) hit = this.note(kindOf(p), where, p) || hit;
      const mt = str(layer.mediaType);
      if (mt && !mt.includes('in-toto') && !mt.includes('dsse'))
        hit = this.note(kindOf(mt), where, mt) || hit;
    }
    if (!hit && own) this.note(kindOf(own), where, own);
  }

  /** Artifacts of a referrers index (API answer or tag-schema index). */
  private async referrerIndex(doc: unknown, where: string): Promise<void> {
    for (const d of list(doc, 'manifests')) {
      const type = str(d.artifactType);
      const predicates = predicateTypes(d);
      let known = false;
      for (const p of predicates) known = this.note(kindOf(p), where, p) || known;
      // in-toto envelopes say what they hold only inside: read the artifact's manifest.
      if (!known && type && !type.includes('in-toto') && !type.includes('dsse'))
        known = this.note(kindOf(type), where, type);
      const digest = str(d.digest);
      if (!known && digest && this.fetched < MAX_FETCHED) {
        this.fetched++;
        const m = await this.client.optionalManifest(digest);
        if (m) this.classifyManifest(parseJson(m.bytes, `${this.client.name}: referrer ${digest}`), where);
      }
    }
  }

  async subject(digest: string): Promise<void> {
    const hex = digest.replace(/^sha256:/, '');
    const api = await this.client.referrers(digest);
    if (api)
      await this.referrerIndex(parseJson(api, `${this.client.name}: referrers of ${digest}`), 'referrers');
    else {
      const tagged = await this.client.optionalManifest(`sha256-${hex}`);
      if (tagged)
        await this.referrerIndex(
          parseJson(tagged.bytes, `${this.client.name}: sha256-${hex}`),
          `tag sha256-${hex}`,
        );
    }
    const att = await this.client.optionalManifest(`sha256-${hex}.att`);
    if (att)
      this.classifyManifest(
        parseJson(att.bytes, `${this.client.name}: sha256-${hex}.att`),
        `tag sha256-${hex}.att`,
      );
    const sbom = await this.client.optionalManifest(`sha256-${hex}.sbom`);
    if (sbom) {
      const before = this.found.size;
      this.classifyManifest(
        parseJson(sbom.bytes, `${this.client.name}: sha256-${hex}.sbom`),
        `tag sha256-${hex}.sbom`,
      );
      // cosign attach sbom: the tag itself says SBOM, whatever the layer's media type.
      if (this.found.size === before) this.note('sbom', `tag sha256-${hex}.sbom`, 'attached');
    }
  }

  /** BuildKit: attestation manifests in the image index that refer to one of `digests`. */
  async buildkit(indexDigest: string, digests: ReadonlySet<string>): Promise<void> {
    const top = await this.client.optionalManifest(indexDigest);
    if (!top) return;
    for (const d of list(parseJson(top.bytes, `${this.client.name}: index`), 'manifests')) {
      const a = annotationsOf(d);
      const refDigest = a['vnd.docker.reference.digest'];
      const digest = str(d.digest);
      if (
        a['vnd.docker.reference.type'] !== 'attestation-manifest' ||
        !digest ||
        !refDigest ||
        !digests.has(refDigest)
      )
        continue;
      const m = await this.client.optionalManifest(digest);
      if (m)
        this.classifyManifest(
          parseJson(m.bytes, `${this.client.name}: attestation ${digest}`),
          'attestation-manifest',
        );
    }
  }
}

/**
 * Attestations attached to the image whose manifest digests are `digests` (the index digest and the
 * platform manifest's digest: tools attach to either), read through `client` (the image's repository).
 * `indexDigest`: the index the image was selected from, searched for BuildKit attestation manifests.
 */
export async function findAttestations(
  client: RegistryClient,
  digests: readonly string[],
  indexDigest?: string,
): Promise<AttestationFacts> {
  const finder = new Finder(client);
  const unique = [...new Set(digests.filter((d) => /^sha256:[0-9a-f]{64}$/.test(d)))].sort();
  for (const d of unique) await finder.subject(d);
  if (indexDigest) await finder.buildkit(indexDigest, new Set(unique));
  const found = [...finder.found].sort();
  return {
    sbom: found.some((f) => f.startsWith('sbom:')),
    provenance: found.some((f) => f.startsWith('provenance:')),
    found,
  };
}
