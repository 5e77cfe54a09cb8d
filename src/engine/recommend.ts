/**
 * `bulwark recommendations`: for the detected base image of an image, the candidate bases — a refresh
 * (the same tag, now another digest), updates of the same repository chosen by the documented tag rule
 * (src/baseimage/tags.ts) and approved alternatives — each scanned through the layer cache against the
 * same database, with what it would remove and add; then the fix plan (src/baseimage/plan.ts).
 *
 * "What the base contributes now" is the findings of the image's base layers (layer index <
 * `baseImage.layers`); when the layer count is unknown (a base named only by an annotation or the
 * Dockerfile), the base itself is scanned (by digest when known).
 */
import { fixPlan, vulnerabilityDelta } from '../baseimage/plan.js';
import type { Candidate, Recommendations, SkippedCandidate } from '../baseimage/recommendations.js';
import { selectCandidateTags, type CandidateKind } from '../baseimage/tags.js';
import { canonicalName } from '../baseimage/detect.js';
import type { BaseImage } from '../model/base-image.js';
import type { Finding } from '../match/types.js';
import type { ScanReport } from '../report/types.js';
import { listRepositoryTags } from '../source/registry/open-registry.js';
import { parseReference, type ImageReference } from '../source/registry/reference.js';
import { InputError, oneLine } from '../util/errors.js';
import { scanTarget, type ScanOptions } from './scan.js';
import { openTarget, type OpenTargetOptions } from './target.js';

/** Candidates scanned at most by default. */
export const DEFAULT_MAX_CANDIDATES = 5;

export interface RecommendOptions extends ScanOptions {
  /** Approved alternatives to consider besides the repository's own tags (e.g. the catalogue's). */
  readonly alternatives?: readonly string[];
  /** Is a reference (with its digest) approved? Undefined: no catalogue configured. */
  readonly approval?: (reference: string, digest: string | undefined) => boolean;
  /** Candidates scanned at most (default {@link DEFAULT_MAX_CANDIDATES}). */
  readonly maxCandidates?: number;
  /** Tags per page when listing the repository's tags (default the client's). */
  readonly tagsPageSize?: number;
}

const KIND_ORDER: Record<CandidateKind, number> = { refresh: 0, update: 1, slimmer: 2, alternative: 3 };

const refText = (r: ImageReference): string => `${r.registry}/${r.repository}${r.tag ? `:${r.tag}` : ''}`;

/** Bytes of the first `n` layers of an image report (all of them when `n` is undefined). */
function layerBytes(report: ScanReport, n?: number): number {
  const s = report.sbom.source;
  if (s.kind !== 'image') return 0;
  return s.image.layers.slice(0, n ?? s.image.layers.length).reduce((t, l) => t + l.size, 0);
}

const active = (findings: readonly Finding[]): Finding[] => findings.filter((f) => !f.suppressed);

/** The platform manifest digest a reference resolves to, and every digest naming it (index too). */
async function resolveDigests(
  reference: string,
  options: OpenTargetOptions,
): Promise<{ digest: string; digests: string[] }> {
  const src = await openTarget(`registry://${reference}`, options);
  try {
    if (src.description.kind !== 'image') return { digest: '', digests: [] };
    const image = src.description.image;
    const fromRepo = image.repoDigests.map((d) => d.slice(d.lastIndexOf('@') + 1));
    return { digest: image.manifestDigest, digests: [image.manifestDigest, ...fromRepo] };
  } finally {
    await src.close();
  }
}

/** Whether a base image's tag still points to the digest it was detected with. */
export interface BaseFreshness {
  /** The reference checked (`registry/repository:tag`). */
  readonly reference: string;
  /** The platform manifest digest the tag points to now. */
  readonly currentDigest: string;
  /** True when that (or the index it came from) is the base's digest. */
  readonly upToDate: boolean;
}

/**
 * Is the base image up to date — does its tag still point to the digest the image was built on? For a
 * policy such as "base image is up to date". Undefined when the base has no name with a tag or no
 * digest (nothing to compare). Reads the registry (manifest and config only); registry errors are thrown.
 */
export async function checkBaseFreshness(
  base: BaseImage,
  options: OpenTargetOptions = {},
): Promise<BaseFreshness | undefined> {
  if (!base.name || !base.digest) return undefined;
  let ref: ImageReference;
  try {
    ref = parseReference(base.name);
  } catch {
    return undefined;
  }
  if (!ref.tag) return undefined;
  const reference = refText(ref);
  const { digest, digests } = await resolveDigests(reference, options);
  return { reference, currentDigest: digest, upToDate: digests.includes(base.digest) };
}

