/**
 * SARIF 2.1.0 uploads from other tools (CodeQL, Semgrep, ZAP, …) as findings of the register. Each run's
 * results become findings of package type `sarif`, one "package" per tool and category
 * (`pkg:sarif/<tool>[/<category>]`), so the register's lifecycle applies unchanged: a newer upload of
 * the same tool and category that no longer has a result marks it fixed, its return reopens it, and
 * triage and risk acceptances work as for vulnerabilities.
 *
 * A result's identity is its rule and a stable location fingerprint: the run's `fingerprints` or
 * `partialFingerprints` when the tool gives them (CodeQL's `primaryLocationLineHash`), else a hash of the
 * rule, the file and the normalised snippet (or, without a snippet, the start line and message) — so a
 * result keeps its identity, state and history when unrelated lines move.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { ReportFinding } from './register.js';

/** At most this many results per upload (a runaway tool should not fill the register). */
export const MAX_SARIF_RESULTS = 200_000;

const message = z.looseObject({ text: z.string().max(100_000).optional(), markdown: z.string().optional() });
const region = z.looseObject({
  startLine: z.number().int().optional(),
  startColumn: z.number().int().optional(),
  endLine: z.number().int().optional(),
  endColumn: z.number().int().optional(),
  snippet: z.looseObject({ text: z.string().max(100_000).optional() }).optional(),
});
const location = z.looseObject({
  physicalLocation: z
    .looseObject({
      artifactLocation: z.looseObject({ uri: z.string().max(4096).optional() }).optional(),
      region: region.optional(),
    })
    .optional(),
});
const level = z.enum(['none', 'note', 'warning', 'error']);
const rule = z.looseObject({
  id: z.string().min(1).max(1000),
  name: z.string().max(1000).optional(),
  shortDescription: message.optional(),
  defaultConfiguration: z.looseObject({ level: level.optional() }).optional(),
  properties: z.looseObject({ 'security-severity': z.union([z.string(), z.number()]).optional() }).optional(),
});
const result = z.looseObject({
  ruleId: z.string().min(1).max(1000).optional(),
  ruleIndex: z.number().int().min(0).optional(),
  rule: z.looseObject({ id: z.string().optional(), index: z.number().int().optional() }).optional(),
  level: level.optional(),
  message,
  locations: z.array(location).max(1000).optional(),
  fingerprints: z.record(z.string(), z.string()).optional(),
  partialFingerprints: z.record(z.string(), z.string()).optional(),
  baselineState: z.string().optional(),
  suppressions: z.array(z.looseObject({ kind: z.string().optional() })).optional(),
});
const run = z.looseObject({
  tool: z.looseObject({
    driver: z.looseObject({
      name: z.string().min(1).max(200),
      version: z.string().max(200).optional(),
      semanticVersion: z.string().max(200).optional(),
      rules: z.array(rule).max(100_000).optional(),
    }),
  }),
  automationDetails: z.looseObject({ id: z.string().max(1000).optional() }).optional(),
  versionControlProvenance: z
    .array(z.looseObject({ repositoryUri: z.string().max(2000).optional() }))
    .max(100)
    .optional(),
  results: z.array(result).max(MAX_SARIF_RESULTS).optional(),
});
/** The parts of SARIF 2.1.0 the register reads; everything else is accepted and ignored. */
export const sarifSchema = z.looseObject({
  version: z.literal('2.1.0', { error: 'expected SARIF version "2.1.0"' }),
  runs: z.array(run).min(1).max(100),
});
export type SarifLog = z.infer<typeof sarifSchema>;
type SarifRun = z.infer<typeof run>;
type SarifResult = z.infer<typeof result>;

/** One group of results replacing the previous upload of the same tool and category. */
export interface SarifGroup {
  readonly tool: string;
  readonly toolVersion?: string;
  readonly category: string;
  /** `pkg:sarif/<tool>[/<category>]`: the package of every finding of this group. */
  readonly purl: string;
  readonly repository?: string;
  readonly findings: ReportFinding[];
}

const slug = (s: string): string => encodeURIComponent(s.trim().toLowerCase());

/** `automationDetails.id` is `category/run-id` (GitHub's convention): the category is before the last `/`. */
function categoryOf(r: SarifRun): string {
  const id = r.automationDetails?.id ?? '';
  const i = id.lastIndexOf('/');
  return i > 0 ? id.slice(0, i) : '';
}

