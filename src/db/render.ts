/** Text and JSON output of the `bulwark db` commands (deterministic: sorted, no colours). */
import type { SourceReport } from './ingest.js';
import { humanBytes } from '../util/progress.js';
import type { SearchResult } from './search.js';
import type { DatabaseStatus } from './store.js';
import { maxOf } from '../util/arrays.js';

/** Parse an age like `7d`, `36h`, `90m` or `7` (days) into milliseconds; undefined when invalid. */
export function parseAge(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([dhm]?)\s*$/i.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = (m[2] ?? '').toLowerCase();
  const ms = unit === 'h' ? 3_600_000 : unit === 'm' ? 60_000 : 86_400_000;
  return n * ms;
}

/** `3 days`, `5 hours`, `12 minutes`. */
export function humanAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 3600) return `${Math.floor(s / 60)} minute(s)`;
  if (s < 172_800) return `${Math.floor(s / 3600)} hour(s)`;
  return `${Math.floor(s / 86_400)} day(s)`;
}

export interface StatusView extends DatabaseStatus {
  readonly ageSeconds: number;
  readonly maxAgeSeconds: number;
  readonly stale: boolean;
}

export function statusView(status: DatabaseStatus, maxAgeMs: number, now = Date.now()): StatusView {
  const built = Date.parse(status.builtAt);
  const age = Number.isNaN(built) ? Number.POSITIVE_INFINITY : now - built;
  return {
    ...status,
    ageSeconds: Number.isFinite(age) ? Math.round(age / 1000) : -1,
    maxAgeSeconds: Math.round(maxAgeMs / 1000),
    stale: age > maxAgeMs,
  };
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => maxOf(rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function renderStatusTable(v: StatusView): string {
  const lines = [
    `Database  ${v.path}`,
    `Schema    ${v.schemaVersion}   Size ${humanBytes(v.sizeBytes)}`,
    `Built     ${v.builtAt} (${v.ageSeconds >= 0 ? `${humanAge(v.ageSeconds * 1000)} ago` : 'unknown age'})${v.stale ? '  STALE' : ''}`,
    `Contents  ${v.counts.records} advisories, ${v.counts.packages} packages, ${v.counts.aliases} aliases, ${v.counts.kev} KEV, ${v.counts.epss} EPSS`,
    '',
  ];
  const rows = [['SOURCE', 'RECORDS', 'REJECTED', 'WITHDRAWN', 'FETCHED', 'URL']];
  for (const s of v.sources) {
    rows.push([
      s.key,
      String(s.records),
      String(s.rejected),
      String(s.withdrawn),
      s.fetchedAt,
      s.url + (s.note ? ` (${s.note})` : ''),
    ]);
  }
  return `${lines.join('\n')}${table(rows)}\n`;
}

export function renderSourceReports(reports: readonly SourceReport[]): string {
  if (reports.length === 0) return '';
  const rows = [['SOURCE', 'STATUS', 'RECORDS', 'REJECTED', 'WITHDRAWN']];
  for (const r of reports) {
    rows.push([r.key, r.status, String(r.records), String(r.rejected), String(r.withdrawn)]);
  }
  let out = `${table(rows)}\n`;
  for (const r of reports) {
    for (const reason of r.reasons) out += `  ${r.key}: rejected ${reason}\n`;
    if (r.rejected > r.reasons.length && r.reasons.length > 0) {
      out += `  ${r.key}: … and ${r.rejected - r.reasons.length} more\n`;
    }
  }
  return out;
}

export function renderSearchTable(result: SearchResult): string {
  if (result.hits.length === 0) {
    return `no records for ${result.query}${result.ecosystem ? ` in ${result.ecosystem}` : ''}\n`;
  }
  const out: string[] = [];
  for (const h of result.hits) {
    const sev = h.severity;
    const score = sev.score !== undefined ? ` ${sev.score.toFixed(1)} (CVSS ${sev.cvssVersion})` : '';
    const pkg = h.package ? `  ${h.package.ecosystem}/${h.package.name}` : '';
    out.push(`${h.id}${pkg}  ${sev.rating}${score}`);
    if (h.summary) out.push(`  ${h.summary}`);
    const ids = [...h.aliases, ...h.upstream.filter((u) => !h.aliases.includes(u))];
    if (ids.length) out.push(`  aliases: ${ids.join(', ')}`);
    if (h.packages?.length) {
      const shown = h.packages.slice(0, 10).map((p) => `${p.ecosystem}/${p.name}`);
      const more = h.packages.length > 10 ? `, … ${h.packages.length - 10} more` : '';
      out.push(`  packages: ${shown.join(', ')}${more}`);
    }
    if (h.evaluation) {
      out.push(
        `  ${result.version}: ${h.evaluation.affected ? 'AFFECTED' : 'not affected'}: ${h.evaluation.reason}`,
      );
      if (h.evaluation.fixedVersions.length) out.push(`  fixed in: ${h.evaluation.fixedVersions.join(', ')}`);
    }
    if (h.kev) {
      out.push(
        `  KEV: added ${h.kev.dateAdded}${h.kev.dueDate ? `, due ${h.kev.dueDate}` : ''}${h.kev.ransomware ? ', known ransomware use' : ''}`,
      );
    }
    if (h.epss) out.push(`  EPSS: ${h.epss.score} (percentile ${h.epss.percentile}, ${h.epss.date})`);
  }
  return `${out.join('\n')}\n`;
}
