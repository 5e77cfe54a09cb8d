/**
 * `--format html`: a self-contained, single-file report to share. No network: CSS and JavaScript are
 * inline, there are no fonts, images or external scripts, and a Content-Security-Policy (`default-src
 * 'none'`, the inline style and script allowed by hash) makes the browser refuse any load even if
 * something slipped through. Links to advisories are plain links, followed only when clicked.
 *
 * Sections: header (target, OS, platform, digests, date), severity summary (inline SVG chart), the
 * findings table (server-rendered so it reads without JavaScript; the script adds text search, a
 * severity filter, "fixable only", "show suppressed" and column sorting), a detail panel per finding
 * (aliases, package, fix, CVSS/EPSS/KEV, match details, references), and a layer view: each layer
 * with its Dockerfile instruction and size, and the vulnerabilities of the packages it introduced.
 *
 * Data for the script is embedded as JSON in `<script type="application/json">` with `<`, `>`, `&`
 * and line separators escaped, so no text can close the element; every other value goes through
 * {@link escapeHtml}.
 */
import { baseImageName, baseImageText, originSplit, splittingBase, summaryCounts } from './base-split.js';
import { createHash } from 'node:crypto';
import type { Package } from '../../model/package.js';
import type { Finding, Severity } from '../../match/types.js';
import type { ScanReport } from '../types.js';
import { isoSeconds, resolveTimestamp } from '../../sbom/format/common.js';
import { redactLayer, redactSource } from '../../sbom/format/redact.js';
import type { LayerRef } from '../../source/types.js';
import {
  advisoryUrl,
  byString,
  compareFindings,
  distroLabel,
  fixLabel,
  formatBytes,
  formatEpss,
  isFixable,
  layerInstruction,
  layerLabel,
  osOwnedNote,
  ownedByLabel,
  noFindingsText,
  plural,
  safeUrl,
  SEVERITY_ORDER,
  severityRank,
  sortedNotEvaluated,
  subjectName,
  summarize,
  type ScanRenderOptions,
  type ScanSummary,
} from './common.js';
import { REPORT_CSS, REPORT_JS } from './html-assets.js';
import {
  countsText,
  describeSecret,
  misconfigLocation,
  secretLocation,
  sortedMisconfigurations,
  sortedSecrets,
} from './extras.js';
import { ratingOf } from '../../extra-scanners/types.js';
import { maxOf } from '../../util/arrays.js';

/** A static table of the secret or config scanner's findings (escaped; secrets redacted). */
function extraTable(
  id: string,
  caption: string,
  header: readonly string[],
  rows: readonly (readonly [Severity, string, ...string[]])[],
): string {
  if (rows.length === 0) return `<p>None found.</p>`;
  return `<div class="table-wrap"><table id="${id}"><caption class="skip">${escapeHtml(caption)}</caption><thead><tr>${header
    .map((h) => `<th scope="col">${escapeHtml(h)}</th>`)
    .join('')}</tr></thead><tbody>${rows
    .map(
      ([rating, word, ...cells]) =>
        `<tr><td><span class="badge sev-${rating}">${escapeHtml(word)}</span></td>${cells.map((c, i) => `<td>${i === 1 || i === 2 ? `<code>${escapeHtml(c)}</code>` : escapeHtml(c)}</td>`).join('')}</tr>`,
    )
    .join('\n')}</tbody></table></div>`;
}

/** The secret and misconfiguration sections, each present only when its scanner ran. */
function extraSections(report: ScanReport): string {
  const out: string[] = [];
  if (report.secrets) {
    const list = sortedSecrets(report);
    const counts = countsText(list);
    out.push(`<section class="card" aria-labelledby="secrets-h">
<h2 id="secrets-h">Secrets (${list.length})</h2>
<p class="muted">${counts ? `${escapeHtml(counts)}. ` : ''}Values are never shown: a preview of at most four characters, the length and a fingerprint. Files that a later layer deleted or overwrote are still in the image.</p>
${extraTable(
  'secrets',
  'Secrets, most severe first',
  ['Severity', 'Title', 'Rule', 'Location', 'Secret (redacted)'],
  list.map(
    (f) =>
      [ratingOf(f.severity), f.severity, f.title, f.ruleId, secretLocation(f), describeSecret(f)] as const,
  ),
)}
</section>`);
  }
  if (report.misconfigurations) {
    const list = sortedMisconfigurations(report);
    const counts = countsText(list);
    out.push(`<section class="card" aria-labelledby="misconfigurations-h">
<h2 id="misconfigurations-h">Misconfigurations (${list.length})</h2>
${counts ? `<p class="muted">${escapeHtml(counts)}.</p>` : ''}
${extraTable(
  'misconfigurations',
  'Misconfigurations, most severe first',
  ['Severity', 'Title', 'Rule', 'Location', 'Message'],
  list.map(
    (m) => [ratingOf(m.severity), m.severity, m.title, m.ruleId, misconfigLocation(m), m.message] as const,
  ),
)}
</section>`);
  }
  return out.join('\n');
}

