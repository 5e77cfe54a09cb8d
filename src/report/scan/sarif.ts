/**
 * `--format sarif`: SARIF 2.1.0 for code scanning (GitHub and others), through the shared builder
 * (src/util/sarif.ts).
 *
 * One rule per vulnerability id (help: summary, affected packages with fixed versions, references);
 * one result per finding, located at the package's metadata file relative to the scanned root (inside
 * an image: `var/lib/dpkg/status`, `app/node_modules/lodash/package.json`; in a folder: the lock file).
 * `security-severity` comes from the CVSS score when known, else from the severity. Suppressed
 * findings are kept with an external, accepted `suppression` that carries the reason, so code scanning
 * shows them as dismissed instead of dropping the history.
 */
import type { Finding, NotEvaluated } from '../../match/types.js';
import type { ScanReport } from '../types.js';
import { buildSarif, severityToSarif, type SarifResult, type SarifRule } from '../../util/sarif.js';
import { redactSource } from '../../sbom/format/redact.js';
import {
  advisoryUrl,
  byString,
  compareFindings,
  fixLabel,
  formatEpss,
  isFixable,
  plural,
  relativeLocation,
  safeUrl,
  severityRank,
  sortedNotEvaluated,
  subjectName,
} from './common.js';
import { mdCode, mdLink, mdText } from './markdown-text.js';
import { IMAGE_RULE_LIST } from '../../lint/image/rules.js';
import { sarifRule as lintSarifRule } from '../../lint/report.js';
import { RULES_BY_ID } from '../../lint/rules/index.js';
import type { Misconfiguration } from '../../extra-scanners/types.js';
import { BUILTIN_RULES } from '../../secrets/rules/index.js';
import type { RedactedFinding } from '../../secrets/types.js';
import { describeSecret, misconfigLocation } from './extras.js';
import { maxOf, pushAll } from '../../util/arrays.js';

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
  const score = maxOf(findings.map(securitySeverity));

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
  pushAll(help, new Set(rows));
  const links = references.map((r) => safeUrl(r)).filter((u): u is string => u !== undefined);
  if (links.length > 0) {
    help.push('', 'References:');
    pushAll(
      help,
      links.map((u) => `- ${mdLink(u, u)}`),
    );
  }

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
    f.ownedBy
      ? `OS-owned: its files belong to ${f.ownedBy.type} package ${f.ownedBy.name} ${f.ownedBy.version}, which may carry a backported fix.`
      : '',
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
      ...(f.ownedBy ? { ownedBy: f.ownedBy.purl } : {}),
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
  const secrets = report.secrets ?? [];
  const configs = report.misconfigurations ?? [];
  pushAll(rules, secretRules(secrets));
  pushAll(rules, configRules(configs));
  pushAll(
    results,
    secrets.map((f) => secretResult(f, fallbackUri)),
  );
  pushAll(
    results,
    configs.map((m) => configResult(m, fallbackUri)),
  );
  const notEvaluated = sortedNotEvaluated(report);
  pushAll(rules, notEvaluatedRules(notEvaluated));
  pushAll(
    results,
    notEvaluated.map((n) => notEvaluatedResult(n, fallbackUri)),
  );
  const doc = buildSarif({ rules, results });
  const coverage = report.coverage;
  if (coverage) {
    // The counts ride on the run, and each cause is a tool notification (a warning that the scan did
    // not look at everything); each package is also a `note` result under a `not-evaluated/` rule.
    const run = (doc.runs as Record<string, unknown>[])[0]!;
    run.invocations = [
      {
        executionSuccessful: true,
        toolExecutionNotifications: coverage.groups.map((g) => ({
          level: 'warning',
          descriptor: { id: `${NOT_EVALUATED_PREFIX}${g.reason}` },
          message: { text: `${plural(g.packages, 'package')} not evaluated: ${g.group}` },
        })),
      },
    ];
    run.properties = {
      coverage: {
        packages: coverage.packages,
        evaluated: coverage.evaluated,
        notEvaluated: coverage.notEvaluated,
      },
    };
  }
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** Rules of packages that were not evaluated: `not-evaluated/<reason>`. */
const NOT_EVALUATED_PREFIX = 'not-evaluated/';

function notEvaluatedRules(list: readonly NotEvaluated[]): SarifRule[] {
  const reasons = [...new Set(list.map((n) => n.reason))].sort(byString);
  return reasons.map((reason) => ({
    id: `${NOT_EVALUATED_PREFIX}${reason}`,
    shortDescription: `Package not evaluated: ${reason.replace(/-/g, ' ')}`,
    fullDescription:
      'Bulwark could not evaluate this package against the vulnerability advisories, so it is NOT known to be free of known vulnerabilities.',
    helpMarkdown:
      'The package was not evaluated (see the result message for why): no vulnerability result exists for it. Check it another way, or use `--fail-on-not-evaluated` to make such scans fail.',
    defaultLevel: 'note',
    properties: { tags: ['security', 'not-evaluated'], precision: 'very-high' },
  }));
}

