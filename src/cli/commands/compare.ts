/**
 * `bulwark compare <a> <b>`: what changed between two targets (two image versions, an image and an
 * SBOM…) — packages added, removed and changed (by type and name), and vulnerabilities added and
 * removed (by vulnerability id and package).
 */
import { Option, type Command } from 'commander';
import type { Package } from '../../model/package.js';
import type { ScanReport } from '../../report/types.js';
import { sortKeysDeep } from '../../sbom/format/json.js';
import type { CliIO } from '../io.js';
import { emit } from '../output.js';
import {
  addDbOptions,
  addPolicyOptions,
  addTargetOptions,
  runScan,
  type DbFlags,
  type PolicyFlags,
  type TargetFlags,
} from './scan-common.js';
import { targetHelp } from './sbom.js';

export interface PackageChange {
  readonly type: string;
  readonly name: string;
  readonly before: readonly string[];
  readonly after: readonly string[];
}

export interface VulnChange {
  readonly vulnerabilityId: string;
  readonly severity: string;
  readonly package: string;
  readonly version: string;
  readonly type: string;
}

export interface Comparison {
  readonly base: string;
  readonly target: string;
  readonly packages: {
    readonly added: PackageChange[];
    readonly removed: PackageChange[];
    readonly changed: PackageChange[];
    readonly unchanged: PackageChange[];
  };
  readonly vulnerabilities: {
    readonly added: VulnChange[];
    readonly removed: VulnChange[];
    readonly unchanged: number;
  };
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function versionsByName(
  pkgs: readonly Package[],
): Map<string, { type: string; name: string; versions: Set<string> }> {
  const out = new Map<string, { type: string; name: string; versions: Set<string> }>();
  for (const p of pkgs) {
    const key = `${p.type}\u0000${p.name}`;
    let e = out.get(key);
    if (!e) out.set(key, (e = { type: p.type, name: p.name, versions: new Set() }));
    e.versions.add(p.version);
  }
  return out;
}

function vulnKeys(report: ScanReport): Map<string, VulnChange> {
  const out = new Map<string, VulnChange>();
  for (const f of report.findings) {
    if (f.suppressed) continue;
    const key = `${f.vulnerabilityId}\u0000${f.package.type}\u0000${f.package.name}`;
    if (!out.has(key))
      out.set(key, {
        vulnerabilityId: f.vulnerabilityId,
        severity: f.severity,
        package: f.package.name,
        version: f.package.version,
        type: f.package.type,
      });
  }
  return out;
}

const byPkg = (a: PackageChange, b: PackageChange): number => cmp(a.type, b.type) || cmp(a.name, b.name);
const byVuln = (a: VulnChange, b: VulnChange): number =>
  cmp(a.vulnerabilityId, b.vulnerabilityId) || cmp(a.type, b.type) || cmp(a.package, b.package);

/** Compare two scan reports (`a` is the base). */
export function compareReports(a: ScanReport, b: ScanReport): Comparison {
  const pa = versionsByName(a.sbom.packages);
  const pb = versionsByName(b.sbom.packages);
  const sorted = (s: Set<string>): string[] => [...s].sort(cmp);
  const added: PackageChange[] = [];
  const removed: PackageChange[] = [];
  const changed: PackageChange[] = [];
  const unchanged: PackageChange[] = [];
  for (const [k, e] of pb) {
    const before = pa.get(k);
    const change = {
      type: e.type,
      name: e.name,
      before: before ? sorted(before.versions) : [],
      after: sorted(e.versions),
    };
    if (!before) added.push(change);
    else if (change.before.join('\u0000') !== change.after.join('\u0000')) changed.push(change);
    else unchanged.push(change);
  }
  for (const [k, e] of pa)
    if (!pb.has(k)) removed.push({ type: e.type, name: e.name, before: sorted(e.versions), after: [] });
  const va = vulnKeys(a);
  const vb = vulnKeys(b);
  return {
    base: a.sbom.source.target,
    target: b.sbom.source.target,
    packages: {
      added: added.sort(byPkg),
      removed: removed.sort(byPkg),
      changed: changed.sort(byPkg),
      unchanged: unchanged.sort(byPkg),
    },
    vulnerabilities: {
      added: [...vb]
        .filter(([k]) => !va.has(k))
        .map(([, v]) => v)
        .sort(byVuln),
      removed: [...va]
        .filter(([k]) => !vb.has(k))
        .map(([, v]) => v)
        .sort(byVuln),
      unchanged: [...vb.keys()].filter((k) => va.has(k)).length,
    },
  };
}

export function renderComparison(c: Comparison, ignoreUnchanged: boolean): string {
  const lines = [`Comparing ${c.base} (base) with ${c.target}`, ''];
  const v = (list: readonly string[]): string => (list.length ? list.join(', ') : '-');
  const section = (title: string, rows: string[]): void => {
    lines.push(`${title} (${rows.length})`);
    for (const r of rows) lines.push(`  ${r}`);
    lines.push('');
  };
  section(
    'Packages added',
    c.packages.added.map((p) => `+ ${p.name} ${v(p.after)} (${p.type})`),
  );
  section(
    'Packages removed',
    c.packages.removed.map((p) => `- ${p.name} ${v(p.before)} (${p.type})`),
  );
  section(
    'Packages changed',
    c.packages.changed.map((p) => `~ ${p.name} ${v(p.before)} → ${v(p.after)} (${p.type})`),
  );
  if (!ignoreUnchanged)
    section(
      'Packages unchanged',
      c.packages.unchanged.map((p) => `  ${p.name} ${v(p.after)} (${p.type})`),
    );
  section(
    'Vulnerabilities added',
    c.vulnerabilities.added.map((x) => `+ ${x.vulnerabilityId} ${x.severity} in ${x.package} ${x.version}`),
  );
  section(
    'Vulnerabilities removed',
    c.vulnerabilities.removed.map((x) => `- ${x.vulnerabilityId} ${x.severity} in ${x.package} ${x.version}`),
  );
  if (!ignoreUnchanged) lines.push(`Vulnerabilities unchanged: ${c.vulnerabilities.unchanged}`);
  return `${lines.join('\n').trimEnd()}\n`;
}

export function registerCompare(program: Command, io: CliIO): void {
  const cmd = program
    .command('compare')
    .description(
      'compare two targets: packages added, removed and changed; vulnerabilities added and removed',
    )
    .argument('<base>', 'the earlier target (see Targets below; also sbom://FILE)')
    .argument('<target>', 'the later target')
    .addOption(
      new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'),
    )
    .option('-o, --output <file>', 'write the comparison to a file instead of stdout')
    .option('--ignore-unchanged', 'leave unchanged packages and vulnerabilities out');
  addPolicyOptions(addDbOptions(addTargetOptions(cmd)))
    .addHelpText('after', targetHelp('  sbom://FILE                Bulwark, CycloneDX or SPDX JSON SBOM'))
    .action(
      async (
        base: string,
        target: string,
        flags: TargetFlags &
          DbFlags &
          PolicyFlags & { format: string; output?: string; ignoreUnchanged?: boolean },
      ) => {
        const a = await runScan(base, flags, io);
        const b = await runScan(
          target,
          { ...flags, offline: true, db: a.report.database?.path ?? flags.db },
          io,
        );
        const c = compareReports(a.report, b.report);
        const ignore = flags.ignoreUnchanged === true;
        const text =
          flags.format === 'json'
            ? `${JSON.stringify(sortKeysDeep(ignore ? { ...c, packages: { ...c.packages, unchanged: [] } } : c), null, 2)}\n`
            : renderComparison(c, ignore);
        await emit(io, text, flags.output);
      },
    );
}
