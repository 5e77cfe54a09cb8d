/**
 * `bulwark ci` as a library call: detect the CI, find the change's commit range, run the checks,
 * mark each finding new or existing against the baseline, and decide the result. Writes nothing to
 * the terminal; warnings and progress go to callbacks.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { parseTarget } from '../engine/target.js';
import { loadConfig } from '../config/load.js';
import { resolveOffline } from '../config/offline.js';
import type { ScanReport } from '../report/types.js';
import { BulwarkError, ExitCode, UsageError, oneLine } from '../util/errors.js';
import { BULWARK_VERSION } from '../util/tool-version.js';
import { readCiBaseline } from './baseline.js';
import { CHECKS } from './checks.js';
import { DEFAULT_BASELINE_FILE, DEFAULT_FAIL_ON, ciConfigFrom, type CiConfig } from './config.js';
import { detectCi } from './env.js';
import { changeRange, gitRoot } from './git.js';
import {
  ciSeverityRank,
  type CiCheck,
  type CiCheckSummary,
  type CiFinding,
  type CiReport,
  type CiSeverity,
} from './types.js';

export interface CiRunOptions {
  /** The folder to check (default `cwd`); the enclosing git work tree's root is used when there is one. */
  readonly dir?: string;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** `--image`, added to `ci.images`. */
  readonly images?: readonly string[];
  /** `--exclude`, added to `ci.exclude`. */
  readonly exclude?: readonly string[];
  /** `--since REF`: the change's commits are `REF..HEAD` (else the CI's base ref). */
  readonly since?: string;
  /** `--baseline FILE` (relative to cwd); else the committed `ci.baseline` / `.bulwark-baseline.json`. */
  readonly baseline?: string;
  /** Do not read any baseline: every finding is new. */
  readonly noBaseline?: boolean;
  readonly configFile?: string;
  readonly checks?: readonly string[];
  readonly failOn?: CiSeverity;
  readonly db?: string;
  readonly offline?: boolean;
  /** The check list (default {@link CHECKS}); tests and the policy step extend it. */
  readonly available?: readonly CiCheck[];
  readonly onWarning?: (message: string) => void;
  /** Called when a check starts and ends. */
  readonly onCheck?: (name: string, summary?: CiCheckSummary) => void;
}