/** Escape text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * JSON safe inside a `<script>` element: `<`, `>` and `&` become `\u003c`… so neither `</script>`
 * nor `<!--` can appear, and U+2028/2029 are escaped for older parsers. `JSON.parse` restores them.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const cspHash = (text: string): string =>
  `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

const SEVERITY_COLOUR: Record<Severity, string> = {
  critical: '#8b0000',
  high: '#c4320a',
  medium: '#b07d00',
  low: '#1f5fa8',
  negligible: '#7b8490',
  unknown: '#9aa3ad',
};

function packageLayer(p: Package): LayerRef | undefined {
  return p.layer ?? p.locations[0]?.layer;
}

/** What the script needs per finding, already redacted, linked and searchable. */
function findingData(f: Finding): Record<string, unknown> {
  const p = f.package;
  const layer = redactLayer(packageLayer(p));
  const s = f.suppressed;
  return {
    id: f.vulnerabilityId,
    url: advisoryUrl(f.vulnerabilityId) ?? null,
    aliases: [...new Set(f.aliases)]
      .filter((a) => a !== f.vulnerabilityId)
      .sort(byString)
      .map((a) => ({ id: a, url: advisoryUrl(a) ?? null })),
    severity: f.severity,
    severityRank: severityRank(f.severity),
    severitySource: f.severitySource,
    cvss: f.cvss ?? null,
    fixable: isFixable(f),
    fixLabel: f.fixState === 'fixed' ? 'fixed' : f.fixState === 'wont-fix' ? "won't fix" : 'not fixed',
    fixedVersion: isFixable(f) ? f.fixedVersion : null,
    fixedVersions: [...f.fixedVersions],
    epss: f.epss ?? null,
    kev: f.kev ?? null,
    published: f.published ?? null,
    modified: f.modified ?? null,
    summary: f.summary ?? null,
    references: [...new Set(f.references)]
      .sort(byString)
      .map((r) => ({ url: safeUrl(r) ?? r, safe: safeUrl(r) !== undefined })),
    risk: f.risk,
    package: {
      name: p.name,
      version: p.version,
      type: p.type,
      purl: p.purl,
      path: p.locations[0]?.path ?? null,
    },
    layer: layer ? layer.index : null,
    layerLabel: layer ? layerLabel(layer, 120) : null,
    ownedBy: ownedByLabel(f) ?? null,
    matches: [...f.matches]
      .sort((a, b) => byString(a.recordId, b.recordId) || byString(a.matcher, b.matcher))
      .map((m) => ({
        recordId: m.recordId,
        matcher: m.matcher,
        ecosystem: m.searchedBy.ecosystem,
        name: m.searchedBy.name,
        version: m.searchedBy.version,
        reason: m.reason,
      })),
    suppressed: s
      ? {
          kind: s.kind,
          source: s.source,
          reason: s.reason,
          status: s.status,
          justification: s.justification ?? null,
          expires: s.expires ?? null,
        }
      : null,
    search: [
      f.vulnerabilityId,
      ...f.aliases,
      p.name,
      p.version,
      p.type,
      p.purl,
      f.summary ?? '',
      f.severity,
      p.locations[0]?.path ?? '',
      f.ownedBy ? `os-owned ${f.ownedBy.name}` : '',
    ]
      .join(' ')
      .toLowerCase(),
  };
}

