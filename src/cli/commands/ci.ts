/**
 * `bulwark ci [DIR]`: every configured check over the repository and the built images in one step —
 * Dockerfile lint, secrets (working tree and the change's commits), dependency scanning of lock
 * files, image scanning, policies — one combined report, failing only on findings the change
 * introduces when a baseline is given (docs/ci.md).
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { buildCiBaseline } from '../../ci/baseline.js';
import { CHECK_NAMES } from '../../ci/checks.js';
import { GITLAB_REPORT_FILES, gitlabReports, type GitlabReportType } from '../../ci/gitlab.js';
import { CI_FORMATS, githubAnnotations, renderCi, renderCiMarkdown, type CiFormat } from '../../ci/render.js';
import { runCi } from '../../ci/run.js';
import { CI_SEVERITIES, type CiReport, type CiSeverity } from '../../ci/types.js';
import { ExitCode, UsageError, fsError } from '../../util/errors.js';
import type { CliIO } from '../io.js';
import { ExitWith } from '../exit.js';
import { emit } from '../output.js';

interface CiFlags {
  image?: string[];
  exclude?: string[];
  since?: string;
  baseline?: string | false;
  writeBaseline?: string;
  checks?: string;
  failOn?: CiSeverity;
  exitCode: string;
  format: CiFormat;
  output?: string;
  sarif?: string;
  json?: string;
  markdown?: string;
  gitlabReports?: string;
  db?: string;
  offline?: boolean;
  config?: string;
  github: boolean;
  quiet?: boolean;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

export function registerCi(program: Command, io: CliIO): void {
  program
    .command('ci')
    .description(
      'run every configured check (Dockerfile lint, secrets, dependencies, images, policies) as one CI step; fail only on what the change introduces',
    )
    .argument('[dir]', 'the repository (default: the current folder; its git work tree root is used)', '.')
    .option(
      '--image <target>',
      'a built image to scan (repeatable): archive://, oci-dir://, registry://, docker://',
      collect,
    )
    .option(
      '--exclude <glob>',
      'leave paths matching GLOB (relative to the repository root) out of lint, secrets and dependencies (repeatable)',
      collect,
    )
    .option(
      '--since <rev>',
      "the change's commits are REV..HEAD (default: from the CI's base branch or previous commit)",
    )
    .option(
      '--baseline <file>',
      'existing findings: a `bulwark ci -f json` report of the default branch or a --write-baseline file',
    )
    .option('--no-baseline', 'ignore the committed baseline file: every finding is new')
    .option(
      '--write-baseline <file>',
      'write every current finding to FILE as the baseline (and do not fail on them)',
    )
    .option('--checks <list>', `comma-separated checks to run (${CHECK_NAMES.join(', ')}; default: all)`)
    .addOption(
      new Option(
        '--fail-on <severity>',
        'fail on a new finding at or above this severity (default: high, or ci.failOn)',
      ).choices([...CI_SEVERITIES]),
    )
    .option('--exit-code <n>', 'exit code when a new finding fails the run', '1')
    .addOption(
      new Option('-f, --format <format>', 'standard output format').choices([...CI_FORMATS]).default('table'),
    )
    .option('-o, --output <file>', 'write the --format output to a file instead of stdout')
    .option('--sarif <file>', 'also write SARIF 2.1.0 (one run per check) to FILE')
    .option('--json <file>', 'also write the JSON report to FILE (usable as the next --baseline)')
    .option('--markdown <file>', 'also write the Markdown summary (a PR/MR comment) to FILE')
    .option(
      '--gitlab-reports <dir>',
      'also write GitLab secret-detection, dependency-scanning and container-scanning reports into DIR',
    )
    .option(
      '--db <path>',
      'vulnerability database file (default: $BULWARK_DB, else <cache dir>/db/bulwark.sqlite)',
    )
    .option('--offline', 'never download the vulnerability database (also BULWARK_OFFLINE=1)')
    .option('--config <file>', 'configuration file (default: .bulwark.yaml at the repository root)')
    .option('--no-github', 'on GitHub Actions: write neither annotations nor the job summary')
    .option('-q, --quiet', 'no per-check progress on stderr')
    .addHelpText(
      'after',
      `
Checks: lint (every Dockerfile), secrets (working tree + the change's commits), dependencies (lock files,
\`scan fs://\`), image (each --image: vulnerabilities, secrets, configuration), policy (the policies of
.bulwark.yaml over each image; with --offline no registry look-ups).

Caches: BULWARK_CACHE_DIR (db/, layers/, ci/images/) — keep it between CI runs (docs/ci.md).

Baseline: findings whose fingerprint is in the baseline are listed as pre-existing and never fail the
run. Default baseline: .bulwark-baseline.json at the repository root when it exists (ci.baseline).

CI detection: GitHub Actions, GitLab CI, Jenkins, Azure Pipelines, Bitbucket Pipelines, CircleCI (else
CI=true: generic). On GitHub the new findings become annotations and the summary goes to
$GITHUB_STEP_SUMMARY. BULWARK_CI_BASE_REF sets the base branch or commit anywhere.

Exit codes: 0 passed; 1 (or --exit-code) a new finding at or above --fail-on; 2 usage; when a check
could not run: its code (3 input, 4 database, 5 network, 70 internal) — all outputs are still written.

Examples:
  bulwark ci                                          # every check, table on the terminal
  bulwark ci --image archive://app.tar --sarif bulwark.sarif --markdown comment.md
  bulwark ci --baseline main-report.json --json report.json
  bulwark ci --write-baseline .bulwark-baseline.json  # accept what is there today; commit the file
  bulwark ci --checks lint,secrets --since origin/main`,
    )
    .action(async (dir: string, flags: CiFlags) => {
      const exitCode = Number(flags.exitCode);
      if (!/^\d{1,3}$/.test(flags.exitCode) || exitCode > 255)
        throw new UsageError(
          `--exit-code must be an integer from 0 to 255, got ${JSON.stringify(flags.exitCode)}`,
        );
      const checks = flags.checks
        ?.split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      if (checks && checks.length === 0) throw new UsageError('--checks: name at least one check');
      const started = new Date();
      const quiet = flags.quiet === true;
      const { report, config } = await runCi({
        dir,
        cwd: io.cwd,
        env: io.env,
        ...(flags.image ? { images: flags.image } : {}),
        ...(flags.exclude ? { exclude: flags.exclude } : {}),
        ...(flags.since !== undefined ? { since: flags.since } : {}),
        ...(typeof flags.baseline === 'string' ? { baseline: flags.baseline } : {}),
        ...(flags.baseline === false || flags.writeBaseline !== undefined ? { noBaseline: true } : {}),
        ...(flags.config !== undefined ? { configFile: flags.config } : {}),
        ...(checks ? { checks } : {}),
        ...(flags.failOn ? { failOn: flags.failOn } : {}),
        ...(flags.db !== undefined ? { db: flags.db } : {}),
        ...(flags.offline ? { offline: true } : {}),
        onWarning: (m) => io.stderr.write(`bulwark: warning: ${m}\n`),
        onCheck: (name, s) => {
          if (quiet || !s) return;
          io.stderr.write(
            `bulwark: ci: ${name}: ${s.status}${s.status === 'error' || s.status === 'skipped' ? ` (${s.detail ?? ''})` : ` (${s.findings} findings, ${s.newFindings} new)`} in ${s.ms} ms\n`,
          );
        },
      });
      const ended = new Date();

      const outputs = config.outputs ?? {};
      const sarif = flags.sarif ?? outputs.sarif;
      const json = flags.json ?? outputs.json;
      const markdown = flags.markdown ?? outputs.markdown;
      const gitlab = flags.gitlabReports ?? outputs.gitlab;
      if (flags.writeBaseline)
        writeFile(io, flags.writeBaseline, `${JSON.stringify(buildCiBaseline(report.findings), null, 2)}\n`);
      if (sarif) writeFile(io, sarif, renderCi(report, 'sarif'));
      if (json) writeFile(io, json, renderCi(report, 'json'));
      if (markdown) writeFile(io, markdown, renderCiMarkdown(report));
      if (gitlab) writeGitlabReports(io, gitlab, report, started, ended);

      const onGithub = report.ci.provider === 'github' && flags.github;
      const stdoutIsReport = !flags.output && flags.format !== 'table' && flags.format !== 'markdown';
      if (onGithub) {
        const summaryFile = io.env.GITHUB_STEP_SUMMARY;
        if (summaryFile) {
          try {
            appendFileSync(summaryFile, `${renderCiMarkdown(report)}\n`);
          } catch (err) {
            throw fsError(err, summaryFile);
          }
        }
        // Workflow commands are read from stdout; a machine format on stdout keeps them off it.
        const annotations = githubAnnotations(report);
        if (annotations) (stdoutIsReport ? io.stderr : io.stdout).write(annotations);
      }
      await emit(io, renderCi(report, flags.format), flags.output);
      if (flags.writeBaseline) {
        if (report.result === 'error') throw new ExitWith(firstErrorCode(report));
        return;
      }
      if (report.result === 'error') throw new ExitWith(firstErrorCode(report));
      if (report.result === 'failed' && exitCode !== 0) throw new ExitWith(exitCode);
    });
}

function firstErrorCode(report: CiReport): number {
  return report.checks.find((c) => c.status === 'error')?.errorExitCode ?? ExitCode.internal;
}

function writeFile(io: CliIO, file: string, text: string): void {
  const path = resolve(io.cwd, file);
  try {
    writeFileSync(path, text);
  } catch (err) {
    throw fsError(err, file);
  }
}

function writeGitlabReports(io: CliIO, dir: string, report: CiReport, start: Date, end: Date): void {
  const abs = resolve(io.cwd, dir);
  try {
    mkdirSync(abs, { recursive: true });
  } catch (err) {
    throw fsError(err, dir);
  }
  const docs = gitlabReports(report, { start, end });
  for (const [type, file] of Object.entries(GITLAB_REPORT_FILES) as [GitlabReportType, string][])
    writeFile(io, join(abs, file), `${JSON.stringify(docs[type], null, 2)}\n`);
}
