/**
 * `bulwark lint [FILE…]`: Dockerfile checks (secrets, root, supply chain, hygiene). Without FILE it
 * lints `Dockerfile`, `Containerfile`, `*.Dockerfile` and `Dockerfile.*` in the current folder; `-`
 * reads stdin. Exit code 1 (or `--exit-code N`) when a finding reaches `--fail-on`.
 */
import { writeFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { loadConfig } from '../../config/load.js';
import { lintConfigFrom } from '../../lint/config.js';
import { loadDockerIgnoreFor } from '../../lint/dockerignore.js';
import { lintDockerfile, type LintResult } from '../../lint/engine.js';
import { discoverDockerfiles, readDockerfile, readStream } from '../../lint/input.js';
import { FORMATS, crosses, format, type FileError, type LintFormat } from '../../lint/report.js';
import { defaultSecretDetector } from '../../lint/secret-detector.js';
import { SEVERITIES, type Severity } from '../../lint/types.js';
import { BulwarkError, ExitCode, InputError, UsageError, fsError, oneLine } from '../../util/errors.js';
import { writeOut, type CliIO } from '../io.js';
import { ExitWith } from '../main.js';

interface LintFlags {
  format: string;
  output?: string;
  config?: string;
  failOn?: string;
  exitCode?: string;
}

export function registerLint(program: Command, io: CliIO): void {
  program
    .command('lint')
    .description(
      'check Dockerfiles for hard-coded secrets, root users, supply-chain risks and hygiene problems',
    )
    .argument(
      '[files...]',
      'Dockerfiles to lint (default: Dockerfile, Containerfile, *.Dockerfile, Dockerfile.* here; - for stdin)',
    )
    .addOption(new Option('-f, --format <format>', 'output format').choices([...FORMATS]).default('table'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('--config <file>', 'configuration file (default: .bulwark.yaml in the current folder)')
    .addOption(
      new Option(
        '--fail-on <severity>',
        'exit with a policy failure when a finding is at or above this severity',
      ).choices([...SEVERITIES]),
    )
    .option('--exit-code <n>', 'exit code for a policy failure (default 1); alone it fails on any finding')
    .action(async (files: string[], flags: LintFlags) => {
      await runLint(files, flags, io);
    });
}

async function runLint(files: string[], flags: LintFlags, io: CliIO): Promise<void> {
  let exitCode: number = ExitCode.policy;
  if (flags.exitCode !== undefined) {
    if (!/^\d{1,3}$/.test(flags.exitCode) || Number(flags.exitCode) > 255) {
      throw new UsageError(
        `--exit-code must be an integer from 0 to 255, got ${JSON.stringify(flags.exitCode)}`,
      );
    }
    exitCode = Number(flags.exitCode);
  }
  if (files.filter((f) => f === '-').length > 1) throw new UsageError('stdin (-) can be given only once');
  const config = lintConfigFrom(loadConfig(io.cwd, flags.config));
  const failOn: Severity | undefined =
    (flags.failOn as Severity | undefined) ??
    config.failOn ??
    (flags.exitCode !== undefined ? 'info' : undefined);

  const targets = files.length ? files : discoverDockerfiles(io.cwd);
  if (targets.length === 0) {
    throw new InputError(
      'E_NOT_FOUND',
      'no Dockerfile here (looked for Dockerfile, Containerfile, *.Dockerfile, Dockerfile.*); name one or use - for stdin',
    );
  }
  const detectSecret = defaultSecretDetector();
  const results: LintResult[] = [];
  const errors: FileError[] = [];
  for (const target of targets) {
    const abs = target === '-' ? resolve(io.cwd, 'Dockerfile') : resolve(io.cwd, target);
    const shown = target === '-' ? '-' : displayPath(io.cwd, abs);
    try {
      const text = target === '-' ? await readStream(io.stdin, 'stdin') : readDockerfile(abs, shown);
      // stdin has no context folder of its own: the current folder's .dockerignore is the one a build would use.
      const dockerignore = target === '-' ? loadDockerIgnoreFor(abs, io.cwd) : loadDockerIgnoreFor(abs);
      results.push(lintDockerfile(text, { path: shown, config, dockerignore, detectSecret }));
    } catch (err) {
      if (!(err instanceof BulwarkError)) throw err;
      errors.push({ path: shown, code: err.code, message: oneLine(err) });
      io.stderr.write(`bulwark: ${oneLine(err)}\n`);
    }
  }
  if (results.length === 0) throw new ExitWith(errors.length ? ExitCode.input : ExitCode.ok);

  const run = { results, errors };
  const text = format(run, flags.format as LintFormat);
  if (flags.output) {
    const out = resolve(io.cwd, flags.output);
    try {
      writeFileSync(out, text);
    } catch (err) {
      throw fsError(err, flags.output);
    }
  } else {
    await writeOut(io, text);
  }
  if (failOn && crosses(run, failOn)) throw new ExitWith(exitCode);
}

function displayPath(cwd: string, abs: string): string {
  const rel = relative(cwd, abs);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split('\\').join('/') : abs;
}
