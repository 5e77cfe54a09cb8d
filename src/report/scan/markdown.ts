/**
 * `--format markdown`: a summary to post as a pull-request comment. The target and OS, a table of
 * counts by severity (with fixable counts), the top findings (id linked to its advisory, package,
 * installed → fixed), then collapsible sections with every finding, the suppressed ones (with their
 * reasons) and expired suppressions. Everything from advisories and packages is escaped.
 *
 * The text never exceeds `maxLength` (default 65,536 characters, GitHub's comment limit): rows of the
 * collapsible sections are dropped from the end, and a note says how many are missing.
 */
import { baseImageText, originSplit } from './base-split.js';
import type { Finding, Severity } from '../../match/types.js';
import type { ScanReport } from '../types.js';
import type { Misconfiguration } from '../../extra-scanners/types.js';
import type { RedactedFinding } from '../../secrets/types.js';
import { redactSource } from '../../sbom/format/redact.js';
import {
  advisoryUrl,
  byString,
  compareFindings,
  distroLabel,
  formatEpss,
  isFixable,
  osOwnedNote,
  ownedByLabel,
  noFindingsText,
  plural,
  SEVERITY_ORDER,
  sortedNotEvaluated,
  subjectName,
  summarize,
  truncate,
  type ScanRenderOptions,
} from './common.js';
import { mdCode, mdLink, mdText } from './markdown-text.js';
import {
  countsText,
  describeSecret,
  misconfigLocation,
  secretLocation,
  sortedMisconfigurations,
  sortedSecrets,
  vulnerabilitiesScanned,
} from './extras.js';
import { pushAll } from '../../util/arrays.js';

/** One scanner's head: a heading with its counts, then its first {@link TOP} rows (when it found any). */
function extraHeadSection<T extends RedactedFinding | Misconfiguration>(
  out: string[],
  title: string,
  list: readonly T[],
  header: string,
  row: (item: T) => string,
): void {
  const counts = countsText(list);
  out.push(`### ${title}: ${list.length}${counts ? ` (${counts})` : ''}`, '');
  if (list.length === 0) return;
  out.push(header, '| --- | --- | --- | --- |');
  for (const item of list.slice(0, TOP)) out.push(row(item));
  if (list.length > TOP) out.push('', `… and ${list.length - TOP} more in the JSON or HTML report.`);
  out.push('');
}

/** Counts and the top rows of the secret and config scanners (only those that ran). */
function extraHead(report: ScanReport): string[] {
  const out: string[] = [];
  if (report.secrets)
    extraHeadSection(
      out,
      'Secrets',
      sortedSecrets(report),
      '| Severity | Rule | Location | Secret (redacted) |',
      (f) =>
        `| ${LABEL[f.severity]} | ${mdCode(truncate(f.ruleId, 80))} | ${mdCode(truncate(secretLocation(f), 160))} | ${mdCode(describeSecret(f))} |`,
    );
  if (report.misconfigurations)
    extraHeadSection(
      out,
      'Misconfigurations',
      sortedMisconfigurations(report),
      '| Severity | Rule | Location | Message |',
      (m) =>
        `| ${m.severity === 'info' ? 'ℹ️ Info' : LABEL[m.severity]} | ${mdCode(truncate(m.ruleId, 80))} | ${mdCode(truncate(misconfigLocation(m), 160))} | ${mdText(truncate(m.message, 200))} |`,
    );
  return out;
}

/** GitHub rejects comments longer than this many characters. */
export const GITHUB_COMMENT_LIMIT = 65_536;
const TOP = 10;

const LABEL: Record<Severity, string> = {
  critical: '🔴 Critical',
  high: '🟠 High',
  medium: '🟡 Medium',
  low: '🔵 Low',
  negligible: '⚪ Negligible',
  unknown: '⚪ Unknown',
};

function idCell(f: Finding): string {
  const url = advisoryUrl(f.vulnerabilityId);
  return url ? mdLink(f.vulnerabilityId, url) : mdText(f.vulnerabilityId);
}

function versionCell(f: Finding): string {
  const installed = mdCode(truncate(f.package.version, 60));
  if (isFixable(f)) return `${installed} → ${mdCode(truncate(f.fixedVersion!, 60))}`;
  return `${installed} → ${f.fixState === 'wont-fix' ? "won't fix" : 'not fixed'}`;
}

