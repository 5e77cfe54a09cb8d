/**
 * Helpers shared by the scan report renderers: options, severity order and counts, finding order,
 * package locations, layer labels and advisory links. Everything here is pure and deterministic.
 */
import type { Package } from '../../model/package.js';
import { compareFindings } from '../../match/order.js';
import type { Coverage, Finding, NotEvaluated, Severity } from '../../match/types.js';
import type { ScanReport } from '../types.js';
import type { PolicyEvaluation } from '../policy-types.js';
import { redactCreatedBy } from '../../sbom/format/redact.js';
import type { LayerRef, SourceDescription } from '../../source/types.js';

export { byString } from '../../sbom/format/common.js';
export { compareFindings } from '../../match/order.js';

/** Options of every renderer; each ignores what it does not use. */
export interface ScanRenderOptions {
  /** table: ANSI colours (the caller decides, e.g. from isTTY and NO_COLOR). */
  readonly color?: boolean;
  /** table: show each package's paths and layer. */
  readonly locations?: boolean;
  /** table, markdown: list suppressed findings too (marked with the reason). */
  readonly showSuppressed?: boolean;
  /** cyclonedx-json, html: pin the document time (reproducible output); wins over `SOURCE_DATE_EPOCH`. */
  readonly timestamp?: Date;
  /** Environment consulted for `SOURCE_DATE_EPOCH`; defaults to `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** markdown: maximum length in characters (default 65,536, GitHub's comment limit). */
  readonly maxLength?: number;
  /** html: the policy results of `bulwark policy`, shown as a section after the summary. */
  readonly policy?: PolicyEvaluation;
}

/** Severities from most to least severe: the order of every count and column. */
export const SEVERITY_ORDER: readonly Severity[] = [
  'critical',
  'high',
  'medium',
  'low',
  'negligible',
  'unknown',
];

/** 0 for critical … 5 for unknown. */
export function severityRank(s: Severity): number {
  const i = SEVERITY_ORDER.indexOf(s);
  return i === -1 ? SEVERITY_ORDER.length : i;
}

/** A finding is fixable when a fixed version above the installed one is known. */
export function isFixable(f: Finding): boolean {
  return f.fixState === 'fixed' && f.fixedVersion !== undefined && f.fixedVersion !== '';
}

/** The fix column: the fixed version, `not fixed` or `won't fix`. */
export function fixLabel(f: Finding): string {
  if (isFixable(f)) return f.fixedVersion!;
  return f.fixState === 'wont-fix' ? "won't fix" : 'not fixed';
}

/** Findings in the documented order (the report's own order is not trusted blindly). */
export function sortedFindings(report: ScanReport): Finding[] {
  return [...report.findings].sort(compareFindings);
}

export interface SeverityCount {
  readonly total: number;
  readonly fixable: number;
}

/** Counts of the findings that are not suppressed, by severity, plus the suppressed total. */
export interface ScanSummary {
  readonly total: number;
  readonly fixable: number;
  readonly kev: number;
  readonly suppressed: number;
  readonly bySeverity: Readonly<Record<Severity, SeverityCount>>;
}

export function summarize(findings: readonly Finding[]): ScanSummary {
  const by = Object.fromEntries(SEVERITY_ORDER.map((s) => [s, { total: 0, fixable: 0 }])) as Record<
    Severity,
    { total: number; fixable: number }
  >;
  let total = 0;
  let fixable = 0;
  let kev = 0;
  let suppressed = 0;
  for (const f of findings) {
    if (f.suppressed) {
      suppressed++;
      continue;
    }
    const slot = by[f.severity] ?? by.unknown;
    total++;
    slot.total++;
    if (isFixable(f)) {
      fixable++;
      slot.fixable++;
    }
    if (f.kev) kev++;
  }
  return { total, fixable, kev, suppressed, bySeverity: by };
}

/** `n thing` / `n things`. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The first location path of a package, as written in the SBOM (absolute inside the root). */
export function packagePath(p: Package): string | undefined {
  return p.locations[0]?.path;
}

/**
 * Where a package lives, relative to the scanned root with forward slashes and no leading slash:
 * the path inside the image (`var/lib/dpkg/status`), or the lock file relative to the scanned folder.
 */
export function relativeLocation(p: Package): string {
  const path = packagePath(p) ?? '';
  return path.replace(/\\/g, '/').replace(/^\/+/, '');
}

/** The image layers (redacted), empty for folders. */
export function imageLayers(source: SourceDescription): readonly LayerRef[] {
  return source.kind === 'image' ? source.image.layers : [];
}

/**
 * A one-line label for a layer: `#2 RUN npm ci`, with the builder noise (`/bin/sh -c`, `#(nop)`,
 * `# buildkit`) removed, `ENV` values redacted and the text cut at `max` characters.
 */
export function layerLabel(layer: LayerRef, max = 60): string {
  const instruction = layerInstruction(layer);
  return `#${layer.index}${instruction ? ` ${truncate(instruction, max)}` : ''}`;
}