function notEvaluatedResult(n: NotEvaluated, fallbackUri: string): SarifResult {
  const p = n.package;
  const path = relativeLocation(p);
  return {
    ruleId: `${NOT_EVALUATED_PREFIX}${n.reason}`,
    level: 'note',
    message: `${p.name} ${p.version} (${p.type}) was not evaluated: ${n.detail}`,
    uri: path ? pathUri(path) : fallbackUri,
    fingerprint: `not-evaluated:${p.id}`,
    properties: {
      purl: p.purl,
      packageName: p.name,
      installedVersion: p.version,
      packageType: p.type,
      reason: n.reason,
      ...(n.records ? { records: [...n.records] } : {}),
    },
  };
}

/** Secret rules are `secret/<rule id>`, so they can never collide with a vulnerability id. */
const SECRET_PREFIX = 'secret/';
/** Dockerfile and image-check rules are `config/<rule id>`. */
const CONFIG_PREFIX = 'config/';

const SECRET_FAMILY = new Map(BUILTIN_RULES.map((r) => [r.id, r.family]));

function secretRules(findings: readonly RedactedFinding[]): SarifRule[] {
  const byId = new Map<string, RedactedFinding>();
  for (const f of findings) if (!byId.has(f.ruleId)) byId.set(f.ruleId, f);
  return [...byId.values()].map((f) => {
    const s = severityToSarif(f.severity);
    const family = SECRET_FAMILY.get(f.ruleId);
    return {
      id: `${SECRET_PREFIX}${f.ruleId}`,
      shortDescription: f.title,
      fullDescription: `${f.title}. Anyone who can read the code or pull the image can use it.`,
      helpMarkdown: `${mdText(f.title)}.\n\n**Fix:** rotate the credential first, then remove it from the code, the image (every layer, not only the last) and the history.`,
      defaultLevel: s.level,
      properties: {
        'security-severity': s.securitySeverity,
        tags: ['security', 'secret', ...(family ? [family] : [])],
        precision: 'high',
      },
    };
  });
}

function secretResult(f: RedactedFinding, fallbackUri: string): SarifResult {
  const inConfig = f.path.startsWith('config:');
  const removed =
    f.status && f.status !== 'present' && f.removedIn
      ? ` (${f.status} in layer ${f.removedIn.index + 1})`
      : '';
  return {
    ruleId: `${SECRET_PREFIX}${f.ruleId}`,
    level: severityToSarif(f.severity).level,
    message: `${f.title}: ${describeSecret(f)}${inConfig ? ` in the image ${f.path.slice('config:'.length)}` : ''}${removed}`,
    uri: inConfig ? fallbackUri : pathUri(f.path.replace(/^\/+/, '')) || fallbackUri,
    ...(inConfig
      ? {}
      : { region: { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn } }),
    fingerprint: `${f.secret.fingerprint}:${f.path}:${f.layer?.index ?? ''}`,
    properties: {
      secretLength: f.secret.length,
      ...(f.layer
        ? { layerIndex: f.layer.index, ...(f.layer.diffId ? { layerDiffId: f.layer.diffId } : {}) }
        : {}),
      ...(f.status ? { status: f.status } : {}),
      ...(f.removedIn ? { removedInLayer: f.removedIn.index } : {}),
    },
  };
}

const IMAGE_RULES_BY_ID = new Map(IMAGE_RULE_LIST.map((r) => [r.id, r]));

function configRules(items: readonly Misconfiguration[]): SarifRule[] {
  const ids = new Map<string, Misconfiguration>();
  for (const m of items) if (!ids.has(m.ruleId)) ids.set(m.ruleId, m);
  return [...ids.values()].map((m) => {
    const lint = RULES_BY_ID.get(m.ruleId);
    if (lint) return { ...lintSarifRule(lint), id: `${CONFIG_PREFIX}${m.ruleId}` };
    const image = IMAGE_RULES_BY_ID.get(m.ruleId);
    const s = severityToSarif(image?.severity ?? m.severity);
    return {
      id: `${CONFIG_PREFIX}${m.ruleId}`,
      shortDescription: image?.title ?? m.title,
      fullDescription: image?.rationale ?? m.title,
      ...(image ? { helpMarkdown: `${image.rationale}\n\n**Fix:** ${image.fix}` } : {}),
      defaultLevel: s.level,
      properties: {
        'security-severity': s.securitySeverity,
        tags: ['security', 'image-config'],
        precision: 'high',
      },
    };
  });
}

function configResult(m: Misconfiguration, fallbackUri: string): SarifResult {
  const base = {
    ruleId: `${CONFIG_PREFIX}${m.ruleId}`,
    level: severityToSarif(m.severity).level,
    properties: { severity: m.severity },
  };
  if (m.kind === 'dockerfile') {
    const r = m.range;
    return {
      ...base,
      message: m.message,
      uri: pathUri(m.path.replace(/\\/g, '/').replace(/^\/+/, '')) || fallbackUri,
      region: {
        startLine: r.start.line,
        startColumn: r.start.column,
        endLine: r.end.line,
        // SARIF regions are never empty: a zero-width range still covers one character.
        endColumn: Math.max(r.end.column, r.end.line === r.start.line ? r.start.column + 1 : 1),
      },
      fingerprint: m.fingerprint,
    };
  }
  const where = misconfigLocation(m);
  const inFile = m.location.kind === 'file';
  return {
    ...base,
    message: inFile ? m.message : `${m.message} (${where})`,
    uri: inFile ? pathUri(where.replace(/^\/+/, '')) || fallbackUri : fallbackUri,
    fingerprint: `${m.ruleId}:${where}`,
  };
}