/** Recommend base images for an image (see the module comment). */
export async function recommendBaseImages(
  input: string,
  options: RecommendOptions = {},
): Promise<Recommendations> {
  const app = await scanTarget(input, options);
  const report = app.report;
  const base = report.baseImage;
  const empty = (note: string): Recommendations => ({
    target: input,
    ...(base ? { baseImage: base } : {}),
    note,
    candidates: [],
    skipped: [],
    tagsListed: 0,
    plan: fixPlan({ own: report.findings, base: [] }),
    report,
  });
  if (report.sbom.source.kind !== 'image') throw new InputError('E_NOT_IMAGE', `${input}: not an image`);
  if (!base) return empty('no base image detected (see docs/base-images.md for how one is found)');
  if (!base.name) return empty('the base image has no name to look up in a registry');
  let ref: ImageReference;
  try {
    ref = parseReference(base.name);
  } catch {
    return empty(`the base image name "${base.name}" is not a registry reference`);
  }
  // Later scans match against the database the first one prepared, as it was.
  const scanOpts: ScanOptions = {
    ...options,
    offline: true,
    ...(report.database?.path ? { db: report.database.path } : {}),
    rememberAs: 'pulled',
  };
  delete (scanOpts as { dockerfile?: string }).dockerfile;

  // What the base contributes now.
  let baseFindings: Finding[];
  let own: Finding[];
  let baseSize: number;
  if (base.layers > 0) {
    baseFindings = [];
    own = [];
    for (const f of report.findings) {
      const layer = (f.package.layer ?? f.package.locations[0]?.layer)?.index;
      (layer !== undefined && layer < base.layers ? baseFindings : own).push(f);
    }
    baseSize = layerBytes(report, base.layers);
  } else {
    const current = await scanTarget(
      `registry://${refText(ref)}${base.digest ? `@${base.digest}` : ''}`,
      scanOpts,
    );
    baseFindings = [...current.report.findings];
    own = [...report.findings];
    baseSize = layerBytes(current.report);
  }

  const tags = await listRepositoryTags(
    refText({ ...ref, tag: 'latest' }),
    options.registry,
    options.tagsPageSize,
  );
  const wanted: { reference: string; kind: CandidateKind; reason: string }[] = ref.tag
    ? selectCandidateTags(ref.tag, tags).map((c) => ({
        reference: refText({ ...ref, tag: c.tag }),
        kind: c.kind,
        reason: c.reason,
      }))
    : [];
  for (const alt of options.alternatives ?? []) {
    const canon = canonicalName(alt);
    if (!wanted.some((w) => canonicalName(w.reference) === canon))
      wanted.push({ reference: alt, kind: 'alternative', reason: 'an approved alternative' });
  }

  const approval = options.approval;
  const max = options.maxCandidates ?? DEFAULT_MAX_CANDIDATES;
  const candidates: Candidate[] = [];
  const skipped: SkippedCandidate[] = [];
  let upToDate: boolean | undefined;
  // Findings of each scanned candidate, for the plan.
  const bestFindings = new Map<string, readonly Finding[]>();
  for (const w of wanted) {
    if (candidates.length >= max) {
      skipped.push({ reference: w.reference, kind: w.kind, reason: `over --max-candidates ${max}` });
      continue;
    }
    // Resolve the digest first (manifest and config only): an unchanged refresh needs no scan.
    let digest: string;
    let digests: readonly string[];
    try {
      ({ digest, digests } = await resolveDigests(w.reference, scanOpts));
    } catch (err) {
      if (w.kind === 'alternative') {
        skipped.push({ reference: w.reference, kind: w.kind, reason: `could not be read: ${oneLine(err)}` });
        continue;
      }
      throw err;
    }
    if (base.digest && digests.includes(base.digest)) {
      if (w.kind === 'refresh') upToDate = true;
      skipped.push({ reference: w.reference, kind: w.kind, reason: 'same digest as the current base' });
      continue;
    }
    if (w.kind === 'refresh' && base.digest) upToDate = false;
    const scanned = await scanTarget(`registry://${w.reference}@${digest}`, scanOpts);
    const found = active(scanned.report.findings);
    const size = layerBytes(scanned.report);
    candidates.push({
      reference: w.reference,
      kind: w.kind,
      reason: w.reason,
      digest,
      size,
      sizeChange: size - baseSize,
      ...(approval ? { approved: approval(w.reference, digest) } : {}),
      delta: vulnerabilityDelta(baseFindings, scanned.report.findings),
      findings: found.length,
    });
    bestFindings.set(w.reference, scanned.report.findings);
  }
  candidates.sort(
    (a, b) =>
      (a.kind === 'refresh' ? 0 : 1) - (b.kind === 'refresh' ? 0 : 1) ||
      b.delta.netRisk - a.delta.netRisk ||
      KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
      (a.reference < b.reference ? -1 : a.reference > b.reference ? 1 : 0),
  );
  // The plan's base: the candidate removing the most net risk (approved ones first when a catalogue is set).
  const ranked = [...candidates].sort(
    (a, b) =>
      (approval ? Number(b.approved === true) - Number(a.approved === true) : 0) ||
      b.delta.netRisk - a.delta.netRisk ||
      KIND_ORDER[a.kind] - KIND_ORDER[b.kind],
  );
  const best = ranked[0];
  const plan = fixPlan({
    own,
    base: baseFindings,
    ...(best
      ? {
          best: { reference: best.reference, delta: best.delta, findings: bestFindings.get(best.reference)! },
        }
      : {}),
  });
  return {
    target: input,
    baseImage: base,
    current: {
      reference: base.name,
      ...(base.digest ? { digest: base.digest } : {}),
      size: baseSize,
      ...(approval ? { approved: approval(base.name, base.digest) } : {}),
      findings: active(baseFindings).length,
    },
    ...(upToDate !== undefined ? { upToDate } : {}),
    candidates,
    skipped,
    tagsListed: tags.length,
    plan,
    report,
  };
}
