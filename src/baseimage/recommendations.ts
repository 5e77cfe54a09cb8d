/**
 * The result of `bulwark recommendations` and its outputs: table, JSON (`bulwark-recommendations/v1`,
 * docs/base-images.md#json) and markdown. Deterministic: lists are sorted by the engine and rendered
 * in that order.
 */
import type { BaseImage } from '../model/base-image.js';
import type { ScanReport } from '../report/types.js';
import type { PlanStep, SeverityCounts, VulnDelta, VulnRef } from './plan.js';
import { pushAll } from '../util/arrays.js';
import type { CandidateKind } from './tags.js';
import { maxOf } from '../util/arrays.js';

export interface Candidate {
  /** `registry/repository:tag` as scanned (the digest it resolved to is `digest`). */
  readonly reference: string;
  readonly kind: CandidateKind;
  readonly reason: string;
  readonly digest: string;
  /** Compressed size of its layers, and the change from the current base's layers (bytes). */
  readonly size: number;
  readonly sizeChange: number;
  /** Undefined when no catalogue is configured. */
  readonly approved?: boolean;
  readonly delta: VulnDelta;
  /** Not-suppressed findings of the candidate. */
  readonly findings: number;
}

export interface SkippedCandidate {
  readonly reference: string;
  readonly kind: CandidateKind;
  /** Why it is not listed: up to date (same digest as the base), or could not be read. */
  readonly reason: string;
}

export interface Recommendations {
  readonly target: string;
  readonly baseImage?: BaseImage;
  /** Why there is nothing to recommend, when there is not (no base detected, no registry name, …). */
  readonly note?: string;
  /** The current base: its reference, digest, size, approval and findings in the image. */
  readonly current?: {
    readonly reference: string;
    readonly digest?: string;
    readonly size: number;
    readonly approved?: boolean;
    readonly findings: number;
  };
  /** True when the base's tag still points to the digest the image was built on. */
  readonly upToDate?: boolean;
  /** Sorted: refresh first, then by net risk removed (highest first), then reference. */
  readonly candidates: readonly Candidate[];
  readonly skipped: readonly SkippedCandidate[];
  /** All the tags the rule looked at (for the record). */
  readonly tagsListed: number;
  readonly plan: readonly PlanStep[];
  /** The scan of the image itself. */
  readonly report: ScanReport;
}

export const RECOMMENDATIONS_SCHEMA = 'bulwark-recommendations/v1' as const;

const SEV_ORDER = ['critical', 'high', 'medium', 'low', 'negligible', 'unknown'] as const;

/** `-2 critical, -5 high` / `+1 medium`; `0` when none. */
function signedCounts(c: SeverityCounts, sign: '+' | '-' | ''): string {
  const parts = SEV_ORDER.filter((s) => c[s] > 0).map((s) => `${sign}${c[s]} ${s}`);
  return parts.length ? parts.join(', ') : '0';
}

/** `1C 3H 2M` style compact counts for table cells. */
function compact(c: SeverityCounts): string {
  const letters: Record<(typeof SEV_ORDER)[number], string> = {
    critical: 'C',
    high: 'H',
    medium: 'M',
    low: 'L',
    negligible: 'N',
    unknown: 'U',
  };
  const parts = SEV_ORDER.filter((s) => c[s] > 0).map((s) => `${c[s]}${letters[s]}`);
  return parts.length ? `${c.total} (${parts.join(' ')})` : '0';
}

