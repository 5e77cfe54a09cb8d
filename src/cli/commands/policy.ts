/** `bulwark policy <target>`: every policy of `.bulwark.yaml` evaluated against an image (or a stored scan). */
import { Option, type Command } from 'commander';
import {
  evaluateReportPolicies,
  evaluateTargetPolicies,
  readScanReportFile,
  type PolicyRunOptions,
} from '../../engine/policy.js';
import type { SeveritySourceOption } from '../../match/severity.js';
import { SEVERITY_SOURCES } from '../../match/severity.js';
import {
  POLICY_FORMATS,
  renderPolicyJson,
  renderPolicySarif,
  renderPolicyTable,
  type PolicyFormat,
} from '../../report/policy/render.js';
import { renderScanReport } from '../../report/scan/index.js';
import type { PolicyEvaluation } from '../../report/policy-types.js';
import type { ScanReport } from '../../report/types.js';
import { UsageError } from '../../util/errors.js';
import { ExitWith } from '../exit.js';
import type { CliIO } from '../io.js';
import { emit } from '../output.js';
import { progress } from '../progress.js';
import { addDbOptions, addTargetOptions, type DbFlags, type TargetFlags } from './scan-common.js';
import { sourceOptions, targetHelp, targetOptions } from './sbom.js';

export interface PolicyCommonFlags extends TargetFlags, DbFlags {
  config?: string;
  vex?: string[];
  severitySource?: string;
  lookups?: boolean;
  catalogueFrom?: string;
  exitCode: string;
}

interface PolicyFlags extends PolicyCommonFlags {
  format: string;
  output?: string;
  report?: string;
  strict?: boolean;
  minGrade?: string;
}

export function parseExitCode(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n > 255)
    throw new UsageError(`--exit-code: "${text}" is not an exit code (0–255)`);
  return n;
}

/** Flags `policy` and `catalog verify` share beyond the target's. */
export function addPolicyCommonOptions(cmd: Command): Command {
  return addDbOptions(addTargetOptions(cmd))
    .option(
      '--config <file>',
      'configuration file (policies:, approved:, ignore:; default: .bulwark.yaml here)',
    )
    .option(
      '--vex <files...>',
      'OpenVEX or CycloneDX VEX documents: not_affected/fixed statements excuse findings',
    )
    .addOption(
      new Option('--severity-source <source>', 'where severities come from (see docs/scan.md)')
        .choices([...SEVERITY_SOURCES])
        .default('auto'),
    )
    .option(
      '--no-lookups',
      "do not ask registries for the image's attestations or where its base image's tag points now (those checks become unknown)",
    )
    .option(
      '--catalogue-from <url>',
      'use the approved catalogue of a Bulwark server (http(s)://HOST[:PORT]; token in BULWARK_TOKEN) instead of approved: in the config',
    )
    .option('--exit-code <n>', 'exit code when a policy (or profile point) fails', '1');
}

/** Engine options from the shared flags; warnings go to stderr. */
export async function policyRunOptions(
  flags: PolicyCommonFlags,
  io: CliIO,
  bar: ReturnType<typeof progress>,
): Promise<PolicyRunOptions> {
  const catalogue = flags.catalogueFrom
    ? await (await import('../server-catalogue.js')).fetchServerCatalogue(flags.catalogueFrom, io)
    : undefined;
  return {
    ...(catalogue ? { catalogue } : {}),
    ...targetOptions(flags, io, bar),
    ...(flags.db !== undefined ? { db: flags.db } : {}),
    ...(flags.offline ? { offline: true } : {}),
    ...(flags.config !== undefined ? { configFile: flags.config } : {}),
    ...(flags.vex?.length ? { vexFiles: flags.vex } : {}),
    severitySource: (flags.severitySource ?? 'auto') as SeveritySourceOption,
    lookups: flags.lookups !== false,
    ...(flags.quiet ? { quiet: true } : {}),
    updateOutput: io.stderr,
    onWarning: (m: string) => io.stderr.write(`bulwark: warning: ${m}\n`),
  };
}

function render(
  ev: PolicyEvaluation,
  report: ScanReport,
  format: PolicyFormat,
  io: CliIO,
  toFile: boolean,
): string {
  switch (format) {
    case 'json':
      return renderPolicyJson(ev);
    case 'sarif':
      return renderPolicySarif(ev);
    case 'html':
      return renderScanReport(report, 'html', { policy: ev, env: io.env });
    default:
      return renderPolicyTable(ev, { color: !toFile && io.stdout.isTTY === true && !io.env.NO_COLOR });
  }
}