/** The Dockerfile instruction that created a layer, as a person would write it (redacted). */
export function layerInstruction(layer: LayerRef): string {
  const text = redactCreatedBy(layer.createdBy ?? '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^\/bin\/sh -c #\(nop\)\s*/, '')
    .replace(/^\/bin\/sh -c /, 'RUN ')
    .replace(/^RUN \/bin\/sh -c /, 'RUN ')
    .replace(/\s*# buildkit$/, '');
  return text;
}

/** Cut text at `max` characters (code points), marking the cut with `…`. */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  return `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

/** Human-readable byte size: `29.1 MB`. */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n <= 0) return '0 B';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}

/** EPSS as a percentage with two decimals: `91.23%`. */
export function formatEpss(score: number): string {
  return `${(Math.round(score * 10000) / 100).toFixed(2)}%`;
}

/**
 * The public advisory page for an id: NVD for CVEs, GitHub for GHSAs, the Debian tracker for Debian
 * ids, osv.dev for other OSV ids. Ids are validated against their pattern so the URL is always sane.
 */
export function advisoryUrl(id: string): string | undefined {
  if (/^CVE-\d{4}-\d{4,}$/.test(id)) return `https://nvd.nist.gov/vuln/detail/${id}`;
  if (/^GHSA(-[23456789cfghjmpqrvwx]{4}){3}$/.test(id)) return `https://github.com/advisories/${id}`;
  const debianCve = /^DEBIAN-(CVE-\d{4}-\d{4,})$/.exec(id);
  if (debianCve) return `https://security-tracker.debian.org/tracker/${debianCve[1]}`;
  if (/^(DSA|DLA)-\d+(-\d+)?$/.test(id)) return `https://security-tracker.debian.org/tracker/${id}`;
  if (/^[A-Z][A-Z0-9]*-[A-Za-z0-9._:-]+$/.test(id))
    return `https://osv.dev/vulnerability/${encodeURIComponent(id)}`;
  return undefined;
}

/** Only http(s) links are ever rendered as links: advisory text is untrusted (`javascript:` etc.). */
export function safeUrl(url: string): string | undefined {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

/** The name a person knows the scanned thing by (first repo tag of an image, else the target). */
export { subjectName, distroLabel } from '../../sbom/format/common.js';

/** `OS-owned: python3-urllib3 1.26.12-1+deb12u1 (deb)` for a finding of an OS-owned package, else undefined. */
export function ownedByLabel(f: Finding): string | undefined {
  const o = f.ownedBy;
  return o ? `OS-owned: ${o.name} ${o.version} (${o.type})` : undefined;
}

/**
 * One sentence on the language packages an OS package owns (see docs/scan.md), or undefined when
 * there are none or the report does not say.
 */
export function osOwnedNote(report: ScanReport): string | undefined {
  const o = report.osOwned;
  if (!o || o.packages === 0) return undefined;
  const n = `${o.packages} language package${o.packages === 1 ? '' : 's'} owned by OS packages`;
  return o.included
    ? `${n} matched by their own version too (--include-os-owned): their findings are marked OS-owned; the distribution may have backported the fix.`
    : `${n} matched through their OS package only (--include-os-owned to match them by their own version too).`;
}

/** Not-evaluated packages of a report, sorted by name, version, id (empty when matching did not run). */
export function sortedNotEvaluated(report: ScanReport): NotEvaluated[] {
  return [...(report.notEvaluated ?? [])].sort(
    (a, b) =>
      byStr(a.package.name, b.package.name) ||
      byStr(a.package.version, b.package.version) ||
      byStr(a.package.id, b.package.id),
  );
}

const byStr = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The causes of the not-evaluated packages in a few words: `no advisory ecosystem for amzn 2023` for
 * one cause, `80: no advisory ecosystem for amzn 2023; 2: unparseable installed version` for several
 * (at most `max` listed, then `…`).
 */
export function notEvaluatedCauses(coverage: Coverage, max = 3): string {
  const groups = coverage.groups;
  if (groups.length === 1) return groups[0]!.group;
  const listed = groups.slice(0, max).map((g) => `${g.packages}: ${g.group}`);
  return `${listed.join('; ')}${groups.length > max ? `; ${groups.length - max} more causes` : ''}`;
}

/** `88 packages not evaluated (no advisory ecosystem for amzn 2023)`, or undefined when none. */
export function notEvaluatedLine(report: ScanReport): string | undefined {
  const c = report.coverage;
  if (!c || c.notEvaluated === 0) return undefined;
  return `${plural(c.notEvaluated, 'package')} not evaluated (${notEvaluatedCauses(c)})`;
}

/**
 * What to say when no vulnerability is shown. Never a bare "No vulnerabilities found" when packages
 * were not evaluated: `No vulnerabilities found in 120 evaluated packages; 88 packages not evaluated
 * (no advisory ecosystem for amzn 2023).`
 */
export function noFindingsText(report: ScanReport): string {
  const c = report.coverage;
  if (!c) return 'No vulnerabilities found.';
  const head = `No vulnerabilities found in ${plural(c.evaluated, 'evaluated package')}`;
  const rest = notEvaluatedLine(report);
  return rest ? `${head}; ${rest}.` : `${head}.`;
}