/** `+1.2 MB` / `-30.5 MB` / `0 B`. */
export function formatSizeChange(n: number): string {
  const abs = Math.abs(n);
  const units = ['B', 'kB', 'MB', 'GB'];
  let v = abs;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  const text = `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
  return n > 0 ? `+${text}` : n < 0 ? `-${text}` : text;
}

const approvedText = (a: boolean | undefined): string => (a === undefined ? '-' : a ? 'yes' : 'no');
const shortDigest = (d: string | undefined): string => (d ? d.slice(0, 19) : '');

function vulnJson(v: VulnRef): Record<string, unknown> {
  return {
    vulnerabilityId: v.vulnerabilityId,
    severity: v.severity,
    package: v.package,
    version: v.version,
    type: v.type,
    risk: v.risk,
  };
}

function countsJson(c: SeverityCounts): Record<string, number> {
  return { total: c.total, ...Object.fromEntries(SEV_ORDER.map((s) => [s, c[s]])) };
}

function deltaJson(d: VulnDelta): Record<string, unknown> {
  return {
    removes: countsJson(d.removedBySeverity),
    adds: countsJson(d.addedBySeverity),
    netRisk: d.netRisk,
    removed: d.removed.map(vulnJson),
    added: d.added.map(vulnJson),
  };
}

/** The recommendations as the JSON document `-f json` prints (fields in a fixed order). */
export function recommendationsToJson(r: Recommendations): Record<string, unknown> {
  const b = r.baseImage;
  return JSON.parse(
    JSON.stringify({
      schema: RECOMMENDATIONS_SCHEMA,
      target: r.target,
      baseImage: b
        ? {
            name: b.name,
            digest: b.digest,
            layers: b.layers,
            detectedBy: b.detectedBy,
            confidence: b.confidence,
            knownFrom: b.knownFrom,
            approved: b.approved,
            evidence: b.evidence,
          }
        : undefined,
      note: r.note,
      current: r.current
        ? {
            reference: r.current.reference,
            digest: r.current.digest,
            size: r.current.size,
            approved: r.current.approved,
            findings: r.current.findings,
          }
        : undefined,
      upToDate: r.upToDate,
      tagsListed: r.tagsListed,
      candidates: r.candidates.map((c) => ({
        reference: c.reference,
        kind: c.kind,
        reason: c.reason,
        digest: c.digest,
        size: c.size,
        sizeChange: c.sizeChange,
        approved: c.approved,
        findings: c.findings,
        ...deltaJson(c.delta),
      })),
      skipped: r.skipped.map((s) => ({ reference: s.reference, kind: s.kind, reason: s.reason })),
      plan: r.plan.map((p, i) => ({
        step: i + 1,
        kind: p.kind,
        action: p.action,
        base: p.base,
        package: p.package
          ? { name: p.package.name, type: p.package.type, from: p.package.from, to: p.package.to }
          : undefined,
        risk: p.risk,
        fixes: countsJson(p.fixesBySeverity),
        adds: countsJson({
          ...(Object.fromEntries(
            SEV_ORDER.map((s) => [s, p.adds.filter((v) => v.severity === s).length]),
          ) as Record<(typeof SEV_ORDER)[number], number>),
          total: p.adds.length,
        }),
        fixedVulnerabilities: p.fixes.map((v) => v.vulnerabilityId),
      })),
    }),
  ) as Record<string, unknown>;
}

export function renderRecommendationsJson(r: Recommendations): string {
  return `${JSON.stringify(recommendationsToJson(r), null, 2)}\n`;
}

/** At most this many plan steps in the table and markdown (JSON has every one). */
const PLAN_ROWS = 15;

function pad(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) =>
    maxOf(
      rows.map((r) => r[i]!.length),
      0,
    ),
  );
  return rows.map(
    (r) =>
      `  ${r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd()}`,
  );
}

/** The table for a terminal. */
export function renderRecommendationsTable(r: Recommendations): string {
  const lines: string[] = [`Target: ${r.target}`];
  const b = r.baseImage;
  if (b)
    lines.push(
      `Base image: ${b.name ?? 'unknown name'}${b.digest ? `@${shortDigest(b.digest)}` : ''} (detected by ${b.detectedBy}, ${b.confidence} confidence${b.layers === 1 ? '; layer 0' : b.layers > 1 ? `; layers 0-${b.layers - 1}` : ''})`,
    );
  if (r.note) {
    lines.push('', `No recommendations: ${r.note}.`);
  } else if (r.current) {
    lines.push(
      `Current base: ${r.current.findings} vulnerabilities in its layers, ${formatSizeChange(r.current.size).replace(/^\+/, '')}${r.current.approved === undefined ? '' : r.current.approved ? ', approved' : ', not approved'}`,
    );
    if (r.upToDate === true)
      lines.push(`Up to date: ${r.current.reference} still points to the digest the image was built on.`);
    if (r.upToDate === false)
      lines.push(`Outdated: ${r.current.reference} now points to a newer digest (the refresh below).`);
    lines.push('');
    if (r.candidates.length === 0) {
      lines.push(`No candidate base images (${r.tagsListed} tags listed; rule in docs/base-images.md).`);
    } else {
      const rows = [['CANDIDATE', 'KIND', 'REMOVES', 'ADDS', 'NET RISK', 'SIZE', 'APPROVED']];
      for (const c of r.candidates)
        rows.push([
          c.reference,
          c.kind,
          compact(c.delta.removedBySeverity),
          compact(c.delta.addedBySeverity),
          c.delta.netRisk.toFixed(1),
          formatSizeChange(c.sizeChange),
          approvedText(c.approved),
        ]);
      lines.push('Candidate base images');
      pushAll(lines, pad(rows));
    }
    for (const s of r.skipped) lines.push(`  (${s.kind} ${s.reference}: ${s.reason})`);
  }
  lines.push('');
  if (r.plan.length === 0) {
    lines.push('Fix plan: nothing to do (no change fixes a vulnerability).');
  } else {
    lines.push('Fix plan (in this order)');
    r.plan.slice(0, PLAN_ROWS).forEach((p, i) => {
      const adds = p.adds.length ? `; adds ${p.adds.length}` : '';
      lines.push(`  ${i + 1}. ${p.action} — fixes ${signedCounts(p.fixesBySeverity, '')}${adds}`);
    });
    if (r.plan.length > PLAN_ROWS)
      lines.push(`  … and ${r.plan.length - PLAN_ROWS} more steps (-f json lists every one)`);
  }
  return `${lines.join('\n')}\n`;
}

const md = (s: string): string => s.replace(/[\\`*_[\]<>|]/g, (c) => `\\${c}`);

