/**
 * What `scan`, `quickview` and `compare` share: their flags (database, target, policy) and how those
 * flags become engine options. The work itself — database preparation, reading the target through the
 * caches, the scan — is the engine's (src/engine/).
 */
import { Option, type Command } from 'commander';
import { scanTarget, type ScanOptions, type ScanRun } from '../../engine/scan.js';
import { SEVERITY_SOURCES, type SeveritySourceOption } from '../../match/severity.js';
import {
  parseMinEpss,
  parsePackageTypes,
  parseSeverityOption,
  type FindingFilters,
} from '../../policy/filters.js';
import type { ScannerName } from '../../extra-scanners/types.js';
import type { CliIO } from '../io.js';
import { progress, type Progress } from '../progress.js';
import { targetOptions, type TargetFlags } from './sbom.js';

export { addTargetOptions, type TargetFlags } from './sbom.js';

export interface DbFlags {
  db?: string;
  offline?: boolean;
}

export interface PolicyFlags {
  severity?: string[];
  onlyFixed?: boolean;
  ignoreUnfixed?: boolean;
  onlyUnfixed?: boolean;
  onlyPackageType?: string[];
  onlyKev?: boolean;
  minEpss?: string;
  package?: string[];
  severitySource?: string;
  config?: string;
  vex?: string[];
  includeOsOwned?: boolean;
}

export function addDbOptions(cmd: Command): Command {
  return cmd
    .option(
      '--db <path>',
      'vulnerability database file (default: $BULWARK_DB, else <cache dir>/db/bulwark.sqlite)',
    )
    .option(
      '--offline',
      'never download: use the database as it is (import one with `bulwark db import`); also BULWARK_OFFLINE=1 or `db: {offline: true}` in .bulwark.yaml',
    );
}

/** Repeatable option values: `--package a --package b,c` → [a, b,c] (split later). */
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function addPolicyOptions(cmd: Command): Command {
  return cmd
    .option(
      '--severity <list>',
      'show only these severities: one means "this or higher" (high), a comma list means exactly those',
      collect,
    )
    .option('--only-fixed', 'show only vulnerabilities with a fixed version')
    .option('--ignore-unfixed', 'same as --only-fixed')
    .option('--only-unfixed', 'show only vulnerabilities without a fixed version')
    .option(
      '--only-package-type <list>',
      'show only these package types, comma-separated (deb, npm, …; os, library)',
      collect,
    )
    .option('--only-kev', 'show only vulnerabilities in the CISA KEV catalog')
    .option(
      '--min-epss <probability>',
      'show only vulnerabilities with an EPSS score of at least this (0–1 or 5%)',
    )
    .option(
      '--package <names>',
      'show only these packages, comma-separated (name or source package name)',
      collect,
    )
    .addOption(
      new Option('--severity-source <source>', 'where severities come from (see docs/scan.md)')
        .choices([...SEVERITY_SOURCES])
        .default('auto'),
    )
    .option(
      '--config <file>',
      'config file with `ignore:` rules (and `secrets:` / `lint:` sections for those scanners; default: .bulwark.yaml in the current directory)',
    )
    .option(
      '--vex <files...>',
      'OpenVEX or CycloneDX VEX documents: not_affected/fixed statements suppress findings',
    )
    .option(
      '--include-os-owned',
      'also match language packages an OS package owns (e.g. Debian python3-*, node-*) by their own version; marked in the output (config: scan.includeOsOwned)',
    );
}

export function filtersFrom(flags: PolicyFlags): FindingFilters {
  return {
    ...(flags.severity?.length ? { severities: parseSeverityOption(flags.severity) } : {}),
    ...(flags.onlyFixed || flags.ignoreUnfixed ? { onlyFixed: true } : {}),
    ...(flags.onlyUnfixed ? { onlyUnfixed: true } : {}),
    ...(flags.onlyPackageType?.length ? { packageTypes: parsePackageTypes(flags.onlyPackageType) } : {}),
    ...(flags.onlyKev ? { onlyKev: true } : {}),
    ...(flags.minEpss !== undefined ? { minEpss: parseMinEpss(flags.minEpss) } : {}),
    ...(flags.package?.length
      ? {
          packages: flags.package
            .flatMap((p) => p.split(','))
            .map((p) => p.trim())
            .filter(Boolean),
        }
      : {}),
  };
}

/** Options of {@link runScan} beyond the flags. */
export interface ScanRunOptions {
  /** Apply ignore rules, VEX and filters (default true). */
  readonly applyPolicy?: boolean;
  /** Scanners to run (default: `vuln` only). Without `vuln` no database is opened. */
  readonly scanners?: readonly ScannerName[];
}

/** Engine options for a scan, from the flags; notices, warnings and progress go to stderr. */
export function scanOptions(
  flags: TargetFlags & DbFlags & PolicyFlags,
  io: CliIO,
  bar: Progress,
  options: ScanRunOptions = {},
): ScanOptions {
  const quiet = flags.quiet === true;
  const applyPolicy = options.applyPolicy ?? true;
  return {
    ...targetOptions(flags, io, bar),
    ...(flags.db !== undefined ? { db: flags.db } : {}),
    ...(flags.offline ? { offline: true } : {}),
    ...(options.scanners ? { scanners: options.scanners } : {}),
    applyPolicy,
    ...(applyPolicy ? { filters: filtersFrom(flags) } : {}),
    ...(flags.config !== undefined ? { configFile: flags.config } : {}),
    ...(flags.vex?.length ? { vexFiles: flags.vex } : {}),
    ...(flags.includeOsOwned ? { includeOsOwned: true } : {}),
    severitySource: (flags.severitySource ?? 'auto') as SeveritySourceOption,
    ...(quiet ? { quiet: true } : {}),
    updateOutput: io.stderr,
    onWarning: (m: string) => io.stderr.write(`bulwark: warning: ${m}\n`),
  };
}

/** Run the engine's scan with the flags: target → SBOM → findings → report. */
export async function runScan(
  target: string,
  flags: TargetFlags & DbFlags & PolicyFlags,
  io: CliIO,
  options: ScanRunOptions = {},
): Promise<ScanRun> {
  const bar = progress(io, 'reading', flags.quiet === true);
  try {
    return await scanTarget(target, scanOptions(flags, io, bar, options));
  } finally {
    bar.done();
  }
}
