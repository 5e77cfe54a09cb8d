/**
 * `bulwark` command line. Each command lives in ./commands/<name>.ts and registers itself on the
 * program; this file only wires them and maps errors to exit codes (documented in the README).
 */
import { Command, CommanderError } from 'commander';
import { BulwarkError, ExitCode, oneLine } from '../util/errors.js';
import { BULWARK_VERSION } from '../util/tool-version.js';
import { processIO, type CliIO } from './io.js';
import { commandsFor, type RegisterCommand } from './commands/index.js';
import { ExitWith } from './exit.js';

export function buildProgram(io: CliIO, commands: readonly RegisterCommand[]): Command {
  const program = new Command('bulwark')
    .description(
      'Container security from the Dockerfile to production: SBOMs, vulnerabilities, Dockerfile checks, secrets.',
    )
    .version(BULWARK_VERSION, '-v, --version', 'print the version')
    .option('--debug', 'show stack traces and debug logging on stderr')
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .exitOverride();
  for (const register of commands) register(program, io);
  program.addHelpText(
    'after',
    `
Exit codes:
  0   success
  1   policy failure (findings at or above --fail-on; change with --exit-code)
  2   usage error
  3   input error (target missing, unreadable, corrupt or unsupported)
  4   vulnerability database error
  5   network or registry error
  70  internal error (a bug: please report it with --debug output)`,
  );
  return program;
}

/** Run the CLI; returns the exit code instead of exiting so tests can run it in-process. */
export async function run(argv: string[], io: CliIO = processIO()): Promise<number> {
  const debug = argv.includes('--debug');
  try {
    const program = buildProgram(io, await commandsFor(argv));
    await program.parseAsync(argv, { from: 'user' });
    return ExitCode.ok;
  } catch (err) {
    if (err instanceof ExitWith) return err.exitCode;
    if (err instanceof CommanderError) {
      // --help and --version arrive here with exit code 0.
      return err.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    if (err instanceof BulwarkError) {
      io.stderr.write(`bulwark: ${oneLine(err)}\n`);
      if (debug)
        io.stderr.write(
          `${err.stack ?? ''}\n${err.cause ? String((err.cause as Error).stack ?? err.cause) : ''}\n`,
        );
      return err.exitCode;
    }
    io.stderr.write(
      `bulwark: internal error: ${oneLine(err)}${debug ? '' : ' (run with --debug for details)'}\n`,
    );
    if (debug && err instanceof Error) io.stderr.write(`${err.stack}\n`);
    return ExitCode.internal;
  }
}
