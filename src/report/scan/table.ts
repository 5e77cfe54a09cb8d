/**
 * `--format table`: the scan for people at a terminal. A header (target, OS, packages), then one
 * block per affected package (name, version, type; with `--locations` its paths and layer) listing
 * its findings: id, severity, fixed version or `not fixed` / `won't fix`, EPSS and a KEV mark.
 * Blocks are ordered by their riskiest finding. A summary line counts findings by severity with the
 * fixable ones; expired ignore entries are listed as warnings. Suppressed findings are hidden unless
 * `showSuppressed`, then shown dimmed with the reason.
 */
import type { Package } from '../../model/package.js';
import type { Finding, Severity } from '../../match/types.js';
import type { ScanReport } from '../types.js';
import { redactSource } from '../../sbom/format/redact.js';
import { printable } from '../../sbom/format/table.js';
import {
  byString,
  compareFindings,
  distroLabel,
  fixLabel,
  formatEpss,
  isFixable,
  layerLabel,
  osOwnedNote,
  ownedByLabel,
  noFindingsText,
  notEvaluatedLine,
  plural,
  SEVERITY_ORDER,
  sortedNotEvaluated,
  subjectName,
  summarize,
  type ScanRenderOptions,
} from './common.js';
import {
  countsText,
  describeSecret,
  misconfigLocation,
  secretLocation,
  sortedMisconfigurations,
  sortedSecrets,
  vulnerabilitiesScanned,
} from './extras.js';
import { ratingOf } from '../../extra-scanners/types.js';
import { baseImageText, findingOrigin, originLine, splittingBase } from './base-split.js';
import { maxOf, pushAll } from '../../util/arrays.js';

const ANSI = {
  bold: '\u001b[1m',
  dim: '\u001b[2m',
  red: '\u001b[31m',
  brightRed: '\u001b[1;91m',
  yellow: '\u001b[33m',
  blue: '\u001b[34m',
  green: '\u001b[32m',
  cyan: '\u001b[36m',
  reset: '\u001b[0m',
};

const SEVERITY_COLOUR: Record<Severity, string> = {
  critical: ANSI.brightRed,
  high: ANSI.red,
  medium: ANSI.yellow,
  low: ANSI.blue,
  negligible: ANSI.dim,
  unknown: ANSI.dim,
};

interface Group {
  readonly pkg: Package;
  readonly findings: Finding[];
}

/** One block per package instance, ordered by the riskiest finding, then name, version, type, id. */
function groupByPackage(findings: readonly Finding[]): Group[] {
  const groups = new Map<string, Group>();
  for (const f of [...findings].sort(compareFindings)) {
    const key = f.package.id;
    const g = groups.get(key) ?? { pkg: f.package, findings: [] };
    g.findings.push(f);
    groups.set(key, g);
  }
  return [...groups.values()].sort(
    (a, b) =>
      compareFindings(a.findings[0]!, b.findings[0]!) ||
      byString(a.pkg.name, b.pkg.name) ||
      byString(a.pkg.version, b.pkg.version) ||
      byString(a.pkg.type, b.pkg.type) ||
      byString(a.pkg.id, b.pkg.id),
  );
}

