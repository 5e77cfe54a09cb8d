/**
 * The checks of `bulwark ci`, as a list: each maps one existing scanner's findings to {@link CiFinding}
 * with a stable fingerprint. Adding a check is one more entry in {@link CHECKS}.
 */
import { basename, isAbsolute, relative, resolve } from 'node:path';
import { loadConfig } from '../config/load.js';
import { scanTarget } from '../engine/scan.js';
import { lintConfigFrom } from '../lint/config.js';
import { loadDockerIgnoreFor } from '../lint/dockerignore.js';
import { lintDockerfile } from '../lint/engine.js';
import { isDockerfileName, readDockerfile } from '../lint/input.js';
import { imageLocationText } from '../lint/report.js';
import { defaultSecretDetector, defaultTextSecretDetector } from '../lint/secret-detector.js';
import type { Instruction } from '../lint/dockerfile/types.js';
import type { Finding as VulnFinding } from '../match/types.js';
import type { Misconfiguration } from '../extra-scanners/types.js';
import { resolveSecretsConfig } from '../secrets/config.js';
import { SecretEngine } from '../secrets/engine.js';
import { scanGit } from '../secrets/git.js';
import { describeSecret } from '../secrets/report.js';
import { scanPath } from '../secrets/scan-files.js';
import type { RedactedFinding } from '../secrets/types.js';
import { excludeMatcher, walkFolder } from '../source/fs/walk.js';
import { BulwarkError, oneLine } from '../util/errors.js';
import { pushAll } from '../util/arrays.js';
import { fingerprintOf, normaliseInstruction, numberRepeats } from './fingerprint.js';
import { imageFindingsKey, readImageFindings, writeImageFindings } from './image-cache.js';
import {
  CI_SEVERITIES,
  type CiCheck,
  type CiCheckContext,
  type CiFinding,
  type CiSeverity,
} from './types.js';
import { policyConfigFrom, policyContextFor } from '../engine/policy.js';
import { evaluatePolicies } from '../policy/rules/evaluate.js';

const plural = (n: number, word: string, many = `${word}s`): string => `${n} ${n === 1 ? word : many}`;

/** Messages that name a line (`… at line 12`) would change the fingerprint when lines move. */
function stableMessage(message: string): string {
  return message.replace(/\blines? \d+(?:[-–]\d+)?/g, 'line N');
}

/** Every Dockerfile of the repository (`.gitignore` honoured), relative paths, sorted. */
export function repositoryDockerfiles(
  root: string,
  onWarning: (m: string) => void,
  exclude?: readonly string[],
): string[] {
  const found: string[] = [];
  for (const e of walkFolder(root, exclude?.length ? { exclude } : {}, (p) =>
    onWarning(`${p.rel}: ${p.reason}`),
  ))
    if (e.stats.isFile() && isDockerfileName(basename(e.rel))) found.push(e.rel);
  return found.sort();
}

function instructionAt(instructions: readonly Instruction[], line: number): Instruction | undefined {
  return instructions.find((i) => i.range.start.line <= line && i.range.end.line >= line);
}

/** Lint of every Dockerfile in the repository (`bulwark lint`'s rules and `lint:` config). */
export const lintCheck: CiCheck = {
  name: 'lint',
  tool: 'bulwark-lint',
  description: 'Dockerfile rules over every Dockerfile of the repository',
  async run(ctx) {
    const files = repositoryDockerfiles(ctx.root, ctx.onWarning, ctx.exclude);
    if (files.length === 0) return { findings: [], scope: '', skipped: 'no Dockerfile in the repository' };
    const config = lintConfigFrom(loadConfig(ctx.root, ctx.configFile));
    const detectSecret = defaultSecretDetector();
    const detectSecretsInText = defaultTextSecretDetector();
    const findings: CiFinding[] = [];
    for (const rel of files) {
      const abs = resolve(ctx.root, rel);
      let text: string;
      try {
        text = readDockerfile(abs, rel);
      } catch (err) {
        if (!(err instanceof BulwarkError)) throw err;
        ctx.onWarning(oneLine(err));
        continue;
      }
      const result = lintDockerfile(text, {
        path: rel,
        config,
        dockerignore: loadDockerIgnoreFor(abs),
        detectSecret,
        detectSecretsInText,
      });
      const mapped = result.findings.map((f): CiFinding => {
        const instruction = instructionAt(result.file.instructions, f.range.start.line);
        const basis = instruction ? normaliseInstruction(`${instruction.keyword} ${instruction.text}`) : '';
        return {
          check: 'lint',
          kind: 'misconfiguration',
          ruleId: f.ruleId,
          title: f.title,
          severity: f.severity,
          message: f.message,
          path: rel,
          line: f.range.start.line,
          column: f.range.start.column,
          endLine: f.range.end.line,
          endColumn: f.range.end.column,
          fingerprint: fingerprintOf('lint', f.ruleId, rel, basis, stableMessage(f.message)),
          status: 'new',
        };
      });
      pushAll(findings, numberRepeats(mapped));
    }
    return { findings, scope: plural(files.length, 'Dockerfile') };
  },
};

