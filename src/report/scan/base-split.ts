/**
 * Findings split by where they came from: "from the base image" (a package whose version a layer of
 * the base image introduced, i.e. layer index < `baseImage.layers`) and "added by your layers" (every
 * later layer). Shared by every report format. The split exists only when a base image was detected
 * together with the layers it contributed; otherwise every renderer prints the report as before.
 */
import type { BaseImage } from '../../model/base-image.js';
import type { Finding } from '../../match/types.js';
import type { ScanReport } from '../types.js';
import { SEVERITY_ORDER, summarize, type ScanSummary } from './common.js';

/** Where a finding's package came from. */
export type FindingOrigin = 'base' | 'added';

/** The layer that introduced the finding's package version (for images), when known. */
export function findingLayerIndex(f: Finding): number | undefined {
  return (f.package.layer ?? f.package.locations[0]?.layer)?.index;
}

/** A base image that says which layers it contributed (the split needs that). */
export function splittingBase(report: ScanReport): BaseImage | undefined {
  const b = report.baseImage;
  return b && b.layers > 0 ? b : undefined;
}

/** `base` when the package came from one of the base's layers, `added` from a later one. */
export function findingOrigin(f: Finding, base: BaseImage | undefined): FindingOrigin | undefined {
  if (!base || base.layers <= 0) return undefined;
  const i = findingLayerIndex(f);
  if (i === undefined) return undefined;
  return i < base.layers ? 'base' : 'added';
}

export interface OriginSplit {
  readonly base: ScanSummary;
  readonly added: ScanSummary;
}

/** Counts of the findings from the base image and from the image's own layers (undefined without a split). */
export function originSplit(report: ScanReport): OriginSplit | undefined {
  const base = splittingBase(report);
  if (!base) return undefined;
  const from: Finding[] = [];
  const added: Finding[] = [];
  for (const f of report.findings) (findingOrigin(f, base) === 'base' ? from : added).push(f);
  return { base: summarize(from), added: summarize(added) };
}

/** `debian:12@sha256:0123456789ab` — name (or `unknown name`) and a shortened digest. */
export function baseImageName(b: BaseImage): string {
  const digest = b.digest ? `@${b.digest.slice(0, 19)}` : '';
  return `${b.name ?? 'unknown name'}${digest}`;
}

const HOW: Record<BaseImage['detectedBy'], string> = {
  annotation: 'OCI annotation',
  label: 'image label',
  layers: 'layer match',
  dockerfile: 'Dockerfile FROM',
};

/** `debian:12@sha256:… (layer match, high confidence; layers 0-0)`. */
export function baseImageText(b: BaseImage): string {
  const layers = b.layers > 0 ? `; ${b.layers === 1 ? 'layer 0' : `layers 0-${b.layers - 1}`}` : '';
  const approved = b.approved ? '; approved' : '';
  return `${baseImageName(b)} (${HOW[b.detectedBy]}, ${b.confidence} confidence${layers}${approved})`;
}

/** `12 (1 critical, 3 high)` — the not-suppressed total with its non-zero severities. */
export function summaryCounts(s: ScanSummary): string {
  const parts = SEVERITY_ORDER.filter((sev) => s.bySeverity[sev].total > 0).map(
    (sev) => `${s.bySeverity[sev].total} ${sev}`,
  );
  return `${s.total}${parts.length ? ` (${parts.join(', ')})` : ''}`;
}

/** `From the base image: 12 (…); added by your layers: 5 (…)`, or undefined without a split. */
export function originLine(report: ScanReport): string | undefined {
  const split = originSplit(report);
  if (!split) return undefined;
  return `From the base image: ${summaryCounts(split.base)}; added by your layers: ${summaryCounts(split.added)}`;
}
