/**
 * The policy engine: a scan report (fresh or stored) and what is known about the image beyond it
 * (attestations, where its base image's tag points now, the approved catalogue, the register's risk
 * acceptances) in; every policy's status with the findings that violate it, and a health grade, out.
 * Pure: no I/O, the clock is `context.now` — the CLI (`bulwark policy`), `bulwark ci` and the server all
 * call this one function.
 */
import type { Finding } from '../../match/types.js';
import {
  POLICY_IDS,
  type Health,
  type HealthGrade,
  type PolicyEvaluation,
  type PolicyException,
  type PolicyId,
  type PolicyResult,
  type PolicyStatus,
  type PolicyViolation,
} from '../../report/policy-types.js';
import type { ScanReport } from '../../report/types.js';
import { ratingOf, ratingRank } from '../../extra-scanners/types.js';
import type { Rating } from '../../db/types.js';
import type { Package } from '../../model/package.js';
import { expiryInstant, type IgnoreRule } from '../config.js';
import { purlMatches } from '../purl-pattern.js';
import picomatch from 'picomatch';
import { checkApproval, type ApprovedCatalogue } from '../approved/catalogue.js';
import { DEFAULT_POLICY_SETTINGS, type PolicySettings } from './config.js';

/** Attestations attached to the image, as found in its registry (see source/registry/attestations.ts). */
export type { AttestationFacts } from '../../source/registry/attestations.js';
import type { AttestationFacts } from '../../source/registry/attestations.js';

/** Where the base image's tag points now (a registry HEAD), for `up-to-date-base-image`. */
export interface BaseImageLookup {
  /** The reference looked up (`docker.io/library/debian:12-slim`). */
  readonly reference: string;
  /** The digest the tag points to now, and the platform manifests of that index (when it is one). */
  readonly digests?: readonly string[];
  /** Why it could not be looked up (network, not found, no tag): the policy is then `unknown`. */
  readonly error?: string;
}

/** A risk acceptance from the server's register: excuses a vulnerability (in one package, or anywhere). */
export interface RegisterException {
  readonly vulnerabilityId: string;
  /** Package name; absent: every package. */
  readonly package?: string;
  readonly reason: string;
  /** E.g. `register: acceptance 12`. */
  readonly source: string;
}

/** Everything the engine knows beyond the report. Absent facts make the policies needing them `unknown`. */
export interface PolicyContext {
  /** Policy settings (default: {@link DEFAULT_POLICY_SETTINGS}). */
  readonly settings?: PolicySettings;
  /** The approved catalogue (`approved:`); absent: `approved-base-image` is unknown. */
  readonly catalogue?: ApprovedCatalogue;
  /**
   * `.bulwark.yaml` ignore rules, for the policies about other things than vulnerabilities (a licence id,
   * a secret or lint rule id, narrowed by `package`/`paths`). Vulnerability findings already carry their
   * suppression from the scan.
   */
  readonly ignoreRules?: readonly IgnoreRule[];
  /** Risk acceptances from the register (server). */
  readonly exceptions?: readonly RegisterException[];
  readonly attestations?: AttestationFacts;
  readonly baseImageLookup?: BaseImageLookup;
  /** The target's name for the result (default: the report's source target). */
  readonly target?: string;
  /** The clock (default now). */
  readonly now?: Date;
}

const TITLES: Readonly<Record<PolicyId, string>> = {
  'fixable-critical-high': 'No fixable critical or high vulnerabilities',
  kev: 'No known exploited vulnerabilities (CISA KEV)',
  epss: 'No vulnerabilities likely to be exploited (EPSS)',
  'non-root-user': 'Default user is not root',
  'approved-base-image': 'Base image is approved',
  'up-to-date-base-image': 'Base image is up to date',
  'copyleft-licenses': 'No copyleft licences',
  'no-secrets': 'No secrets in any layer',
  'supply-chain-attestations': 'Supply-chain attestations attached',
  'dockerfile-lint': 'Image configuration checks clean',
};