/** CVSS-like `security-severity` (CodeQL, GitHub) first, else the SARIF level. */
function severityOf(level: string | undefined, securitySeverity: number | undefined): string {
  if (securitySeverity !== undefined && Number.isFinite(securitySeverity)) {
    if (securitySeverity >= 9) return 'critical';
    if (securitySeverity >= 7) return 'high';
    if (securitySeverity >= 4) return 'medium';
    if (securitySeverity > 0) return 'low';
    return 'negligible';
  }
  switch (level ?? 'warning') {
    case 'error':
      return 'high';
    case 'warning':
      return 'medium';
    case 'note':
      return 'low';
    default:
      return 'negligible';
  }
}

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');
const normalise = (s: string): string => s.replace(/\s+/g, ' ').trim();

/** The stable location fingerprint of a result (see the module comment). */
export function resultFingerprint(ruleId: string, res: SarifResult): string {
  const given =
    res.fingerprints && Object.keys(res.fingerprints).length ? res.fingerprints : res.partialFingerprints;
  if (given && Object.keys(given).length) {
    const entries = Object.entries(given).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `fp:${sha(JSON.stringify(entries)).slice(0, 24)}`;
  }
  const loc = res.locations?.[0]?.physicalLocation;
  const uri = loc?.artifactLocation?.uri ?? '';
  const snippet = loc?.region?.snippet?.text;
  const what = snippet
    ? `snippet:${normalise(snippet)}`
    : `line:${loc?.region?.startLine ?? 0}:${normalise(res.message.text ?? '')}`;
  return `h:${sha(JSON.stringify([ruleId, uri, what])).slice(0, 24)}`;
}

/**
 * Validate and convert a SARIF log: results grouped by (tool, category) as register findings. Results
 * suppressed in the source (`suppressions`) or reported `absent` are left out. Throws the zod error of the
 * first problem, or an Error with a one-line message for results without a rule.
 */
export function sarifFindings(doc: unknown, categoryOverride?: string): SarifGroup[] {
  const log = sarifSchema.parse(doc);
  const groups = new Map<string, SarifGroup>();
  log.runs.forEach((r, runIndex) => {
    const tool = r.tool.driver.name.trim();
    const category = categoryOverride ?? categoryOf(r);
    const purl = `pkg:sarif/${slug(tool)}${category ? `/${slug(category)}` : ''}`;
    const key = purl;
    const repository = r.versionControlProvenance?.find((v) => v.repositoryUri)?.repositoryUri;
    const g: SarifGroup = groups.get(key) ?? {
      tool,
      ...(r.tool.driver.semanticVersion || r.tool.driver.version
        ? { toolVersion: r.tool.driver.semanticVersion ?? r.tool.driver.version }
        : {}),
      category,
      purl,
      ...(repository ? { repository } : {}),
      findings: [],
    };
    groups.set(key, g);
    const rules = r.tool.driver.rules ?? [];
    (r.results ?? []).forEach((res, i) => {
      const index = res.ruleIndex ?? res.rule?.index;
      const ruleId = res.ruleId ?? res.rule?.id ?? (index !== undefined ? rules[index]?.id : undefined);
      if (!ruleId) throw new Error(`runs[${runIndex}].results[${i}]: no ruleId (nor rule.id, nor ruleIndex)`);
      if (res.suppressions?.length || res.baselineState === 'absent') return;
      const def = rules.find((x) => x.id === ruleId) ?? (index !== undefined ? rules[index] : undefined);
      const sec = def?.properties?.['security-severity'];
      const secNum = sec === undefined ? undefined : Number(sec);
      const loc = res.locations?.[0]?.physicalLocation;
      const uri = loc?.artifactLocation?.uri ?? '';
      const line = loc?.region?.startLine;
      const text = res.message.text ?? def?.shortDescription?.text ?? ruleId;
      g.findings.push({
        vulnerabilityId: ruleId,
        aliases: [],
        severity: severityOf(res.level ?? def?.defaultConfiguration?.level, secNum),
        ...(secNum !== undefined && Number.isFinite(secNum) ? { cvss: { score: secNum } } : {}),
        summary: `${text.slice(0, 2000)}${uri ? ` (${uri}${line ? `:${line}` : ''})` : ''}`,
        package: {
          name: tool,
          version: g.toolVersion ?? '',
          type: 'sarif',
          purl: g.purl,
          // The location is the file plus the fingerprint: it is part of the finding's identity.
          locations: [{ path: `${uri}#${resultFingerprint(ruleId, res)}` }],
        },
      });
    });
  });
  return [...groups.values()];
}