export interface CiRun {
  readonly report: CiReport;
  /** The `ci:` section, for the front end's outputs. */
  readonly config: CiConfig;
  /** The repository root the checks ran on. */
  readonly root: string;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** New first, then severity (highest first), check, path, line, rule, fingerprint. */
export function compareCiFindings(a: CiFinding, b: CiFinding): number {
  return (
    (a.status === b.status ? 0 : a.status === 'new' ? -1 : 1) ||
    ciSeverityRank(b.severity) - ciSeverityRank(a.severity) ||
    cmp(a.check, b.check) ||
    cmp(a.image ?? '', b.image ?? '') ||
    cmp(a.path ?? '', b.path ?? '') ||
    (a.line ?? 0) - (b.line ?? 0) ||
    cmp(a.ruleId, b.ruleId) ||
    cmp(a.fingerprint, b.fingerprint)
  );
}

/**
 * A `ci.images` entry names a path relative to the repository (the file it is written in); `--image`
 * and the checks resolve against the current folder, so when the two differ a relative archive, layout
 * or folder path is made absolute. Registry and daemon references are left as they are.
 */
export function repositoryRelative(text: string, root: string, cwd: string): string {
  if (resolve(root) === resolve(cwd)) return text;
  const t = parseTarget(text);
  if ((t.kind === 'archive' || t.kind === 'oci-dir') && t.rest && !isAbsolute(t.rest))
    return `${t.kind}://${resolve(root, t.rest)}`;
  if (t.kind === 'auto' && !isAbsolute(t.rest) && existsSync(resolve(root, t.rest.split(':')[0] ?? '')))
    return resolve(root, t.rest);
  return text;
}

export async function runCi(options: CiRunOptions): Promise<CiRun> {
  const onWarning = options.onWarning ?? (() => undefined);
  const dir = resolve(options.cwd, options.dir ?? '.');
  const root = gitRoot(dir) ?? dir;
  const configFile = options.configFile !== undefined ? resolve(options.cwd, options.configFile) : undefined;
  const loaded = loadConfig(root, configFile);
  // Every check reads the same file: the repository's, wherever bulwark ci was started.
  const checkConfig = loaded.path;
  const config = ciConfigFrom(loaded.data, loaded.path ?? '.bulwark.yaml');
  const available = options.available ?? CHECKS;
  const wanted = options.checks ?? config.checks;
  if (wanted) {
    for (const name of wanted)
      if (!available.some((c) => c.name === name))
        throw new UsageError(`unknown check "${name}" (use ${available.map((c) => c.name).join(', ')})`);
  }
  const checks = wanted ? available.filter((c) => wanted.includes(c.name)) : available;
  const failOn = options.failOn ?? config.failOn ?? DEFAULT_FAIL_ON;
  const ci = detectCi(options.env);
  const range = changeRange(root, { explicit: options.since, baseRef: ci.baseRef }, onWarning);

  // The baseline is read before the checks run: a missing --baseline file fails fast.
  let baseline: { source: string; fingerprints: Set<string> } | undefined;
  if (!options.noBaseline) {
    if (options.baseline !== undefined) {
      const path = resolve(options.cwd, options.baseline);
      baseline = { source: options.baseline, fingerprints: readCiBaseline(path) };
    } else {
      const committed = config.baseline ?? DEFAULT_BASELINE_FILE;
      const path = resolve(root, committed);
      if (existsSync(path)) baseline = { source: committed, fingerprints: readCiBaseline(path) };
    }
  }

  const images = [
    ...(config.images ?? []).map((t) => repositoryRelative(t, root, options.cwd)),
    ...(options.images ?? []),
  ];
  const exclude = [...(config.exclude ?? []), ...(options.exclude ?? [])];
  // --offline, BULWARK_OFFLINE or db.offline: no database download, and no registry look-ups by policies.
  const offline = resolveOffline(options.offline, options.env, loaded).offline;
  const findings: CiFinding[] = [];
  const scanReports: ScanReport[] = [];
  const summaries: CiCheckSummary[] = [];
  for (const check of checks) {
    options.onCheck?.(check.name);
    const t0 = performance.now();
    let summary: CiCheckSummary;
    try {
      const result = await check.run({
        root,
        cwd: options.cwd,
        images,
        ...(exclude.length ? { exclude } : {}),
        ...(range ? { since: range.since } : {}),
        ...(checkConfig !== undefined ? { configFile: checkConfig } : {}),
        ...(options.db !== undefined ? { db: resolve(options.cwd, options.db) } : {}),
        ...(offline ? { offline: true } : {}),
        env: options.env,
        onWarning,
        findings,
        scanReports,
      });
      const mine = result.findings.map((f) => ({
        ...f,
        status: baseline?.fingerprints.has(f.fingerprint) ? ('existing' as const) : ('new' as const),
      }));
      for (const f of mine) findings.push(f);
      const fresh = mine.filter((f) => f.status === 'new');
      const failing = fresh.some((f) => ciSeverityRank(f.severity) >= ciSeverityRank(failOn));
      summary = {
        name: check.name,
        tool: check.tool,
        status: result.skipped !== undefined ? 'skipped' : failing ? 'failed' : 'passed',
        scope: result.scope,
        ...(result.skipped !== undefined ? { detail: result.skipped } : {}),
        findings: mine.length,
        newFindings: fresh.length,
        ms: Math.round(performance.now() - t0),
      };
    } catch (err) {
      // One check that cannot run (no database offline, an unreadable image) does not hide the others.
      summary = {
        name: check.name,
        tool: check.tool,
        status: 'error',
        scope: '',
        detail: oneLine(err),
        errorExitCode: err instanceof BulwarkError ? err.exitCode : ExitCode.internal,
        findings: 0,
        newFindings: 0,
        ms: Math.round(performance.now() - t0),
      };
    }
    summaries.push(summary);
    options.onCheck?.(check.name, summary);
  }
  findings.sort(compareCiFindings);
  const result = summaries.some((s) => s.status === 'error')
    ? 'error'
    : summaries.some((s) => s.status === 'failed')
      ? 'failed'
      : 'passed';
  const report: CiReport = {
    schema: 'bulwark-ci/v1',
    tool: { name: 'bulwark', version: BULWARK_VERSION },
    ci,
    ...(range ? { range } : {}),
    ...(baseline ? { baseline: { source: baseline.source, findings: baseline.fingerprints.size } } : {}),
    failOn,
    checks: summaries,
    findings,
    result,
  };
  return { report, config, root };
}

/** True when a new finding is at or above the report's threshold. */
export function isFailing(f: CiFinding, failOn: CiSeverity): boolean {
  return f.status === 'new' && ciSeverityRank(f.severity) >= ciSeverityRank(failOn);
}