function packageCell(f: Finding): string {
  const owned = ownedByLabel(f);
  return `${mdCode(truncate(f.package.name, 80))} (${f.package.type})${owned ? ` ⚠ ${mdText(truncate(owned, 120))}` : ''}`;
}

function findingRow(f: Finding): string {
  const summary = f.summary ? mdText(truncate(f.summary, 120)) : '';
  return `| ${idCell(f)} | ${LABEL[f.severity] ?? f.severity} | ${packageCell(f)} | ${versionCell(f)} | ${f.epss ? formatEpss(f.epss.score) : ''} | ${f.kev ? '**KEV**' : ''} | ${summary} |`;
}

function suppressedRow(f: Finding): string {
  const s = f.suppressed!;
  const how =
    s.kind === 'vex'
      ? `VEX ${mdText(s.status)}${s.justification ? ` (${mdText(s.justification)})` : ''}`
      : 'ignored';
  return `| ${idCell(f)} | ${packageCell(f)} | ${how} | ${mdText(truncate(s.reason, 200))} | ${mdCode(truncate(s.source, 100))} |`;
}

interface Section {
  readonly open: string[];
  readonly rows: string[];
  readonly close: string[];
}

/** Render the PR comment. Deterministic; never longer than `maxLength`. */
export function renderMarkdown(report: ScanReport, options: ScanRenderOptions = {}): string {
  const limit = Math.max(1_000, options.maxLength ?? GITHUB_COMMENT_LIMIT);
  const source = redactSource(report.sbom.source);
  const findings = [...report.findings].sort(compareFindings);
  const active = findings.filter((f) => !f.suppressed);
  const suppressed = findings.filter((f) => f.suppressed);
  const s = summarize(findings);

  const head: string[] = [`## Bulwark scan: ${mdCode(truncate(subjectName(source), 200))}`, ''];
  const facts = [
    `**OS:** ${mdText(distroLabel(report.sbom) ?? 'unknown')}`,
    `**Packages:** ${report.sbom.packages.length}`,
    `**Vulnerabilities:** ${s.total} (${s.fixable} fixable)`,
  ];
  if (report.coverage?.notEvaluated) facts.push(`**Not evaluated:** ${report.coverage.notEvaluated}`);
  if (s.kev > 0) facts.push(`**Known exploited:** ${s.kev}`);
  if (s.suppressed > 0) facts.push(`**Suppressed:** ${s.suppressed}`);
  if (source.kind === 'image' && source.image.manifestDigest)
    facts.push(`**Digest:** ${mdCode(source.image.manifestDigest)}`);
  if (report.baseImage) facts.push(`**Base image:** ${mdText(baseImageText(report.baseImage))}`);
  head.push(facts.join(' · '), '');
  const split = originSplit(report);

  if (!vulnerabilitiesScanned(report)) {
    head.push('Vulnerabilities were not scanned (the `vuln` scanner was not in `--scanners`).', '');
  } else if (active.length === 0) {
    head.push(mdText(noFindingsText(report)), '');
  } else {
    if (split) {
      // The findings split by where they came from: the base image's layers or the image's own.
      head.push(
        '| Severity | Total | Fixable | From the base image | Added by your layers |',
        '| --- | ---: | ---: | ---: | ---: |',
      );
      for (const sev of SEVERITY_ORDER) {
        const c = s.bySeverity[sev];
        if (c.total > 0)
          head.push(
            `| ${LABEL[sev]} | ${c.total} | ${c.fixable} | ${split.base.bySeverity[sev].total} | ${split.added.bySeverity[sev].total} |`,
          );
      }
    } else {
      head.push('| Severity | Total | Fixable |', '| --- | ---: | ---: |');
      for (const sev of SEVERITY_ORDER) {
        const c = s.bySeverity[sev];
        if (c.total > 0) head.push(`| ${LABEL[sev]} | ${c.total} | ${c.fixable} |`);
      }
    }
    head.push('', `### Top ${Math.min(TOP, active.length)} findings`, '');
    head.push('| Vulnerability | Severity | Package | Installed → Fixed | EPSS | KEV | Summary |');
    head.push('| --- | --- | --- | --- | ---: | --- | --- |');
    pushAll(head, active.slice(0, TOP).map(findingRow));
    head.push('');
  }

  const ownedNote = vulnerabilitiesScanned(report) ? osOwnedNote(report) : undefined;
  if (ownedNote) head.push(`> ${mdText(ownedNote)}`, '');
  pushAll(head, extraHead(report));

  const sections: Section[] = [];
  // Packages that were not evaluated: counted prominently, listed below (they must survive truncation).
  const coverage = report.coverage;
  if (coverage && coverage.notEvaluated > 0) {
    sections.push({
      open: [
        '> [!WARNING]',
        `> ${mdText(`${plural(coverage.notEvaluated, 'package')} not evaluated (no vulnerability result for them):`)}`,
      ],
      rows: coverage.groups.map((g) => `> - ${g.packages}: ${mdText(truncate(g.group, 200))}`),
      close: [''],
    });
    sections.push({
      open: [
        `<details><summary>${plural(coverage.notEvaluated, 'package')} not evaluated</summary>`,
        '',
        '| Package | Type | Why |',
        '| --- | --- | --- |',
      ],
      rows: sortedNotEvaluated(report).map(
        (n) =>
          `| ${mdCode(truncate(`${n.package.name} ${n.package.version}`.trim(), 120))} | ${mdText(n.package.type)} | ${mdText(truncate(n.detail, 300))} |`,
      ),
      close: ['', '</details>', ''],
    });
  }
  // Expired suppressions first: short, and they need action, so they must survive truncation.
  if (report.expiredSuppressions.length > 0) {
    const expired = [...report.expiredSuppressions].sort(
      (a, b) => byString(a.source, b.source) || byString(a.id, b.id),
    );
    sections.push({
      open: [
        `> [!WARNING]`,
        `> ${plural(expired.length, 'suppression')} expired and no longer ${expired.length === 1 ? 'applies' : 'apply'}:`,
      ],
      rows: expired.map(
        (e) =>
          `> - ${mdText(e.id)} in ${mdCode(truncate(e.source, 100))}, expired ${mdText(e.expires)}: ${mdText(truncate(e.reason, 200))}`,
      ),
      close: [''],
    });
  }
  const tableHead = [
    '| Vulnerability | Severity | Package | Installed → Fixed | EPSS | KEV | Summary |',
    '| --- | --- | --- | --- | ---: | --- | --- |',
  ];
  if (active.length > TOP) {
    sections.push({
      open: [`<details><summary>All ${plural(active.length, 'finding')}</summary>`, '', ...tableHead],
      rows: active.map(findingRow),
      close: ['', '</details>', ''],
    });
  }
  if (suppressed.length > 0) {
    sections.push({
      open: [
        `<details><summary>${plural(suppressed.length, 'suppressed finding')}</summary>`,
        '',
        '| Vulnerability | Package | How | Reason | Rule or statement |',
        '| --- | --- | --- | --- | --- |',
      ],
      rows: suppressed.map(suppressedRow),
      close: ['', '</details>', ''],
    });
  }
  const foot = [`<sub>Generated by Bulwark ${mdText(report.tool.version)}.</sub>`];

  const join = (parts: string[]): string => `${parts.join('\n')}\n`;
  const full = [...head, ...sections.flatMap((sec) => [...sec.open, ...sec.rows, ...sec.close]), ...foot];
  if (join(full).length <= limit) return join(full);

  // Too long: keep the head, then fill the sections row by row within what is left.
  const note = (n: number): string =>
    `> **Note:** ${plural(n, 'row')} left out to stay within the ${limit.toLocaleString('en-US')}-character comment limit; see the JSON or HTML report for everything.`;
  const reserve = note(999_999).length + join(foot).length + 2;
  const out = [...head];
  let used = join(out).length;
  let dropped = 0;
  for (const sec of sections) {
    const frame = join([...sec.open, ...sec.close]).length;
    if (used + frame + reserve > limit) {
      dropped += sec.rows.length;
      continue;
    }
    const kept: string[] = [];
    let size = frame;
    for (const row of sec.rows) {
      const cost = row.length + 1;
      if (used + size + cost + reserve > limit) {
        dropped++;
        continue;
      }
      kept.push(row);
      size += cost;
    }
    // A section none of whose rows fit is left out whole rather than shown empty.
    if (kept.length === 0) continue;
    pushAll(out, sec.open);
    pushAll(out, kept);
    pushAll(out, sec.close);
    used += size;
  }
  out.push(note(dropped), '', ...foot);
  const text = join(out);
  // The head alone (10 capped rows) is far below any sane limit, but never return more than allowed.
  return text.length <= limit ? text : `${text.slice(0, limit - 2)}…\n`;
}