function secretFinding(check: string, f: RedactedFinding, image?: string): CiFinding {
  const inConfig = f.path.startsWith('config:');
  return {
    check,
    kind: 'secret',
    ruleId: f.ruleId,
    title: f.title,
    severity: f.severity,
    message: `${f.title}: ${describeSecret(f)}`,
    path: f.path,
    ...(inConfig ? {} : { line: f.line, column: f.column, endLine: f.endLine, endColumn: f.endColumn }),
    ...(image !== undefined ? { image } : {}),
    ...(f.commit ? { commit: f.commit.id } : {}),
    fingerprint: fingerprintOf('secret', f.ruleId, f.path, f.secret.fingerprint),
    status: 'new',
  };
}

/** Secrets in the working tree and in the change's commits (`since..HEAD`), one finding per secret and file. */
export const secretsCheck: CiCheck = {
  name: 'secrets',
  tool: 'bulwark-secrets',
  description: "leaked credentials in the working tree and the change's commits",
  async run(ctx) {
    const loaded = loadConfig(ctx.root, ctx.configFile);
    const cfg = resolveSecretsConfig(loaded.data, loaded.path ?? '.bulwark.yaml');
    const engine = new SecretEngine({ rules: cfg.rules, allowRegexes: cfg.allowRegexes });
    const tree = await scanPath(ctx.root, {
      engine,
      skipPath: cfg.skipPath,
      ...(ctx.exclude?.length ? { exclude: ctx.exclude } : {}),
    });
    const excluded = excludeMatcher(ctx.exclude);
    // A file in history is left out as the walk leaves it out: the path or one of its folders matches.
    const skipHistoryPath = (rel: string): boolean => {
      if (cfg.skipPath(rel)) return true;
      if (!excluded) return false;
      if (excluded(rel, false)) return true;
      for (let i = rel.indexOf('/'); i > 0; i = rel.indexOf('/', i + 1))
        if (excluded(rel.slice(0, i), true)) return true;
      return false;
    };
    for (const p of tree.problems) ctx.onWarning(`${p.path}: ${p.reason}`);
    const byFingerprint = new Map<string, CiFinding>();
    for (const f of tree.findings) {
      const c = secretFinding('secrets', f);
      if (!byFingerprint.has(c.fingerprint)) byFingerprint.set(c.fingerprint, c);
    }
    let scope = `${plural(tree.stats.files, 'file')}`;
    if (ctx.since) {
      const history = await scanGit({
        engine,
        repo: ctx.root,
        since: ctx.since,
        skipPath: skipHistoryPath,
        skipCommit: cfg.skipCommit,
      });
      for (const p of history.problems) ctx.onWarning(`${p.path}: ${p.reason}`);
      // A secret still in the tree is one finding, with the commit that added it; one the change added
      // and removed again is a finding of its own: it is in the history, it must be rotated.
      for (const f of history.findings) {
        const c = secretFinding('secrets', f);
        const known = byFingerprint.get(c.fingerprint);
        if (!known) byFingerprint.set(c.fingerprint, c);
        else if (!known.commit && c.commit) byFingerprint.set(c.fingerprint, { ...known, commit: c.commit });
      }
      scope += ` and ${plural(new Set(history.findings.map((f) => f.commit?.id)).size, 'commit')} with findings since ${ctx.since.slice(0, 12)}`;
    }
    return { findings: [...byFingerprint.values()], scope };
  },
};