/** Horizontal bars, one per severity: the full bar is the total, the darker part the fixable share. */
function severityChart(s: ScanSummary): string {
  const rowH = 30;
  const labelW = 96;
  const barW = 300;
  const max = maxOf(
    SEVERITY_ORDER.map((sev) => s.bySeverity[sev].total),
    1,
  );
  const height = SEVERITY_ORDER.length * rowH + 24;
  const desc = SEVERITY_ORDER.map(
    (sev) => `${sev}: ${s.bySeverity[sev].total} (${s.bySeverity[sev].fixable} fixable)`,
  ).join(', ');
  const bars = SEVERITY_ORDER.map((sev, i) => {
    const c = s.bySeverity[sev];
    const y = i * rowH + 4;
    const w = Math.round((c.total / max) * barW);
    const fw = Math.round((c.fixable / max) * barW);
    return [
      `<text x="${labelW - 8}" y="${y + 17}" text-anchor="end" class="lbl">${escapeHtml(sev)}</text>`,
      `<rect x="${labelW}" y="${y}" width="${barW}" height="22" rx="3" fill="${SEVERITY_COLOUR[sev]}" fill-opacity="0.12"/>`,
      w > 0
        ? `<rect x="${labelW}" y="${y}" width="${w}" height="22" rx="3" fill="${SEVERITY_COLOUR[sev]}" fill-opacity="0.45"/>`
        : '',
      fw > 0
        ? `<rect x="${labelW}" y="${y}" width="${fw}" height="22" rx="3" fill="${SEVERITY_COLOUR[sev]}"/>`
        : '',
      `<text x="${labelW + barW + 8}" y="${y + 17}" class="val">${c.total}${c.fixable ? ` (${c.fixable} fixable)` : ''}</text>`,
    ].join('');
  }).join('\n');
  const legendY = SEVERITY_ORDER.length * rowH + 16;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${labelW + barW + 130}" height="${height}" viewBox="0 0 ${labelW + barW + 130} ${height}" role="img" aria-labelledby="chart-title chart-desc">
<title id="chart-title">Findings by severity</title>
<desc id="chart-desc">${escapeHtml(desc)}</desc>
${bars}
<rect x="${labelW}" y="${legendY - 10}" width="12" height="12" fill="#57606a"/><text x="${labelW + 18}" y="${legendY}" class="leg">fixable</text>
<rect x="${labelW + 90}" y="${legendY - 10}" width="12" height="12" fill="#57606a" fill-opacity="0.45"/><text x="${labelW + 108}" y="${legendY}" class="leg">not fixable</text>
</svg>`;
}

function fact(label: string, value: string | undefined, code = false, wide = false): string {
  if (!value) return '';
  const v = escapeHtml(value);
  return `<div${wide ? ' class="wide"' : ''}><dt>${escapeHtml(label)}</dt><dd>${code ? `<code>${v}</code>` : v}</dd></div>`;
}

function findingRow(f: Finding, i: number): string {
  const p = f.package;
  const owned = ownedByLabel(f);
  const layer = packageLayer(p);
  const fix = isFixable(f)
    ? `<span class="fix mono">${escapeHtml(f.fixedVersion!)}</span>`
    : `<span class="nofix">${escapeHtml(fixLabel(f))}</span>`;
  const supp = f.suppressed
    ? ` <span class="muted">(suppressed${f.suppressed.kind === 'vex' ? `, VEX ${escapeHtml(f.suppressed.status)}` : ''})</span>`
    : '';
  return `<tr data-i="${i}"${f.suppressed ? ' class="suppressed"' : ''}${f.suppressed ? ' hidden' : ''}>
<td><button type="button" class="vuln" data-show="${i}">${escapeHtml(f.vulnerabilityId)}</button>${f.kev ? ' <span class="kev-badge" title="In the CISA Known Exploited Vulnerabilities catalog">KEV</span>' : ''}${supp}</td>
<td><span class="badge sev-${escapeHtml(f.severity)}">${escapeHtml(f.severity)}</span></td>
<td><code>${escapeHtml(p.name)}</code> <span class="muted">${escapeHtml(p.type)}</span>${owned ? ` <span class="os-owned" title="${escapeHtml(owned)}">OS-owned</span>` : ''}</td>
<td class="mono nowrap">${escapeHtml(p.version)}</td>
<td class="nowrap">${fix}</td>
<td class="num">${f.epss ? escapeHtml(formatEpss(f.epss.score)) : '<span class="muted">–</span>'}</td>
<td class="num">${layer ? String(layer.index) : '<span class="muted">–</span>'}</td>
<td class="num">${escapeHtml(f.risk.toFixed(1))}</td>
</tr>`;
}

function layerSection(report: ScanReport, findings: readonly Finding[], index: Map<Finding, number>): string {
  const source = redactSource(report.sbom.source);
  if (source.kind !== 'image') {
    return '<p>This scan is of a folder: there are no image layers.</p>';
  }
  const byLayer = new Map<number, Finding[]>();
  for (const f of findings) {
    const l = packageLayer(f.package);
    const key = l ? l.index : -1;
    byLayer.set(key, [...(byLayer.get(key) ?? []), f]);
  }
  const packagesPerLayer = new Map<number, number>();
  for (const p of report.sbom.packages) {
    const l = packageLayer(p);
    if (l) packagesPerLayer.set(l.index, (packagesPerLayer.get(l.index) ?? 0) + 1);
  }
  const layers = [...source.image.layers].sort((a, b) => a.index - b.index);
  const item = (layer: LayerRef): string =>
    layerItem(layer, byLayer.get(layer.index) ?? [], packagesPerLayer.get(layer.index) ?? 0, index);
  const orphans = byLayer.get(-1);
  const orphanItem = orphans && orphans.length > 0 ? [layerItem(undefined, orphans, 0, index)] : [];
  const base = splittingBase(report);
  if (!base) return `<ol class="layers">${[...layers.map(item), ...orphanItem].join('\n')}</ol>`;
  // Split: the base image's layers first, then the image's own, each list with its counts.
  const split = originSplit(report)!;
  const group = (
    id: string,
    title: string,
    counts: string,
    list: readonly LayerRef[],
    extra: string[],
  ): string =>
    `<h3 id="${id}">${escapeHtml(title)} <span class="muted">${escapeHtml(counts)}</span></h3>\n<ol class="layers" start="${list[0]?.index ?? 0}">${[...list.map(item), ...extra].join('\n')}</ol>`;
  return [
    group(
      'layers-base',
      `From the base image ${baseImageName(base)}`,
      `${summaryCounts(split.base)} vulnerabilities`,
      layers.filter((l) => l.index < base.layers),
      [],
    ),
    group(
      'layers-added',
      'Added by your layers',
      `${summaryCounts(split.added)} vulnerabilities`,
      layers.filter((l) => l.index >= base.layers),
      orphanItem,
    ),
  ].join('\n');
}

function layerItem(
  layer: LayerRef | undefined,
  findings: readonly Finding[],
  packages: number,
  index: Map<Finding, number>,
): string {
  const active = findings.filter((f) => !f.suppressed);
  const counts = SEVERITY_ORDER.map((sev) => [sev, active.filter((f) => f.severity === sev).length] as const)
    .filter(([, n]) => n > 0)
    .map(([sev, n]) => `<span class="badge sev-${sev}">${n} ${sev}</span>`)
    .join(' ');
  const head = layer
    ? `<span class="idx">Layer ${layer.index}</span><code>${escapeHtml(layerInstruction(layer) || '(no history)')}</code><span class="muted">${escapeHtml(formatBytes(layer.size))}${layer.digest ? ` · <span class="mono" title="${escapeHtml(layer.digest)}">${escapeHtml(layer.digest.slice(0, 19))}…</span>` : ''} · ${plural(packages, 'package')}</span>`
    : `<span class="idx">Unknown layer</span>`;
  const byPackage = new Map<string, Finding[]>();
  for (const f of findings) byPackage.set(f.package.id, [...(byPackage.get(f.package.id) ?? []), f]);
  const pkgs = [...byPackage.values()]
    .sort(
      (a, b) =>
        byString(a[0]!.package.name, b[0]!.package.name) ||
        byString(a[0]!.package.version, b[0]!.package.version),
    )
    .map((list) => {
      const p = list[0]!.package;
      const vulns = [...list]
        .sort(compareFindings)
        .map(
          (f) =>
            `<button type="button" class="vuln" data-show="${index.get(f)}"><span class="badge sev-${f.severity}">${escapeHtml(f.severity)}</span> ${escapeHtml(f.vulnerabilityId)}${f.suppressed ? ' (suppressed)' : ''}</button>`,
        )
        .join(' ');
      return `<li><code>${escapeHtml(p.name)}</code> <span class="mono muted">${escapeHtml(p.version)}</span>: ${vulns}</li>`;
    });
  const body =
    pkgs.length > 0
      ? `<ul class="layer-pkgs">${pkgs.join('')}</ul>`
      : '<p class="muted">No vulnerabilities introduced by this layer.</p>';
  return `<li><div class="layer-head">${head} ${counts}</div>${body}</li>`;
}

/** Render the report as one HTML document. Deterministic for a pinned timestamp. */
export function renderHtml(report: ScanReport, options: ScanRenderOptions = {}): string {
  const { date } = resolveTimestamp(options);
  const source = redactSource(report.sbom.source);
  const findings = [...report.findings].sort(compareFindings);
  const index = new Map(findings.map((f, i) => [f, i]));
  const s = summarize(findings);
  const subject = subjectName(source);
  const image = source.kind === 'image' ? source.image : undefined;

  const facts = [
    fact('Target', source.target, true),
    fact('Operating system', distroLabel(report.sbom) ?? 'unknown'),
    image
      ? fact(
          'Platform',
          [image.platform.os, image.platform.architecture, image.platform.variant].filter(Boolean).join('/'),
        )
      : '',
    image ? fact('Manifest digest', image.manifestDigest, true, true) : '',
    image ? fact('Config digest', image.configDigest, true, true) : '',
    image ? fact('Image created', image.created) : '',
    fact('Packages', String(report.sbom.packages.length)),
    image ? fact('Layers', String(image.layers.length)) : '',
    report.baseImage ? fact('Base image', baseImageText(report.baseImage)) : '',
    fact('Report generated', isoSeconds(date)),
    report.database?.builtAt ? fact('Database built', report.database.builtAt) : '',
    fact('Bulwark', report.tool.version),
  ].join('');

  const expired = [...report.expiredSuppressions].sort(
    (a, b) => byString(a.source, b.source) || byString(a.id, b.id),
  );
  const ownedNote = osOwnedNote(report);
  const ownedNoteHtml = ownedNote ? `<p class="muted" id="os-owned-note">${escapeHtml(ownedNote)}</p>\n` : '';
  const expiredHtml =
    expired.length > 0
      ? `<div class="warning" role="note"><h3>${plural(expired.length, 'suppression')} expired</h3><ul>${expired
          .map(
            (e) =>
              `<li><code>${escapeHtml(e.id)}</code> in <code>${escapeHtml(e.source)}</code> expired on ${escapeHtml(e.expires)} and no longer applies (${escapeHtml(e.reason)})</li>`,
          )
          .join('')}</ul></div>`
      : '';

  const severityOptions = SEVERITY_ORDER.map((sev) => `<option value="${sev}">${sev}</option>`).join('');
  const th = (
    key: string,
    label: string,
    first: 'ascending' | 'descending' = 'ascending',
    sorted?: 'descending',
  ): string =>
    `<th scope="col" data-key="${key}" data-first="${first}"${sorted ? ` aria-sort="${sorted}"` : ''}><button type="button">${label}</button></th>`;
  const tableBody =
    findings.length > 0
      ? findings.map((f, i) => findingRow(f, i)).join('\n')
      : `<tr><td colspan="8">${escapeHtml(noFindingsText(report))}</td></tr>`;
  const notEvaluated = notEvaluatedHtml(report);

  const data = {
    schema: report.schema,
    target: subject,
    findings: findings.map(findingData),
  };

  const css = REPORT_CSS;
  const js = REPORT_JS;
  const csp = [
    "default-src 'none'",
    `style-src ${cspHash(css)}`,
    `script-src ${cspHash(js)}`,
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="referrer" content="no-referrer">
<meta name="generator" content="Bulwark ${escapeHtml(report.tool.version)}">
<title>Vulnerability report: ${escapeHtml(subject)}</title>
<style>${css}</style>
</head>
<body>
<a class="skip" href="#findings-h">Skip to findings</a>
<header class="top">
<h1>Vulnerability report</h1>
<div class="subject"><code>${escapeHtml(subject)}</code></div>
<dl class="facts">${facts}</dl>
</header>
<main>
<section class="card" aria-labelledby="summary-h">
<h2 id="summary-h">Summary</h2>
<div class="summary">
${severityChart(s)}
<dl class="stats">
<div><dt>Vulnerabilities</dt><dd>${s.total}</dd></div>
<div><dt>Fixable</dt><dd>${s.fixable}</dd></div>
<div class="kev"><dt>Known exploited (KEV)</dt><dd>${s.kev}</dd></div>
<div><dt>Suppressed</dt><dd>${s.suppressed}</dd></div>
${report.coverage ? `<div><dt>Not evaluated</dt><dd>${report.coverage.notEvaluated}</dd></div>` : ''}
</dl>
</div>
${ownedNoteHtml}${notEvaluated.warning}
${expiredHtml}
</section>
<section class="card" aria-labelledby="findings-h">
<h2 id="findings-h">Findings</h2>
<div class="controls" role="search">
<label>Search <input type="search" id="q" placeholder="CVE, package, text…" autocomplete="off"></label>
<label>Severity <select id="sev"><option value="">all</option>${severityOptions}</select></label>
<label><input type="checkbox" id="fixable-only"> Fixable only</label>
<label><input type="checkbox" id="show-suppressed"> Show suppressed (${s.suppressed})</label>
</div>
<p id="count" aria-live="polite">${s.total} of ${findings.length} findings shown</p>
<div id="layout" class="layout">
<div class="table-wrap">
<table id="findings">
<caption class="skip">Findings, ordered by risk; column headers sort.</caption>
<thead><tr>${th('id', 'Vulnerability')}${th('severity', 'Severity')}${th('package', 'Package')}${th('installed', 'Installed')}${th('fixed', 'Fixed in')}${th('epss', 'EPSS', 'descending')}${th('layer', 'Layer')}${th('risk', 'Risk', 'descending', 'descending')}</tr></thead>
<tbody>
${tableBody}
</tbody>
</table>
</div>
<aside id="detail" tabindex="-1" aria-label="Vulnerability details" hidden></aside>
</div>
</section>
${notEvaluated.section}
${extraSections(report)}
<section class="card" aria-labelledby="layers-h">
<h2 id="layers-h">Layers</h2>
<p class="muted">Each layer with the instruction that built it and the vulnerabilities of the packages it introduced.</p>
${layerSection(report, findings, index)}
</section>
</main>
<footer>Generated by Bulwark ${escapeHtml(report.tool.version)} on ${escapeHtml(isoSeconds(date))}. This file is self-contained and makes no network requests; links open only when clicked.</footer>
<script type="application/json" id="bulwark-data">${scriptJson(data)}</script>
<script>${js}</script>
</body>
</html>
`;
}