/** Markdown (a pull-request comment). */
export function renderRecommendationsMarkdown(r: Recommendations): string {
  const out: string[] = ['## Base image recommendations', ''];
  const b = r.baseImage;
  out.push(
    `**Target:** \`${r.target.replace(/`/g, "'")}\`` +
      (b
        ? ` · **Base image:** ${md(b.name ?? 'unknown')} (${b.detectedBy}, ${b.confidence} confidence)`
        : ''),
    '',
  );
  if (r.note) {
    out.push(`No recommendations: ${md(r.note)}.`, '');
  } else {
    if (r.upToDate === true) out.push('The base image is up to date.', '');
    if (r.upToDate === false)
      out.push('> [!WARNING]', '> The base image tag now points to a newer digest.', '');
    if (r.candidates.length > 0) {
      out.push(
        '| Candidate | Kind | Removes | Adds | Net risk | Size | Approved |',
        '| --- | --- | ---: | ---: | ---: | ---: | --- |',
      );
      for (const c of r.candidates)
        out.push(
          `| ${md(c.reference)} | ${c.kind} | ${signedCounts(c.delta.removedBySeverity, '-')} | ${signedCounts(c.delta.addedBySeverity, '+')} | ${c.delta.netRisk.toFixed(1)} | ${formatSizeChange(c.sizeChange)} | ${approvedText(c.approved)} |`,
        );
      out.push('');
    } else out.push(`No candidate base images (${r.tagsListed} tags listed).`, '');
  }
  if (r.plan.length > 0) {
    out.push('### Fix plan', '');
    r.plan
      .slice(0, PLAN_ROWS)
      .forEach((p, i) =>
        out.push(
          `${i + 1}. ${md(p.action)} — fixes ${p.fixes.length}${p.adds.length ? `, adds ${p.adds.length}` : ''}`,
        ),
      );
    if (r.plan.length > PLAN_ROWS)
      out.push('', `… and ${r.plan.length - PLAN_ROWS} more steps in the JSON output.`);
    out.push('');
  }
  return `${out.join('\n')}`;
}
