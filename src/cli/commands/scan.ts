/** `bulwark scan <target>` (alias `cves`): known vulnerabilities in an image, folder or SBOM. */
import { Option, type Command } from 'commander';
import { failingFindings, parseFailOn } from '../../policy/filters.js';
import { UsageError } from '../../util/errors.js';
import type { CliIO } from '../io.js';
import { ExitWith } from '../main.js';
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
import { targetHelp } from './sbom.js';

export const SCANNERS = ['vuln', 'secret', 'config'] as const;

interface ScanFlags extends TargetFlags, DbFlags, PolicyFlags {
  format: string;
  output?: string;
  scanners: string;
  showSuppressed?: boolean;
  locations?: boolean;
  failOn?: string;
  exitCode: string;
}

function parseScanners(text: string): string[] {
  const list = text
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  for (const s of list) {
    if (!(SCANNERS as readonly string[]).includes(s))
      throw new UsageError(`--scanners: unknown scanner "${s}" (use ${SCANNERS.join(', ')})`);
  }
  if (list.length === 0) throw new UsageError('--scanners: name at least one scanner');
  return [...new Set(list)];
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
      'find known vulnerabilities in an image, a folder or an SBOM, with fixes, layers, EPSS and KEV',
    )
    .argument('<target>', 'what to scan (see Targets below; also sbom://FILE)')
    .addOption(
      new Option('-f, --format <format>', 'output format').choices([...SCAN_FORMATS]).default('table'),
    )
    .option('-o, --output <file>', 'write the result to a file instead of stdout')
    .option(
      '--scanners <list>',
      'scanners to run: vuln (secret and config run as `bulwark secrets` / `bulwark lint`)',
      'vuln',
    )
    .option('--show-suppressed', 'list suppressed findings in the table and markdown too')
    .option('--locations', "table: show each package's paths and the layer that added it")
    .option(
      '--fail-on <severity>',
      'exit with --exit-code when a shown, unsuppressed finding is at or above this severity',
    )
    .option('--exit-code <n>', 'exit code for --fail-on', '1');
  addPolicyOptions(addDbOptions(addTargetOptions(cmd)))
    .addHelpText(
      'after',
      `${targetHelp('  sbom://FILE                Bulwark JSON, CycloneDX JSON (1.4–1.6) or SPDX 2.3 JSON SBOM')}

Exit codes: 0 ok, 1 (or --exit-code) when --fail-on is crossed, 2 usage, 3 input, 4 database, 5 network.

Examples:
  bulwark scan archive://image.tar
  bulwark scan oci-dir://layout --only-fixed --severity high -f json -o report.json
  bulwark scan sbom://bom.cdx.json --vex vex.json --fail-on critical
  bulwark scan fs://. --offline --db ./bulwark.sqlite`,
    )
    .action(async (target: string, flags: ScanFlags) => {
      const scanners = parseScanners(flags.scanners);
      const failOn = flags.failOn !== undefined ? parseFailOn(flags.failOn) : undefined;
      const exitCode = parseExitCode(flags.exitCode);
      if (!scanners.includes('vuln'))
        throw new UsageError(
          '--scanners: scan runs the vuln scanner; use `bulwark secrets` or `bulwark lint` for the others',
        );
      for (const s of scanners.filter((x) => x !== 'vuln')) {
        io.stderr.write(
          `bulwark: warning: the ${s} scanner is not part of \`scan\` yet; run \`bulwark ${s === 'secret' ? 'secrets' : 'lint'}\`\n`,
        );
      }
      const { report } = await runScan(target, flags, io);
      if (!isScanFormat(flags.format)) throw new UsageError(`unknown format "${flags.format}"`);
      const color = flags.format === 'table' && !flags.output && io.stdout.isTTY === true && !io.env.NO_COLOR;
      const text = renderScanReport(report, flags.format, {
        color,
        locations: flags.locations === true,
        showSuppressed: flags.showSuppressed === true,
        env: io.env,
      });
      await emit(io, text, flags.output);
      if (failOn && failingFindings(report.findings, failOn).length > 0) {
        const n = failingFindings(report.findings, failOn).length;
        io.stderr.write(
          `bulwark: ${n} finding${n === 1 ? '' : 's'} at or above ${failOn} (--fail-on ${failOn})\n`,
        );
        throw new ExitWith(exitCode);
      }
    });
}
