/**
 * `bulwark lint [TARGET…]`: Dockerfile checks (secrets, root, supply chain, hygiene) and built-image
 * checks (config User, secrets in Env/Labels/history, sensitive files in the final filesystem, …).
 * Without TARGET it lints `Dockerfile`, `Containerfile`, `*.Dockerfile` and `Dockerfile.*` in the
 * current folder; `-` reads stdin. Exit code 1 (or `--exit-code N`) when a finding reaches `--fail-on`.
 */
import { closeSync, openSync, readSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { loadConfig } from '../../config/load.js';
import { lintConfigFrom } from '../../lint/config.js';
import { loadDockerIgnoreFor } from '../../lint/dockerignore.js';
import { lintDockerfile, type LintResult } from '../../lint/engine.js';
import { discoverDockerfiles, readDockerfile, readStream } from '../../lint/input.js';
import {
  FORMATS,
  crosses,
  format,
  type FileError,
  type ImageLintResult,
  type LintFormat,
} from '../../lint/report.js';
import { lintImage } from '../../engine/image.js';
import { parseTarget, type Target } from '../../engine/target.js';
import { defaultSecretDetector, defaultTextSecretDetector } from '../../lint/secret-detector.js';
import { SEVERITIES, type Severity } from '../../lint/types.js';
import { BulwarkError, ExitCode, InputError, UsageError, fsError, oneLine } from '../../util/errors.js';
import { writeOut, type CliIO } from '../io.js';
import { ExitWith } from '../exit.js';
import { pushAll } from '../../util/arrays.js';

interface LintFlags {
  format: string;
  output?: string;
  config?: string;
  failOn?: string;
  exitCode?: string;
  platform?: string;
}

/** What one command-line argument names. */
type LintTarget =
  | { readonly kind: 'dockerfile'; readonly arg: string }
  | { readonly kind: 'image'; readonly arg: string; readonly target: Target }
  | { readonly kind: 'folder'; readonly arg: string; readonly dir: string };

const IMAGE_SCHEMES = new Set(['archive', 'oci-dir', 'registry', 'docker']);

/**
 * Tell a Dockerfile from an image without guessing from the name: a `scheme://` prefix decides;
 * else a folder holding `oci-layout` + `index.json` is an OCI layout (any other folder: its
 * Dockerfiles); a file is an image when its first bytes are a tar header or a gzip/zstd stream, and a
 * Dockerfile otherwise (text). `image.tar:name:tag` (an existing archive plus a tag) is an image too.
 */
export function classifyLintTarget(arg: string, cwd: string): LintTarget {
  if (arg === '-') return { kind: 'dockerfile', arg };
  const parsed = parseTarget(arg);
  if (parsed.kind === 'sbom') throw new UsageError(`${arg}: an SBOM has nothing to lint`);
  if (parsed.kind === 'fs') return { kind: 'folder', arg, dir: resolve(cwd, parsed.rest || '.') };
  if (IMAGE_SCHEMES.has(parsed.kind)) return { kind: 'image', arg, target: parsed };
  const path = resolve(cwd, arg);
  const st = statOrUndefined(path);
  if (st?.isDirectory()) {
    const layout =
      statOrUndefined(resolve(path, 'oci-layout'))?.isFile() === true &&
      statOrUndefined(resolve(path, 'index.json'))?.isFile() === true;
    return layout ? { kind: 'image', arg, target: parsed } : { kind: 'folder', arg, dir: path };
  }
  if (st?.isFile())
    return looksLikeImageArchive(path) ? { kind: 'image', arg, target: parsed } : { kind: 'dockerfile', arg };
  // `image.tar:name:tag`: an existing archive followed by the tag to pick.
  for (let i = arg.indexOf(':'); i > 0; i = arg.indexOf(':', i + 1)) {
    const head = resolve(cwd, arg.slice(0, i));
    if (statOrUndefined(head)?.isFile() && looksLikeImageArchive(head))
      return { kind: 'image', arg, target: parsed };
  }
  return { kind: 'dockerfile', arg };
}

function statOrUndefined(path: string): import('node:fs').Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** A tar header (`ustar` at offset 257), or a gzip or zstd stream: never a Dockerfile. */
function looksLikeImageArchive(path: string): boolean {
  const head = Buffer.alloc(512);
  let n = 0;
  try {
    const fd = openSync(path, 'r');
    try {
      n = readSync(fd, head, 0, 512, 0);
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
  const gzip = n >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  const zstd = n >= 4 && head.readUInt32LE(0) === 0xfd2fb528;
  const tar = n >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar';
  return gzip || zstd || tar;
}

export function registerLint(program: Command, io: CliIO): void {
  program
    .command('lint')
    .description(
      'check Dockerfiles for hard-coded secrets, root users, supply-chain risks and hygiene problems, and built images for root users, leaked secrets and risky files',
    )
    .argument(
      '[targets...]',
      'Dockerfiles (default: Dockerfile, Containerfile, *.Dockerfile, Dockerfile.* here; - for stdin), folders, or images (archive://, oci-dir://, registry://, docker://, an image archive or OCI layout)',
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
    .option('--platform <os/arch[/variant]>', 'platform to pick from a multi-platform image')
    .addHelpText(
      'after',
      `
Images are checked as built: the config User (root), secrets in Env, Labels and history (redacted),
sensitive files left in the final filesystem, setuid/setgid and world-writable files, package caches,
port 22. Files deleted by a later layer are for \`bulwark secrets\` (or \`bulwark scan --scanners secret\`).

Examples:
  bulwark lint                               # Dockerfiles in the current folder
  bulwark lint build/Dockerfile.prod -f sarif -o lint.sarif
  bulwark lint archive://image.tar --fail-on high
  bulwark lint oci-dir://layout -f json`,
    )
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

  const detectSecret = defaultSecretDetector();
  const detectSecretsInText = defaultTextSecretDetector();
  const images: ImageLintResult[] = [];
  const errors: FileError[] = [];
  const targets: string[] = [];
  if (files.length === 0) pushAll(targets, discoverDockerfiles(io.cwd));
  for (const arg of files) {
    const t = classifyLintTarget(arg, io.cwd);
    if (t.kind === 'dockerfile') targets.push(arg);
    else if (t.kind === 'folder') {
      const found = discoverDockerfiles(t.dir);
      if (found.length === 0)
        throw new InputError(
          'E_NOT_FOUND',
          `${arg}: no Dockerfile in this folder (and not an OCI image layout)`,
        );
      pushAll(
        targets,
        found.map((n) => displayPath(io.cwd, resolve(t.dir, n))),
      );
    } else {
      try {
        images.push(
          await lintImage(t.target, {
            cwd: io.cwd,
            ...(flags.platform ? { platform: flags.platform } : {}),
            config,
            detectSecret,
          }),
        );
      } catch (err) {
        if (!(err instanceof BulwarkError)) throw err;
        errors.push({ path: arg, code: err.code, message: oneLine(err) });
        io.stderr.write(`bulwark: ${oneLine(err)}\n`);
      }
    }
  }
  if (targets.length === 0 && files.length === 0) {
    throw new InputError(
      'E_NOT_FOUND',
      'no Dockerfile here (looked for Dockerfile, Containerfile, *.Dockerfile, Dockerfile.*); name one or use - for stdin',
    );
  }
  const results: LintResult[] = [];
  for (const target of targets) {
    const abs = target === '-' ? resolve(io.cwd, 'Dockerfile') : resolve(io.cwd, target);
    const shown = target === '-' ? '-' : displayPath(io.cwd, abs);
    try {
      const text = target === '-' ? await readStream(io.stdin, 'stdin') : readDockerfile(abs, shown);
      // stdin has no context folder of its own: the current folder's .dockerignore is the one a build would use.
      const dockerignore = target === '-' ? loadDockerIgnoreFor(abs, io.cwd) : loadDockerIgnoreFor(abs);
      results.push(
        lintDockerfile(text, { path: shown, config, dockerignore, detectSecret, detectSecretsInText }),
      );
    } catch (err) {
      if (!(err instanceof BulwarkError)) throw err;
      errors.push({ path: shown, code: err.code, message: oneLine(err) });
      io.stderr.write(`bulwark: ${oneLine(err)}\n`);
    }
  }
  if (results.length === 0 && images.length === 0)
    throw new ExitWith(errors.length ? ExitCode.input : ExitCode.ok);
  const run = { results, errors, images };
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