export function registerPolicy(program: Command, io: CliIO): void {
  const cmd = program
    .command('policy')
    .description(
      'evaluate the policies of .bulwark.yaml against an image or a stored scan report: status of each, the findings that violate it, a health grade A–F',
    )
    .argument('[target]', 'the image (or folder) to scan and judge (see Targets below)')
    .addOption(
      new Option('-f, --format <format>', 'output format').choices([...POLICY_FORMATS]).default('table'),
    )
    .option('-o, --output <file>', 'write the result to a file instead of stdout')
    .option(
      '--report <file>',
      'judge a stored scan report (bulwark scan -f json) instead of scanning a target',
    )
    .option('--strict', 'a policy that could not be evaluated (unknown) fails too')
    .option(
      '--min-grade <grade>',
      'gate on the health grade instead: fail only when it is worse than this (A–F); failed policies alone then do not fail',
    );
  addPolicyCommonOptions(cmd)
    .addHelpText(
      'after',
      `${targetHelp()}

Policies (each configurable or off under policies: in .bulwark.yaml; docs/policy.md):
  fixable-critical-high      no fixable vulnerability at high or above published 30+ days ago
  kev                        no vulnerability in the CISA KEV catalog
  epss                       no vulnerability with an EPSS probability of 50% or more
  non-root-user              the image's default user is not root
  approved-base-image        the detected base image is in the approved: catalogue
  up-to-date-base-image      the base image's tag still points to the digest the image was built on
  copyleft-licenses          no package under AGPL (or the licences configured)
  no-secrets                 no secret in any layer (including deleted files) or the image config
  supply-chain-attestations  an SBOM and a provenance attestation attached (registry images)
  dockerfile-lint            no image configuration finding at high or above

Exceptions: ignore: entries in .bulwark.yaml (with a reason) excuse vulnerabilities, and — by licence id,
secret rule id or lint rule id — the other violations; VEX statements excuse vulnerabilities.

Health grade: 100 minus the weight of each failed policy (25: fixable-critical-high, kev, no-secrets;
15: epss, non-root-user; 10: approved-base-image, copyleft-licenses; 5: the others) minus 2 per unknown
policy. A: no failure and 90+; B: 80+; C: 65+; D: 50+; E: 30+; F: below.

Exit codes: 0 no policy failed, 1 (or --exit-code) a policy failed (with --strict: or was unknown;
with --min-grade: only when the grade is worse than that);
2 usage, 3 input, 4 database, 5 network, 70 internal error.

Examples:
  bulwark policy archive://image.tar
  bulwark policy registry://ghcr.io/acme/web:1.4 -f sarif -o policy.sarif
  bulwark policy --report scan.json -f json
  bulwark policy oci-dir://layout -f html -o report.html`,
    )
    .action(async (target: string | undefined, flags: PolicyFlags) => {
      const exitCode = parseExitCode(flags.exitCode);
      const minGrade = flags.minGrade?.trim().toUpperCase();
      if (minGrade !== undefined && !/^[A-F]$/.test(minGrade))
        throw new UsageError(`--min-grade: "${flags.minGrade}" is not a grade (A, B, C, D, E or F)`);
      const format = flags.format as PolicyFormat;
      if (!target && !flags.report)
        throw new UsageError('give a target, or --report FILE with a stored scan report');
      if (target && flags.report) throw new UsageError('give either a target or --report, not both');
      sourceOptions(flags, io);
      const bar = progress(io, 'reading', flags.quiet === true);
      let report: ScanReport;
      let evaluation: PolicyEvaluation;
      try {
        const options = await policyRunOptions(flags, io, bar);
        if (flags.report) {
          report = readScanReportFile(flags.report, io.cwd);
          evaluation = await evaluateReportPolicies(report, options);
        } else {
          ({ report, evaluation } = await evaluateTargetPolicies(target!, options));
        }
      } finally {
        bar.done();
      }
      await emit(io, render(evaluation, report, format, io, flags.output !== undefined), flags.output);
      // With --min-grade the grade is the gate (grades are letters in order: a later letter is worse);
      // otherwise any failed policy is.
      if (minGrade !== undefined) {
        if (evaluation.health.grade > minGrade) {
          io.stderr.write(
            `bulwark: health grade ${evaluation.health.grade} (score ${evaluation.health.score}) is worse than --min-grade ${minGrade}\n`,
          );
          throw new ExitWith(exitCode);
        }
        return;
      }
      const failed = evaluation.results.filter(
        (r) => r.status === 'fail' || (flags.strict && r.status === 'unknown'),
      );
      if (failed.length > 0) {
        io.stderr.write(
          `bulwark: ${failed.length} polic${failed.length === 1 ? 'y' : 'ies'} ${flags.strict ? 'failed or unknown' : 'failed'}: ${failed.map((r) => r.id).join(', ')} (health ${evaluation.health.grade})\n`,
        );
        throw new ExitWith(exitCode);
      }
    });
}