/** Bulwark's severity for a vulnerability: `negligible` and `unknown` rank with lint's `info`. */
function vulnSeverity(s: VulnFinding['severity']): CiSeverity {
  return s === 'negligible' || s === 'unknown' ? 'info' : s;
}

function vulnFinding(check: string, f: VulnFinding, root: string | undefined, image?: string): CiFinding {
  const where = f.package.locations[0]?.path ?? '';
  const path =
    root && isAbsolute(where) ? relative(root, where).split('\\').join('/') : where.replace(/^\/+/, '');
  const purlBase = f.package.purl.replace(/@[^?#]*/, '');
  return {
    check,
    kind: 'vulnerability',
    ruleId: f.vulnerabilityId,
    title: f.summary ?? f.vulnerabilityId,
    severity: vulnSeverity(f.severity),
    message: `${f.vulnerabilityId} in ${f.package.name} ${f.package.version}${f.fixedVersion ? ` (fixed in ${f.fixedVersion})` : ' (no fix yet)'}`,
    ...(path ? { path } : {}),
    ...(image !== undefined ? { image } : {}),
    package: { name: f.package.name, version: f.package.version, type: f.package.type, purl: f.package.purl },
    ...(f.fixedVersion ? { fixedVersion: f.fixedVersion } : {}),
    fingerprint: fingerprintOf('vuln', f.vulnerabilityId, f.package.type, purlBase || f.package.name, path),
    status: 'new',
  };
}

function imageMisconfiguration(m: Misconfiguration, image: string): CiFinding {
  if (m.kind === 'dockerfile') {
    return {
      check: 'image',
      kind: 'misconfiguration',
      ruleId: m.ruleId,
      title: m.title,
      severity: m.severity,
      message: m.message,
      path: m.path,
      line: m.range.start.line,
      image,
      fingerprint: fingerprintOf('lint', m.ruleId, m.path, m.fingerprint),
      status: 'new',
    };
  }
  const where = imageLocationText(m.location);
  return {
    check: 'image',
    kind: 'misconfiguration',
    ruleId: m.ruleId,
    title: m.title,
    severity: m.severity,
    message: `${m.message} (${where})`,
    ...(m.location.kind === 'file' ? { path: m.location.path.replace(/^\/+/, '') } : {}),
    image,
    fingerprint: fingerprintOf('image-check', m.ruleId, where, stableMessage(m.message)),
    status: 'new',
  };
}

function engineOptions(ctx: CiCheckContext) {
  return {
    cwd: ctx.cwd,
    env: ctx.env,
    ...(ctx.db !== undefined ? { db: ctx.db } : {}),
    ...(ctx.offline ? { offline: true } : {}),
    ...(ctx.configFile !== undefined ? { configFile: ctx.configFile } : {}),
    quiet: true,
    onWarning: ctx.onWarning,
  };
}

/** Known vulnerabilities of the lock files and installed packages of the source tree (`bulwark scan fs://.`). */
export const dependenciesCheck: CiCheck = {
  name: 'dependencies',
  tool: 'bulwark-dependencies',
  description: 'known vulnerabilities of the packages the lock files (and installed package folders) name',
  async run(ctx) {
    const { report } = await scanTarget(`fs://${ctx.root}`, {
      ...engineOptions(ctx),
      scanners: ['vuln'],
      ...(ctx.exclude?.length ? { exclude: [...ctx.exclude] } : {}),
    });
    const findings = report.findings
      .filter((f) => !f.suppressed)
      .map((f) => vulnFinding('dependencies', f, ctx.root));
    return {
      findings: numberRepeats(findings),
      scope: plural(report.sbom.packages.length, 'package'),
    };
  },
};

/** Each `--image`: vulnerabilities, secrets in every layer and the built-image checks, in one read. */
export const imageCheck: CiCheck = {
  name: 'image',
  tool: 'bulwark-image',
  description: 'vulnerabilities, secrets and configuration of each built image',
  async run(ctx) {
    if (ctx.images.length === 0)
      return { findings: [], scope: '', skipped: 'no image given (--image or ci.images)' };
    const findings: CiFinding[] = [];
    let packages = 0;
    const config = loadConfig(ctx.root, ctx.configFile).data;
    for (const image of ctx.images) {
      // An image seen before (same layers, rules and settings) needs only its vulnerabilities matched.
      const id = await imageFindingsKey(image, { cwd: ctx.cwd, env: ctx.env, config });
      const cached = id?.trusted ? readImageFindings(ctx.env, id.key) : undefined;
      const { report } = await scanTarget(image, {
        ...engineOptions(ctx),
        scanners: cached ? ['vuln'] : ['vuln', 'secret', 'config'],
      });
      const extra = cached ?? {
        secrets: report.secrets ?? [],
        misconfigurations: report.misconfigurations ?? [],
      };
      if (id !== undefined && !cached) writeImageFindings(ctx.env, id.key, extra);
      ctx.scanReports.push({ ...report, secrets: extra.secrets, misconfigurations: extra.misconfigurations });
      packages += report.sbom.packages.length;
      const mine: CiFinding[] = [
        ...report.findings.filter((f) => !f.suppressed).map((f) => vulnFinding('image', f, undefined, image)),
        ...extra.secrets.map((s) => secretFinding('image', s, image)),
        ...extra.misconfigurations.map((m) => imageMisconfiguration(m, image)),
      ];
      pushAll(findings, numberRepeats(mine));
    }
    return { findings, scope: `${plural(ctx.images.length, 'image')}, ${plural(packages, 'package')}` };
  },
};

/** A policy violation's severity on the CI scale: its own when it has one, else `high` (a gate failed). */
function policySeverity(severity: string | undefined): CiSeverity {
  if (severity === 'negligible' || severity === 'unknown') return 'info';
  return (CI_SEVERITIES as readonly string[]).includes(severity ?? '') ? (severity as CiSeverity) : 'high';
}

/** `lodash@4.17.4` → `lodash`, `@scope/pkg@1.0.0` → `@scope/pkg`: versions stay out of fingerprints. */
function packageName(p: string): string {
  const at = p.lastIndexOf('@');
  return at > 0 ? p.slice(0, at) : p;
}

/**
 * The policies of `.bulwark.yaml` (`policies:`, `approved:`; docs/policy.md) over each image's scan
 * report: one finding per violation of a failed policy. With --offline the registry look-ups
 * (attestations, the base image's tag) are not made and those policies stay unknown.
 */
export const policyCheck: CiCheck = {
  name: 'policy',
  tool: 'bulwark-policy',
  description: 'the configured policies over each built image',
  async run(ctx) {
    if (ctx.scanReports.length === 0)
      return {
        findings: [],
        scope: '',
        skipped: 'policies judge built images: no image was scanned',
      };
    const config = policyConfigFrom(loadConfig(ctx.root, ctx.configFile));
    const findings: CiFinding[] = [];
    let failed = 0;
    for (const report of ctx.scanReports) {
      const image = report.sbom.source.target;
      const context = await policyContextFor(report, config, {
        lookups: !ctx.offline,
        onWarning: ctx.onWarning,
      });
      const evaluation = evaluatePolicies(report, { ...context, target: image });
      const mine: CiFinding[] = [];
      for (const result of evaluation.results) {
        if (result.status !== 'fail') continue;
        failed++;
        for (const v of result.violations)
          mine.push({
            check: 'policy',
            kind: 'policy',
            ruleId: result.id,
            title: result.title,
            severity: policySeverity(v.severity),
            message: `${result.title}: ${v.message}`,
            ...(v.path !== undefined ? { path: v.path.replace(/^\/+/, '') } : {}),
            image,
            fingerprint: fingerprintOf(
              'policy',
              result.id,
              v.kind,
              v.id,
              v.package !== undefined ? packageName(v.package) : '',
              v.path ?? '',
            ),
            status: 'new',
          });
      }
      pushAll(findings, numberRepeats(mine));
    }
    return {
      findings,
      scope: `${plural(ctx.scanReports.length, 'image')}, ${plural(failed, 'failed policy', 'failed policies')}`,
    };
  },
};

/**
 * Every check, in the order they run and report; adding a check is one more entry. The policy check
 * comes after the image check, whose scan reports it evaluates.
 */
export const CHECKS: readonly CiCheck[] = [
  lintCheck,
  secretsCheck,
  dependenciesCheck,
  imageCheck,
  policyCheck,
];

export const CHECK_NAMES: readonly string[] = CHECKS.map((c) => c.name);
