/**
 * `--format sarif`: SARIF 2.1.0 for code scanning (GitHub and others), through the shared builder
 * (src/report/sarif.ts).
 *
 * One rule per vulnerability id (help: summary, affected packages with fixed versions, references);
 * one result per finding, located at the package's metadata file relative to the scanned root (inside
 * an image: `var/lib/dpkg/status`, `app/node_modules/lodash/package.json`; in a folder: the lock file).
 * `security-severity` comes from the CVSS score when known, else from the severity. Suppressed
 * findings are kept with an external, accepted `suppression` that carries the reason, so code scanning
 * shows them as dismissed instead of dropping the history.
 */
import type { Finding, ScanReport } from '../../match/types.js';
import { buildSarif, severityToSarif, type SarifResult, type SarifRule } from '../sarif.js';
import { redactSource } from '../../sbom/format/redact.js';
import {
  advisoryUrl,
  byString,
  compareFindings,
  fixLabel,
  formatEpss,
  isFixable,
  relativeLocation,
  safeUrl,
  severityRank,
  subjectName,
} from './common.js';
import { mdCode, mdLink, mdText } from './markdown-text.js';

/** A path as a SARIF URI reference: each segment percent-encoded, forward slashes kept. */
function pathUri(path: string): string {
  return path
    .split('/')
    .map((s) => encodeURIComponent(s))
    .join('/');
}

/** GitHub's `security-severity`: the CVSS base score when known, else a stand-in for the rating. */
function securitySeverity(f: Finding): number {
  if (f.cvss && Number.isFinite(f.cvss.score)) return Math.min(10, Math.max(0, f.cvss.score));
  return Number(severityToSarif(f.severity).securitySeverity);
}

function ruleFor(id: string, findings: readonly Finding[]): SarifRule {
  // The most severe finding speaks for the rule (a distro may rate the same CVE differently per package).
  const worst = [...findings].sort(
    (a, b) =>
      severityRank(a.severity) - severityRank(b.severity) || securitySeverity(b) - securitySeverity(a),
  )[0]!;
  const summary = findings.map((f) => f.summary).find((s) => s && s.trim()) ?? `Vulnerability ${id}`;
  const aliases = [...new Set(findings.flatMap((f) => f.aliases))].filter((a) => a !== id).sort(byString);
  const references = [...new Set(findings.flatMap((f) => f.references))].sort(byString);
  const score = Math.max(...findings.map(securitySeverity));

  const help: string[] = [
    `**${mdText(id)}** (${worst.severity}${worst.cvss ? `, CVSS ${worst.cvss.score}` : ''}): ${mdText(summary)}`,
    '',
  ];
  if (aliases.length > 0) help.push(`Aliases: ${aliases.map((a) => mdText(a)).join(', ')}`, '');
  help.push('| Package | Installed | Fixed in |', '| --- | --- | --- |');
  const rows = [...findings]
    .sort(compareFindings)
    .map(
      (f) =>
        `| ${mdCode(f.package.name)} (${f.package.type}) | ${mdCode(f.package.version)} | ${isFixable(f) ? mdCode(f.fixedVersion!) : fixLabel(f)} |`,
    );
  help.push(...new Set(rows));
  const links = references.map((r) => safeUrl(r)).filter((u): u is string => u !== undefined);
  if (links.length > 0) help.push('', 'References:', ...links.map((u) => `- ${mdLink(u, u)}`));

  const { level } = severityToSarif(worst.severity);
  const helpUri = advisoryUrl(id);
  return {
    id,
    shortDescription: `${id}: ${summary}`.slice(0, 1000),
    fullDescription: summary,
    helpMarkdown: help.join('\n'),
    ...(helpUri ? { helpUri } : {}),
    defaultLevel: level,
    properties: {
      'security-severity': score.toFixed(1),
      tags: ['security', 'vulnerability', worst.severity],
      precision: 'very-high',
    },
  };
}

function resultFor(f: Finding, fallbackUri: string): SarifResult {
  const p = f.package;
  const fix = isFixable(f)
    ? `Fixed in ${f.fixedVersion}.`
    : f.fixState === 'wont-fix'
      ? "Won't be fixed."
      : 'No fix yet.';
  const extras = [
    f.kev ? 'Known exploited (CISA KEV).' : '',
    f.epss ? `EPSS ${formatEpss(f.epss.score)}.` : '',
  ].filter(Boolean);
  const message = [
    `${p.name} ${p.version} (${p.type}) is affected by ${f.vulnerabilityId} (${f.severity}).`,
    fix,
    ...extras,
  ].join(' ');
  const layer = p.layer ?? p.locations[0]?.layer;
  const path = relativeLocation(p);
  return {
    ruleId: f.vulnerabilityId,
    level: severityToSarif(f.severity).level,
    message,
    uri: path ? pathUri(path) : fallbackUri,
    fingerprint: f.id,
    ...(f.suppressed
      ? {
          suppressions: [
            {
              kind: 'external' as const,
              status: 'accepted' as const,
              justification: `${f.suppressed.kind === 'vex' ? `VEX ${f.suppressed.status}` : 'ignored'}: ${f.suppressed.reason} (${f.suppressed.source})`,
            },
          ],
        }
      : {}),
    properties: {
      purl: p.purl,
      packageName: p.name,
      installedVersion: p.version,
      packageType: p.type,
      fixState: f.fixState,
      ...(f.fixedVersion ? { fixedVersion: f.fixedVersion } : {}),
      aliases: [...f.aliases],
      ...(layer ? { layerIndex: layer.index, ...(layer.digest ? { layerDigest: layer.digest } : {}) } : {}),
      ...(f.epss ? { epss: f.epss.score } : {}),
      ...(f.kev ? { kev: true } : {}),
    },
  };
}

/** SARIF 2.1.0 JSON for the report, byte-identical for identical input. */
export function renderSarif(report: ScanReport): string {
  const byId = new Map<string, Finding[]>();
  for (const f of report.findings) {
    const list = byId.get(f.vulnerabilityId) ?? [];
    list.push(f);
    byId.set(f.vulnerabilityId, list);
  }
  const rules = [...byId].map(([id, list]) => ruleFor(id, list));
  // A package without a recorded location (rare) is pinned to the scanned target itself.
  const fallbackUri = pathUri(subjectName(redactSource(report.sbom.source)).replace(/^\/+/, '')) || 'unknown';
  const results = report.findings.map((f) => resultFor(f, fallbackUri));
  return `${JSON.stringify(buildSarif({ rules, results }), null, 2)}\n`;
}