/** Points a failed policy costs the health score (docs/policy.md#health-grade). */
export const POLICY_WEIGHTS: Readonly<Record<PolicyId, number>> = {
  'fixable-critical-high': 25,
  kev: 25,
  'no-secrets': 25,
  epss: 15,
  'non-root-user': 15,
  'approved-base-image': 10,
  'copyleft-licenses': 10,
  'up-to-date-base-image': 5,
  'supply-chain-attestations': 5,
  'dockerfile-lint': 5,
};
/** Points an enabled policy that could not be evaluated costs. */
export const UNKNOWN_WEIGHT = 2;

const DAY_MS = 86_400_000;
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function byViolation(a: PolicyViolation, b: PolicyViolation): number {
  return (
    cmp(a.id, b.id) ||
    cmp(a.package ?? '', b.package ?? '') ||
    cmp(a.path ?? '', b.path ?? '') ||
    (a.layer ?? -1) - (b.layer ?? -1) ||
    cmp(a.message, b.message)
  );
}
function byException(a: PolicyException, b: PolicyException): number {
  return cmp(a.id, b.id) || cmp(a.package ?? '', b.package ?? '') || cmp(a.source, b.source);
}

const atLeast = (s: Rating, min: Rating): boolean => ratingRank(s) >= ratingRank(min);
const pkgLabel = (p: Package): string => `${p.name}@${p.version}`;

interface Outcome {
  status: Exclude<PolicyStatus, 'disabled'>;
  summary: string;
  violations?: PolicyViolation[];
  exceptions?: PolicyException[];
}

/** Is a root user: unset, `root`, uid 0 (with or without a group). */
export function isRootUser(user: string | undefined): boolean {
  const name = (user ?? '').trim().split(':')[0]!;
  return name === '' || name === 'root' || name === '0';
}

class Evaluator {
  private readonly s: PolicySettings;
  private readonly now: number;
  private readonly activeRules: readonly IgnoreRule[];

  constructor(
    private readonly report: ScanReport,
    private readonly ctx: PolicyContext,
  ) {
    this.s = ctx.settings ?? DEFAULT_POLICY_SETTINGS;
    this.now = (ctx.now ?? new Date()).getTime();
    this.activeRules = (ctx.ignoreRules ?? []).filter((r) => {
      const until = r.expires ? expiryInstant(r.expires) : undefined;
      return until === undefined || this.now < until;
    });
  }

  /** The register acceptance excusing a finding, if any. */
  private registerException(f: Finding): RegisterException | undefined {
    const ids = new Set([f.vulnerabilityId, ...f.aliases].map((x) => x.toUpperCase()));
    return this.ctx.exceptions?.find(
      (e) =>
        ids.has(e.vulnerabilityId.toUpperCase()) &&
        (e.package === undefined || e.package === f.package.name || e.package === f.package.purl),
    );
  }

  /** The findings matching `violates`, split into violations and excused ones. */
  private findings(
    violates: (f: Finding) => boolean,
    message: (f: Finding) => string,
  ): Pick<Outcome, 'violations' | 'exceptions'> {
    const violations: PolicyViolation[] = [];
    const exceptions: PolicyException[] = [];
    for (const f of this.report.findings) {
      if (!violates(f)) continue;
      const reg = f.suppressed ? undefined : this.registerException(f);
      const excuse = f.suppressed ?? reg;
      if (excuse) {
        exceptions.push({
          id: f.vulnerabilityId,
          package: pkgLabel(f.package),
          source: excuse.source,
          reason: excuse.reason,
        });
        continue;
      }
      violations.push({
        kind: 'vulnerability',
        id: f.vulnerabilityId,
        message: message(f),
        severity: f.severity,
        package: pkgLabel(f.package),
        ...(f.package.layer ? { layer: f.package.layer.index } : {}),
      });
    }
    return { violations, exceptions };
  }

