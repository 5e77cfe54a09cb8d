/**
 * `bulwark compare <a> <b>`: what changed between two targets (two image versions, an image and an
 * SBOM…) — packages added, removed and changed (by type and name), and vulnerabilities added and
 * removed (by vulnerability id and package). The comparison itself is the engine's.
 */
import { Option, type Command } from 'commander';
import { compareTargets, type Comparison } from '../../engine/compare.js';
import { sortKeysDeep } from '../../sbom/format/json.js';
import type { CliIO } from '../io.js';
import { emit } from '../output.js';
import { progress } from '../progress.js';
import {
  addDbOptions,
  addPolicyOptions,
  addTargetOptions,
  scanOptions,
  type DbFlags,
  type PolicyFlags,
  type TargetFlags,
} from './scan-common.js';
import { targetHelp } from './sbom.js';

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
        const bar = progress(io, 'reading', flags.quiet === true);
        let c: Comparison;
        try {
          ({ comparison: c } = await compareTargets(base, target, scanOptions(flags, io, bar)));
        } finally {
          bar.done();
        }
        const ignore = flags.ignoreUnchanged === true;
        const text =
          flags.format === 'json'
            ? `${JSON.stringify(sortKeysDeep(ignore ? { ...c, packages: { ...c.packages, unchanged: [] } } : c), null, 2)}\n`
            : renderComparison(c, ignore);
        await emit(io, text, flags.output);
      },
    );
}