/**
 * The packages that were not evaluated: a warning in the summary (counted by cause) and a section
 * listing each package with why. Empty strings when every package was evaluated.
 */
function notEvaluatedHtml(report: ScanReport): { warning: string; section: string } {
  const c = report.coverage;
  if (!c || c.notEvaluated === 0) return { warning: '', section: '' };
  const warning = `<div class="warning" role="note"><h3>${escapeHtml(plural(c.notEvaluated, 'package'))} not evaluated</h3><p>No vulnerability result exists for them: they are not known to be free of vulnerabilities.</p><ul>${c.groups
    .map((g) => `<li>${g.packages}: ${escapeHtml(g.group)}</li>`)
    .join('')}</ul></div>`;
  const rows = sortedNotEvaluated(report)
    .map(
      (n) =>
        `<tr><td><code>${escapeHtml(n.package.name)}</code></td><td>${escapeHtml(n.package.version)}</td><td>${escapeHtml(n.package.type)}</td><td>${escapeHtml(n.detail)}</td></tr>`,
    )
    .join('\n');
  const section = `<section class="card" aria-labelledby="not-evaluated-h">
<h2 id="not-evaluated-h">Not evaluated (${c.notEvaluated})</h2>
<div class="table-wrap">
<table id="not-evaluated">
<thead><tr><th scope="col">Package</th><th scope="col">Version</th><th scope="col">Type</th><th scope="col">Why</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</div>
</section>`;
  return { warning, section };
}
