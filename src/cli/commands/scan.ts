/** `bulwark scan <target>` (alias `cves`): known vulnerabilities in an image, folder or SBOM. */
import { Option, type Command } from 'commander';
import { parseFailOn } from '../../policy/filters.js';
import { failingCounts } from '../../policy/scanners.js';
import { SCANNERS, type ScannerName } from '../../extra-scanners/types.js';
import { UsageError } from '../../util/errors.js';
import type { CliIO } from '../io.js';
import { ExitWith } from '../exit.js';
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
import { SCAN_FORMATS, isScanFormat, renderScanReport } from '../../report/scan/index.js';
import { notEvaluatedCauses } from '../../report/scan/common.js';
import { printable } from '../../sbom/format/table.js';
import { sourceOptions, targetHelp } from './sbom.js';

export { SCANNERS } from '../../extra-scanners/types.js';

interface ScanFlags extends TargetFlags, DbFlags, PolicyFlags {
  format: string;
  output?: string;
  scanners: string;
  showSuppressed?: boolean;
  locations?: boolean;
  failOn?: string;
  failOnNotEvaluated?: boolean;
  exitCode: string;
  push?: string;
  server?: string;
}

export function parseScanners(text: string): ScannerName[] {
  const list = text
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  for (const s of list) {
    if (!(SCANNERS as readonly string[]).includes(s))
      throw new UsageError(`--scanners: unknown scanner "${s}" (use ${SCANNERS.join(', ')})`);
  }
  if (list.length === 0) throw new UsageError('--scanners: name at least one scanner');
  return [...new Set(list)] as ScannerName[];
}

function parseExitCode(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n > 255)
    throw new UsageError(`--exit-code: "${text}" is not an exit code (0–255)`);
  return n;
}

export function registerScan(program: Command, io: CliIO): void {
  const cmd = program
    .command('scan')
    .alias('cves')
    .description(
      'find known vulnerabilities in an image, a folder or an SBOM (with fixes, layers, EPSS and KEV), and optionally secrets and misconfigurations',
    )
    .argument('<target>', 'what to scan (see Targets below; also sbom://FILE)')
    .addOption(
      new Option('-f, --format <format>', 'output format').choices([...SCAN_FORMATS]).default('table'),
    )
    .option('-o, --output <file>', 'write the result to a file instead of stdout')
    .option(
      '--scanners <list>',
      'comma-separated scanners: vuln (known vulnerabilities), secret (leaked credentials in every layer and the image config), config (image configuration checks; Dockerfiles in a folder)',
      'vuln',
    )
    .option('--show-suppressed', 'list suppressed findings in the table and markdown too')
    .option('--locations', "table: show each package's paths and the layer that added it")
    .option(
      '--fail-on <severity>',
      'exit with --exit-code when a shown, unsuppressed finding of any scanner is at or above this severity',
    )
    .option(
      '--fail-on-not-evaluated',
      'exit with --exit-code when any package was not evaluated (no advisory data for its OS or runtime, unparseable version, …)',
    )
    .option('--exit-code <n>', 'exit code for --fail-on and --fail-on-not-evaluated', '1')
    .option(
      '--push <url>',
      'also send the report to a Bulwark server: http(s)://HOST/projects/NAME[?repository=…] (token: $BULWARK_TOKEN)',
    )
    .option(
      '--server <url>',
      "apply the register's decisions (accepted risks, not affected, false positives) for the image's repository as suppressions: http(s)://HOST/projects/NAME[?repository=…] (token: $BULWARK_TOKEN)",
    );
  addPolicyOptions(addDbOptions(addTargetOptions(cmd)))
    .addHelpText(
      'after',
      `${targetHelp('  sbom://FILE                Bulwark JSON, CycloneDX JSON (1.4–1.6) or SPDX 2.3 JSON SBOM')}

Scanners (--scanners): all of them share one read of the image. Secrets are never printed in full.
Secret severities are the same words as vulnerability severities; a lint "info" counts as negligible.

Not evaluated: packages Bulwark could not match (an OS without an advisory ecosystem such as Amazon
Linux, a runtime without advisory data, an unparseable version) are counted and listed in every format;
they never count as "no vulnerabilities". --fail-on-not-evaluated makes them fail the scan.

Exit codes: 0 ok, 1 (or --exit-code) when --fail-on is crossed or, with --fail-on-not-evaluated, a
package was not evaluated; 2 usage, 3 input, 4 database, 5 network, 70 internal error.

Examples:
  bulwark scan archive://image.tar
  bulwark scan oci-dir://layout --only-fixed --severity high -f json -o report.json
  bulwark scan sbom://bom.cdx.json --vex vex.json --fail-on critical
  bulwark scan fs://. --offline --db ./bulwark.sqlite
  bulwark scan archive://image.tar --scanners vuln,secret,config --fail-on high
  bulwark scan registry://amazonlinux:2023 --fail-on high --fail-on-not-evaluated
  BULWARK_TOKEN=bwk_… bulwark scan registry://ghcr.io/acme/web:1.4 --fail-on high \
    --server https://bulwark.example.com/projects/web   # the register's decisions apply`,
    )
    .action(async (target: string, flags: ScanFlags) => {
      const scanners = parseScanners(flags.scanners);
      const failOn = flags.failOn !== undefined ? parseFailOn(flags.failOn) : undefined;
      const exitCode = parseExitCode(flags.exitCode);
      if (!isScanFormat(flags.format)) throw new UsageError(`unknown format "${flags.format}"`);
      // Usage errors in the source flags come before the database is opened or updated.
      sourceOptions(flags, io);
      let { report } = await runScan(target, flags, io, { scanners });
      if (flags.server)
        report = await (
          await import('../server-decisions.js')
        ).applyServerDecisions(report, flags.server, io, flags.quiet === true);
      const color = flags.format === 'table' && !flags.output && io.stdout.isTTY === true && !io.env.NO_COLOR;
      const text = renderScanReport(report, flags.format, {
        color,
        locations: flags.locations === true,
        showSuppressed: flags.showSuppressed === true,
        env: io.env,
      });
      await emit(io, text, flags.output);
      if (flags.push) await (await import('../server-push.js')).pushScanReport(report, flags.push, io);
      const failing = failOn ? failingCounts(report, failOn) : undefined;
      if (failOn && failing && failing.total > 0) {
        const parts = [
          failing.vulnerabilities
            ? `${failing.vulnerabilities} vulnerabilit${failing.vulnerabilities === 1 ? 'y' : 'ies'}`
            : '',
          failing.secrets ? `${failing.secrets} secret${failing.secrets === 1 ? '' : 's'}` : '',
          failing.misconfigurations
            ? `${failing.misconfigurations} misconfiguration${failing.misconfigurations === 1 ? '' : 's'}`
            : '',
        ].filter(Boolean);
        io.stderr.write(
          `bulwark: ${failing.total} finding${failing.total === 1 ? '' : 's'} at or above ${failOn} (${parts.join(', ')}; --fail-on ${failOn})\n`,
        );
        throw new ExitWith(exitCode);
      }
      const notEvaluated = report.coverage?.notEvaluated ?? 0;
      if (flags.failOnNotEvaluated && notEvaluated > 0) {
        io.stderr.write(
          `bulwark: ${notEvaluated} package${notEvaluated === 1 ? ' was' : 's were'} not evaluated (--fail-on-not-evaluated): ${printable(notEvaluatedCauses(report.coverage!))}\n`,
        );
        throw new ExitWith(exitCode);
      }
    });
}