/** Render the table. Deterministic; plain text unless `color` is set. */
export function renderTable(report: ScanReport, options: ScanRenderOptions = {}): string {
  const paint = (code: string, text: string): string =>
    options.color ? `${code}${text}${ANSI.reset}` : text;
  const lines: string[] = [];
  const source = redactSource(report.sbom.source);
  const digest =
    source.kind === 'image' && source.image.manifestDigest ? ` (${source.image.manifestDigest})` : '';
  const os = distroLabel(report.sbom);
  lines.push(
    [
      `Target: ${paint(ANSI.bold, printable(subjectName(source)))}${digest}`,
      `OS: ${os ? printable(os) : 'unknown'}`,
      `Packages: ${report.sbom.packages.length}`,
    ].join('   '),
  );
  if (report.baseImage) lines.push(`Base image: ${printable(baseImageText(report.baseImage))}`);
  const splitBase = splittingBase(report);

  const shown = report.findings.filter((f) => options.showSuppressed || !f.suppressed);
  const groups = groupByPackage(shown);
  const scanned = vulnerabilitiesScanned(report);
  if (!scanned) {
    lines.push('', 'Vulnerabilities: not scanned (the vuln scanner was not in --scanners).');
  } else if (groups.length === 0) {
    const text = printable(noFindingsText(report));
    lines.push('', report.coverage?.notEvaluated ? paint(ANSI.yellow, text) : text);
  } else {
    const header = ['ID', 'SEVERITY', 'FIXED IN', 'EPSS', 'KEV'];
    const rows = groups.map((g) =>
      g.findings.map((f) => [
        printable(f.vulnerabilityId),
        f.severity,
        printable(fixLabel(f)),
        f.epss ? formatEpss(f.epss.score) : '-',
        f.kev ? 'KEV' : '',
      ]),
    );
    // One set of widths for every block, so the columns line up down the whole table.
    const widths = header.map((h, i) =>
      maxOf(
        rows.flat().map((r) => r[i]!.length),
        h.length,
      ),
    );
    const render = (cells: string[], style: (cell: string, col: number) => string): string =>
      `    ${cells
        .map((cell, i) => {
          // EPSS is right-aligned (numbers), the rest left; pad before colouring so codes do not count.
          const padded =
            i === 3 ? cell.padStart(widths[i]!) : i === cells.length - 1 ? cell : cell.padEnd(widths[i]!);
          return style(padded, i);
        })
        .join('  ')
        .trimEnd()}`;

    groups.forEach((g, gi) => {
      const p = g.pkg;
      lines.push('');
      const owned = ownedByLabel(g.findings[0]!);
      const origin = findingOrigin(g.findings[0]!, splitBase);
      const originMark =
        origin === 'base'
          ? `  ${paint(ANSI.dim, '[base image]')}`
          : origin === 'added'
            ? `  ${paint(ANSI.dim, '[your layers]')}`
            : '';
      lines.push(
        `${paint(ANSI.bold, printable(p.name))} ${printable(p.version)} ${paint(ANSI.cyan, `(${p.type})`)}${
          owned ? `  ${paint(ANSI.yellow, `[${printable(owned)}]`)}` : ''
        }${originMark}`,
      );
      if (options.locations) {
        for (const loc of p.locations) lines.push(`  ${paint(ANSI.dim, 'path:')}  ${printable(loc.path)}`);
        const layer = p.layer ?? p.locations[0]?.layer;
        if (layer) lines.push(`  ${paint(ANSI.dim, 'layer:')} ${printable(layerLabel(layer, 70))}`);
      }
      lines.push(render(header, (cell) => paint(ANSI.dim, cell)));
      g.findings.forEach((f, fi) => {
        const cells = rows[gi]![fi]!;
        if (f.suppressed) {
          // Suppressed rows are dimmed as a whole and say why they do not count.
          lines.push(
            paint(
              ANSI.dim,
              render(cells, (c) => c),
            ),
          );
          const s = f.suppressed;
          const why = `${s.kind === 'vex' ? `VEX ${s.status}` : 'ignored'}: ${s.reason} (${s.source})`;
          lines.push(paint(ANSI.dim, `      suppressed — ${printable(why)}`));
          return;
        }
        lines.push(
          render(cells, (cell, col) => {
            if (col === 1) return paint(SEVERITY_COLOUR[f.severity] ?? ANSI.dim, cell);
            if (col === 2) return isFixable(f) ? paint(ANSI.green, cell) : paint(ANSI.dim, cell);
            if (col === 4 && f.kev) return paint(ANSI.brightRed, cell);
            return cell;
          }),
        );
      });
    });
  }

  pushAll(lines, notEvaluatedSection(report, paint));
  pushAll(lines, extraSections(report, paint));

  const s = summarize(report.findings);
  const counts = SEVERITY_ORDER.filter((sev) => s.bySeverity[sev].total > 0).map((sev) => {
    const c = s.bySeverity[sev];
    return `${paint(SEVERITY_COLOUR[sev], `${c.total} ${sev}`)}${c.fixable ? ` (${c.fixable} fixable)` : ''}`;
  });
  const parts = scanned
    ? [
        `${plural(s.total, 'vulnerability', 'vulnerabilities')}${counts.length ? `: ${counts.join(', ')}` : ''}`,
        `${s.fixable} fixable`,
      ]
    : [];
  const notEvaluated = notEvaluatedLine(report);
  if (notEvaluated) parts.push(paint(ANSI.yellow, printable(notEvaluated)));
  if (s.kev > 0) parts.push(`${s.kev} known exploited`);
  if (s.suppressed > 0) {
    parts.push(`${s.suppressed} suppressed${options.showSuppressed ? '' : ' (--show-suppressed to list)'}`);
  }
  if (report.secrets) {
    const c = countsText(report.secrets);
    parts.push(`${plural(report.secrets.length, 'secret')}${c ? ` (${c})` : ''}`);
  }
  if (report.misconfigurations) {
    const c = countsText(report.misconfigurations);
    parts.push(`${plural(report.misconfigurations.length, 'misconfiguration')}${c ? ` (${c})` : ''}`);
  }
  lines.push('', `${paint(ANSI.bold, 'Summary:')} ${parts.join('; ')}`);
  const byOrigin = scanned ? originLine(report) : undefined;
  if (byOrigin) lines.push(byOrigin);
  const ownedNote = scanned ? osOwnedNote(report) : undefined;
  if (ownedNote) lines.push(paint(ANSI.dim, ownedNote));

  for (const e of [...report.expiredSuppressions].sort(
    (a, b) => byString(a.source, b.source) || byString(a.id, b.id),
  )) {
    lines.push(
      paint(
        ANSI.yellow,
        `Warning: suppression of ${printable(e.id)} in ${printable(e.source)} expired on ${printable(e.expires)} and no longer applies (reason: ${printable(e.reason)})`,
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** At most this many not-evaluated packages are listed one by one; the causes are always counted. */
const MAX_NOT_EVALUATED_ROWS = 20;

/**
 * The packages that were not evaluated, counted by cause, then listed (name, version, type, why):
 * a scan that did not look must say so as loudly as one that found something.
 */
function notEvaluatedSection(report: ScanReport, paint: (code: string, text: string) => string): string[] {
  const c = report.coverage;
  if (!c || c.notEvaluated === 0) return [];
  const lines = [
    '',
    paint(
      ANSI.yellow,
      `Not evaluated: ${plural(c.notEvaluated, 'package')} (no vulnerability result for them)`,
    ),
  ];
  for (const g of c.groups) lines.push(`    ${String(g.packages).padStart(5)}  ${printable(g.group)}`);
  const list = sortedNotEvaluated(report);
  const rows = list
    .slice(0, MAX_NOT_EVALUATED_ROWS)
    .map((n) => [
      printable(`${n.package.name} ${n.package.version}`.trim()),
      n.package.type,
      printable(n.detail),
    ]);
  const fmt = columns(['PACKAGE', 'TYPE', 'WHY'], rows);
  lines.push(paint(ANSI.dim, fmt(['PACKAGE', 'TYPE', 'WHY'])));
  for (const r of rows) lines.push(fmt(r));
  if (list.length > MAX_NOT_EVALUATED_ROWS)
    lines.push(`    … and ${list.length - MAX_NOT_EVALUATED_ROWS} more (-f json lists every one)`);
  return lines;
}

/** Column layout shared by the secret and misconfiguration sections. */
function columns(header: string[], rows: string[][]): (cells: string[]) => string {
  const widths = header.map((h, i) =>
    Math.min(
      70,
      maxOf(
        rows.map((r) => r[i]!.length),
        h.length,
      ),
    ),
  );
  return (cells) =>
    `    ${cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd()}`;
}

/** A row of a secret or config table: the scanner's severity, then the other cells. */
type ExtraRow = [Parameters<typeof ratingOf>[0], ...string[]];

/** One scanner's section: a bold title, then its table with the severity coloured, or `empty`. */
function extraSection(
  lines: string[],
  title: string,
  empty: string,
  header: string[],
  rows: ExtraRow[],
  paint: (code: string, text: string) => string,
): void {
  lines.push('', paint(ANSI.bold, title));
  if (rows.length === 0) {
    lines.push(empty);
    return;
  }
  const fmt = columns(header, rows);
  lines.push(paint(ANSI.dim, fmt(header)));
  for (const r of rows) lines.push(fmt(r).replace(r[0], paint(SEVERITY_COLOUR[ratingOf(r[0])], r[0])));
}

/** The sections of the `secret` and `config` scanners, each present only when its scanner ran. */
function extraSections(report: ScanReport, paint: (code: string, text: string) => string): string[] {
  const lines: string[] = [];
  if (report.secrets) {
    const rows = sortedSecrets(report).map((f): ExtraRow => [
      f.severity,
      printable(f.ruleId),
      printable(secretLocation(f)),
      printable(describeSecret(f)),
    ]);
    extraSection(
      lines,
      `Secrets (${report.secrets.length})`,
      '    No secrets found.',
      ['SEVERITY', 'RULE', 'LOCATION', 'SECRET'],
      rows,
      paint,
    );
  }
  if (report.misconfigurations) {
    const rows = sortedMisconfigurations(report).map((m): ExtraRow => [
      m.severity,
      printable(m.ruleId),
      printable(misconfigLocation(m)),
      printable(m.message),
    ]);
    extraSection(
      lines,
      `Misconfigurations (${report.misconfigurations.length})`,
      '    No misconfigurations found.',
      ['SEVERITY', 'RULE', 'LOCATION', 'MESSAGE'],
      rows,
      paint,
    );
  }
  return lines;
}
