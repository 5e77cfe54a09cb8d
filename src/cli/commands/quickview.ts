/**
 * `bulwark quickview <target>` (alias `qv`): one screen — what was scanned, the OS, package counts,
 * vulnerabilities by severity with how many are fixable, how many packages were evaluated and which
 * were not (by cause), and the few upgrades that fix the most.
 */
import type { Command } from 'commander';
import { RATINGS } from '../../db/types.js';
import type { Finding } from '../../match/types.js';
import type { ScanReport } from '../../report/types.js';
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
import { compareVersions, schemeForEcosystem } from '../../version/index.js';
import { ratingOf } from '../../extra-scanners/types.js';
import type { Rating } from '../../db/types.js';
import { parseScanners } from './scan.js';
import { vulnerabilitiesScanned } from '../../report/scan/extras.js';
import { printable } from '../../sbom/format/table.js';
import { baseImageText, originLine } from '../../report/scan/base-split.js';

export interface Upgrade {
  readonly name: string;
  readonly type: string;
  readonly from: string;
  readonly to: string;
  /** Distinct vulnerabilities the upgrade fixes. */
  readonly fixes: number;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Upgrades that fix the most: per package (a Debian source package counts once for all its binaries),
 * the highest of the nearest fixed versions of its fixable, unsuppressed findings.
 */
export function topUpgrades(findings: readonly Finding[], limit = 5): Upgrade[] {
  const groups = new Map<
    string,
    { name: string; type: string; from: string; ecosystem: string; ids: Set<string>; to: string[] }
  >();
  for (const f of findings) {
    if (f.suppressed || f.fixState !== 'fixed' || !f.fixedVersion) continue;
    const m = f.matches[0]!;
    const name = m.searchedBy.name;
    const key = `${f.package.type}\u0000${name}\u0000${m.searchedBy.version}`;
    let g = groups.get(key);
    if (!g)
      groups.set(
        key,
        (g = {
          name,
          type: f.package.type,
          from: m.searchedBy.version,
          ecosystem: m.searchedBy.ecosystem,
          ids: new Set(),
          to: [],
        }),
      );
    g.ids.add(f.vulnerabilityId);
    g.to.push(f.fixedVersion);
  }
  const out: Upgrade[] = [];
  for (const g of groups.values()) {
    const scheme = schemeForEcosystem(g.ecosystem);
    const to = [...new Set(g.to)].sort((a, b) => {
      try {
        return scheme ? compareVersions(scheme, a, b) : cmp(a, b);
      } catch {
        return cmp(a, b);
      }
    });
    out.push({ name: g.name, type: g.type, from: g.from, to: to.at(-1)!, fixes: g.ids.size });
  }
  return out.sort((a, b) => b.fixes - a.fixes || cmp(a.name, b.name) || cmp(a.from, b.from)).slice(0, limit);
}

function subject(report: ScanReport): string[] {
  const s = report.sbom.source;
  if (s.kind === 'image') {
    const img = s.image;
    const p = img.platform;
    return [
      `Target     ${s.target}`,
      `Image      ${img.repoTags[0] ?? '(untagged)'}${img.manifestDigest ? `  ${img.manifestDigest.slice(0, 19)}…` : ''}  ${[p.os, p.architecture, p.variant].filter(Boolean).join('/')}`,
      `Layers     ${img.layers.length}`,
      ...(report.baseImage ? [`Base image ${printable(baseImageText(report.baseImage))}`] : []),
    ];
  }
  return [`Target     ${s.target}`];
}

/** The quickview screen as text. */
export function renderQuickview(report: ScanReport): string {
  const lines = subject(report);
  const d = report.sbom.distro;
  lines.push(`OS         ${d ? (d.prettyName ?? `${d.id} ${d.versionId ?? ''}`.trim()) : 'unknown'}`);
  const byType = new Map<string, number>();
  for (const p of report.sbom.packages) byType.set(p.type, (byType.get(p.type) ?? 0) + 1);
  const types = [...byType.entries()].sort(([a], [b]) => cmp(a, b)).map(([t, n]) => `${n} ${t}`);
  lines.push(`Packages   ${report.sbom.packages.length}${types.length ? ` (${types.join(', ')})` : ''}`);
  const active = report.findings.filter((f) => !f.suppressed);
  lines.push('');
  lines.push(
    vulnerabilitiesScanned(report)
      ? `Vulnerabilities  ${active.length}${report.findings.length > active.length ? ` (+${report.findings.length - active.length} suppressed)` : ''}`
      : 'Vulnerabilities  not scanned',
  );
  for (const r of [...RATINGS].reverse()) {
    const of = active.filter((f) => f.severity === r);
    if (of.length === 0) continue;
    const fixable = of.filter((f) => f.fixState === 'fixed').length;
    lines.push(`  ${r.padEnd(10)} ${String(of.length).padStart(5)}   ${fixable} fixable`);
  }
  const kev = active.filter((f) => f.kev).length;
  if (kev) lines.push(`  known exploited (KEV): ${kev}`);
  const byOrigin = vulnerabilitiesScanned(report) ? originLine(report) : undefined;
  if (byOrigin) lines.push(`  ${byOrigin}`);
  const owned = report.osOwned;
  if (owned && owned.packages > 0 && vulnerabilitiesScanned(report)) {
    const marked = active.filter((f) => f.ownedBy).length;
    lines.push(
      owned.included
        ? `  OS-owned (--include-os-owned): ${marked} of these concern language packages an OS package owns`
        : `  ${owned.packages} OS-owned language package${owned.packages === 1 ? '' : 's'} matched through their OS package (--include-os-owned)`,
    );
  }
  // Packages without a vulnerability result are counted next to the vulnerabilities, never hidden.
  const c = report.coverage;
  if (c) {
    lines.push(`  evaluated  ${String(c.evaluated).padStart(5)}   packages`);
    if (c.notEvaluated > 0) {
      lines.push(
        `Not evaluated    ${c.notEvaluated} package${c.notEvaluated === 1 ? '' : 's'} (no vulnerability result)`,
      );
      for (const g of c.groups) lines.push(`  ${String(g.packages).padStart(5)}  ${g.group}`);
    }
  }
  const ups = topUpgrades(active);
  if (ups.length) {
    lines.push('');
    lines.push('Top upgrades');
    for (const u of ups) lines.push(`  upgrade ${u.name} ${u.from} → ${u.to} fixes ${u.fixes}`);
  }
  lines.push(
    ...extraCounts('Secrets', report.secrets),
    ...extraCounts('Misconfigurations', report.misconfigurations),
  );
  // Image and package data are untrusted: no control character reaches the terminal.
  return `${lines.map(printable).join('\n')}\n`;
}

/** Counts by severity of a secret or config scanner's findings; nothing when that scanner did not run. */
function extraCounts(
  title: string,
  findings: readonly { severity: Parameters<typeof ratingOf>[0] }[] | undefined,
): string[] {
  if (!findings) return [];
  const lines = ['', `${title}  ${findings.length}`];
  const by = new Map<Rating, number>();
  for (const f of findings) by.set(ratingOf(f.severity), (by.get(ratingOf(f.severity)) ?? 0) + 1);
  for (const r of [...RATINGS].reverse()) {
    const n = by.get(r);
    if (n)
      lines.push(
        `  ${(r === 'negligible' && title === 'Misconfigurations' ? 'info' : r).padEnd(10)} ${String(n).padStart(5)}`,
      );
  }
  return lines;
}

export function registerQuickview(program: Command, io: CliIO): void {
  const cmd = program
    .command('quickview')
    .alias('qv')
    .description(
      'one-screen overview: image, OS, packages, vulnerabilities by severity and the upgrades that fix the most',
    )
    .argument('<target>', 'what to scan (see Targets below; also sbom://FILE)')
    .option('-o, --output <file>', 'write the overview to a file instead of stdout')
    .option(
      '--scanners <list>',
      'comma-separated scanners: vuln, secret, config (as for `bulwark scan`)',
      'vuln',
    );
  addPolicyOptions(addDbOptions(addTargetOptions(cmd)))
    .addHelpText('after', targetHelp('  sbom://FILE                Bulwark, CycloneDX or SPDX JSON SBOM'))
    .action(
      async (
        target: string,
        flags: TargetFlags & DbFlags & PolicyFlags & { output?: string; scanners: string },
      ) => {
        const { report } = await runScan(target, flags, io, { scanners: parseScanners(flags.scanners) });
        await emit(io, renderQuickview(report), flags.output);
      },
    );
}