  /** The `.bulwark.yaml` ignore rule excusing a non-vulnerability violation (by id, package, path). */
  private ignoreRule(id: string, purl?: string, path?: string): IgnoreRule | undefined {
    return this.activeRules.find((r) => {
      if (r.id.toUpperCase() !== id.toUpperCase()) return false;
      if (r.package && !(purl && purlMatches(r.package, purl))) return false;
      if (r.paths) {
        if (!path) return false;
        const m = picomatch(r.paths as string[], { dot: true });
        if (!m(path) && !m(path.replace(/^\//, ''))) return false;
      }
      return true;
    });
  }

  private counted(
    kind: string,
    violations: readonly PolicyViolation[],
    exceptions: readonly PolicyException[],
    rule: string,
  ): Outcome {
    const excused = exceptions.length ? `; ${exceptions.length} excused by an exception` : '';
    if (violations.length === 0)
      return {
        status: 'pass',
        summary: `no ${kind} ${rule}${excused}`,
        violations: [],
        exceptions: [...exceptions],
      };
    return {
      status: 'fail',
      summary: `${violations.length} ${violations.length === 1 ? singular(kind) : kind} ${rule}${excused}`,
      violations: [...violations],
      exceptions: [...exceptions],
    };
  }

  private matchingRan(): boolean {
    // Reports of `--scanners secret,config` carry no vulnerability matching: nothing to judge.
    return this.report.coverage !== undefined || this.report.database !== undefined;
  }

  'fixable-critical-high'(): Outcome {
    if (!this.matchingRan()) return { status: 'unknown', summary: 'vulnerabilities were not scanned' };
    const min = this.s.fixableSeverity;
    const age = this.s.fixableAgeDays;
    const r = this.findings(
      (f) => {
        if (f.fixState !== 'fixed' || !atLeast(f.severity, min)) return false;
        // Unknown publication date: counted, since its age cannot show it is recent.
        const published = f.published ? Date.parse(f.published) : NaN;
        return Number.isNaN(published) || this.now - published >= age * DAY_MS;
      },
      (f) =>
        `${f.severity}, fixed in ${f.fixedVersion ?? '?'}${f.published ? `, published ${f.published.slice(0, 10)}` : ''}`,
    );
    return this.counted(
      'vulnerabilities',
      r.violations!,
      r.exceptions!,
      `fixable at ${min} or above${age ? ` published ${age}+ days ago` : ''}`,
    );
  }

  kev(): Outcome {
    if (!this.matchingRan()) return { status: 'unknown', summary: 'vulnerabilities were not scanned' };
    const r = this.findings(
      (f) => f.kev !== undefined,
      (f) => `in CISA KEV since ${f.kev!.dateAdded}${f.kev!.ransomware ? ', used by ransomware' : ''}`,
    );
    return this.counted('vulnerabilities', r.violations!, r.exceptions!, 'in the CISA KEV catalog');
  }

  epss(): Outcome {
    if (!this.matchingRan()) return { status: 'unknown', summary: 'vulnerabilities were not scanned' };
    const t = this.s.epssThreshold;
    const r = this.findings(
      (f) => f.epss !== undefined && f.epss.score >= t,
      (f) => `EPSS ${(f.epss!.score * 100).toFixed(1)}% (${f.epss!.date})`,
    );
    return this.counted(
      'vulnerabilities',
      r.violations!,
      r.exceptions!,
      `with EPSS at or above ${(t * 100).toFixed(1).replace(/\.0$/, '')}%`,
    );
  }

  'non-root-user'(): Outcome {
    const src = this.report.sbom.source;
    if (src.kind !== 'image') return { status: 'unknown', summary: 'not an image (no default user)' };
    const user = src.image.config.user;
    if (!isRootUser(user)) return { status: 'pass', summary: `default user "${user}"` };
    const shown = user?.trim() ? `"${user}"` : 'unset (root)';
    return {
      status: 'fail',
      summary: `default user is ${shown}`,
      violations: [
        { kind: 'image', id: 'user', message: `the image runs as ${shown}: set USER to a non-root user` },
      ],
    };
  }

  'approved-base-image'(): Outcome {
    const base = this.report.baseImage;
    if (!this.ctx.catalogue)
      return { status: 'unknown', summary: 'no approved catalogue configured (approved: in .bulwark.yaml)' };
    if (!base?.name) return { status: 'unknown', summary: 'no base image detected' };
    const result = checkApproval(this.ctx.catalogue, base.name, base.digest);
    if (result.approved) return { status: 'pass', summary: `${base.name}: ${result.reason}` };
    return {
      status: 'fail',
      summary: `${base.name} is not approved`,
      violations: [
        {
          kind: 'base-image',
          id: base.name,
          message: result.reason,
          ...(base.layers ? { layer: base.layers - 1 } : {}),
        },
      ],
    };
  }

  'up-to-date-base-image'(): Outcome {
    const base = this.report.baseImage;
    if (!base?.name) return { status: 'unknown', summary: 'no base image detected' };
    if (!base.digest)
      return { status: 'unknown', summary: `${base.name}: the base image's digest is not known` };
    const lookup = this.ctx.baseImageLookup;
    if (!lookup) return { status: 'unknown', summary: `${base.name}: its registry was not asked` };
    if (lookup.error || !lookup.digests?.length)
      return { status: 'unknown', summary: `${lookup.reference}: ${lookup.error ?? 'no digest'}` };
    if (lookup.digests.includes(base.digest))
      return { status: 'pass', summary: `${lookup.reference} still points to ${base.digest}` };
    return {
      status: 'fail',
      summary: `${lookup.reference} now points to a newer image`,
      violations: [
        {
          kind: 'base-image',
          id: lookup.reference,
          message: `built on ${base.digest}; the tag now points to ${lookup.digests[0]}: rebuild on the refreshed base`,
        },
      ],
    };
  }

  'copyleft-licenses'(): Outcome {
    const banned = new Set(this.s.copyleftLicenses.map((l) => l.toUpperCase()));
    const violations: PolicyViolation[] = [];
    const exceptions: PolicyException[] = [];
    for (const p of this.report.sbom.packages) {
      const hits = p.licenses.flatMap((expr) => copyleftIn(expr, banned));
      for (const lic of [...new Set(hits)].sort()) {
        const rule = this.ignoreRule(lic, p.purl, p.locations[0]?.path);
        if (rule) {
          exceptions.push({ id: lic, package: pkgLabel(p), source: rule.source, reason: rule.reason });
          continue;
        }
        violations.push({
          kind: 'package',
          id: lic,
          message: `${p.type} package licensed ${p.licenses.join(', ')}`,
          package: pkgLabel(p),
          ...(p.locations[0] ? { path: p.locations[0].path } : {}),
          ...(p.layer ? { layer: p.layer.index } : {}),
        });
      }
    }
    return this.counted(
      'packages',
      violations,
      exceptions,
      `under ${[...this.s.copyleftLicenses].join(', ')}`,
    );
  }

  'no-secrets'(): Outcome {
    const secrets = this.report.secrets;
    if (!secrets) return { status: 'unknown', summary: 'secrets were not scanned (secret scanner)' };
    const violations: PolicyViolation[] = [];
    const exceptions: PolicyException[] = [];
    for (const s of secrets) {
      if (!atLeast(ratingOf(s.severity), this.s.secretSeverity)) continue;
      const rule = this.ignoreRule(s.ruleId, undefined, s.path);
      if (rule) {
        exceptions.push({ id: s.ruleId, source: rule.source, reason: rule.reason });
        continue;
      }
      violations.push({
        kind: 'secret',
        id: s.ruleId,
        message: `${s.title} (line ${s.line}${s.status && s.status !== 'present' ? `, ${s.status} in a later layer` : ''})`,
        severity: s.severity,
        path: s.path,
        ...(s.layer ? { layer: s.layer.index } : {}),
      });
    }
    return this.counted('secrets', violations, exceptions, `at ${this.s.secretSeverity} or above`);
  }

  'supply-chain-attestations'(): Outcome {
    const a = this.ctx.attestations;
    if (!a) return { status: 'unknown', summary: 'attestations were not looked up (registry images only)' };
    const missing = this.s.requiredAttestations.filter((k) => !a[k]);
    if (missing.length === 0)
      return { status: 'pass', summary: `${this.s.requiredAttestations.join(' and ')} attached` };
    return {
      status: 'fail',
      summary: `missing: ${missing.join(', ')}`,
      violations: missing.map((k) => ({
        kind: 'image' as const,
        id: `${k}-attestation`,
        message: `no ${k === 'sbom' ? 'SBOM' : 'provenance'} attestation attached (OCI referrers, buildx attestation manifest or cosign tag)`,
      })),
    };
  }

  'dockerfile-lint'(): Outcome {
    const found = this.report.misconfigurations;
    if (!found) return { status: 'unknown', summary: 'configuration checks did not run (config scanner)' };
    const violations: PolicyViolation[] = [];
    const exceptions: PolicyException[] = [];
    for (const m of found) {
      if (!atLeast(ratingOf(m.severity), this.s.lintSeverity)) continue;
      const loc = m.kind === 'image' ? m.location : undefined;
      const path =
        m.kind === 'dockerfile'
          ? m.path
          : loc?.kind === 'file'
            ? loc.path
            : loc?.kind === 'config'
              ? `config:${loc.field}${loc.key ? `/${loc.key}` : ''}`
              : loc?.kind === 'history'
                ? `history[${loc.index}]`
                : undefined;
      const rule = this.ignoreRule(m.ruleId, undefined, path);
      if (rule) {
        exceptions.push({ id: m.ruleId, source: rule.source, reason: rule.reason });
        continue;
      }
      violations.push({
        kind: 'misconfiguration',
        id: m.ruleId,
        message: m.message,
        severity: m.severity,
        ...(path ? { path } : {}),
      });
    }
    return this.counted('findings', violations, exceptions, `at ${this.s.lintSeverity} or above`);
  }
}

/** `vulnerabilities` → `vulnerability`, `secrets` → `secret`. */
function singular(plural: string): string {
  return plural.endsWith('ies') ? `${plural.slice(0, -3)}y` : plural.replace(/s$/, '');
}

/**
 * Licence ids of `banned` an SPDX expression requires. `A OR B` is a choice: it violates only when
 * every alternative does.
 */
export function copyleftIn(expression: string, banned: ReadonlySet<string>): string[] {
  const alternatives = expression.split(/\s+OR\s+/i);
  const per = alternatives.map((alt) =>
    alt
      .split(/[\s()]+|\bAND\b|\bWITH\b/i)
      .map((t) => t.trim().replace(/\+$/, ''))
      .filter((t) => t && banned.has(t.toUpperCase())),
  );
  return per.every((ids) => ids.length > 0) ? per.flat() : [];
}

/** Score and grade from the results (docs/policy.md#health-grade). */
export function healthOf(results: readonly PolicyResult[]): Health {
  let score = 100;
  let failed = false;
  for (const r of results) {
    if (r.status === 'fail') {
      score -= POLICY_WEIGHTS[r.id];
      failed = true;
    } else if (r.status === 'unknown') score -= UNKNOWN_WEIGHT;
  }
  score = Math.max(0, score);
  const grade: HealthGrade =
    !failed && score >= 90
      ? 'A'
      : score >= 80
        ? 'B'
        : score >= 65
          ? 'C'
          : score >= 50
            ? 'D'
            : score >= 30
              ? 'E'
              : 'F';
  return { grade, score };
}

/** Evaluate every policy against a scan report (see {@link PolicyContext} for what else it uses). */
export function evaluatePolicies(report: ScanReport, context: PolicyContext = {}): PolicyEvaluation {
  const settings = context.settings ?? DEFAULT_POLICY_SETTINGS;
  const ev = new Evaluator(report, context);
  const results: PolicyResult[] = POLICY_IDS.map((id) => {
    if (!settings.enabled[id])
      return {
        id,
        title: TITLES[id],
        status: 'disabled',
        summary: 'disabled in the configuration',
        violations: [],
        exceptions: [],
      };
    const o = ev[id]();
    return {
      id,
      title: TITLES[id],
      status: o.status,
      summary: o.summary,
      violations: [...(o.violations ?? [])].sort(byViolation),
      exceptions: [...(o.exceptions ?? [])].sort(byException),
    };
  });
  const counts = { pass: 0, fail: 0, unknown: 0, disabled: 0 };
  for (const r of results) counts[r.status]++;
  const src = report.sbom.source;
  const image =
    src.kind === 'image'
      ? {
          ...(src.image.repoTags[0] ? { name: src.image.repoTags[0] } : {}),
          ...(src.image.manifestDigest ? { digest: src.image.manifestDigest } : {}),
        }
      : undefined;
  return {
    schema: 'bulwark-policy/v1',
    target: context.target ?? src.target,
    ...(image ? { image } : {}),
    evaluatedAt: new Date(context.now ?? Date.now()).toISOString(),
    results,
    health: healthOf(results),
    passed: counts.fail === 0,
    counts,
  };
}
