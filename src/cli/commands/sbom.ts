/** `bulwark sbom <target>`: the catalog stage as a command. */
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { CatalogTargetOptions } from '../../engine/catalog.js';
import { SBOM_FORMATS, isSbomFormat } from '../../sbom/format/names.js';
import { UsageError } from '../../util/errors.js';
import { readPasswordStdin, type CliIO } from '../io.js';
import { MAX_HOLDABLE_FILE_SIZE } from '../../catalog/collector.js';
import { emit, parseFileSizeLimit } from '../output.js';
import { progress, type Progress } from '../progress.js';

export interface SourceFlags {
  platform?: string;
  exclude?: string[];
  gitignore?: boolean;
  maxFileSize?: string;
  quiet?: boolean;
  username?: string;
  passwordStdin?: boolean;
  caCert?: string[];
  insecureRegistry?: string[];
  registryTimeout?: string;
  registryDeadline?: string;
}

/** `--registry-timeout` / `--registry-deadline`: whole seconds, at least 1. */
function seconds(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1)
    throw new UsageError(
      `${flag} must be a whole number of seconds (at least 1), got ${JSON.stringify(value)}`,
    );
  return Number(value) * 1000;
}

/** Flags of commands that read a target through the catalog caches. */
export interface TargetFlags extends SourceFlags {
  cache?: boolean;
  dockerfile?: string;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Flags every command that reads a target shares. */
export function addSourceOptions(cmd: Command): Command {
  return cmd
    .option(
      '--platform <os/arch[/variant]>',
      'platform to pick from a multi-platform image (default: this machine, then linux/amd64)',
    )
    .option(
      '--exclude <glob...>',
      'leave out paths of a folder target (gitignore-style globs relative to the folder)',
    )
    .option('--no-gitignore', 'do not honour .gitignore files in folder targets')
    .option(
      '--max-file-size <size>',
      'largest single file read for cataloging (e.g. 64MiB, at most 2GiB); larger files are reported as skipped',
      '64MiB',
    )
    .option('-q, --quiet', 'no progress output on stderr')
    .option('--username <name>', 'registry user name (the password is read with --password-stdin)')
    .option('--password-stdin', 'read the registry password (or token) from standard input')
    .option('--ca-cert <file>', 'extra trusted CA certificate (PEM) for registries; repeatable', collect)
    .option(
      '--insecure-registry <host>',
      'allow plain HTTP or unverified TLS for this registry host; repeatable',
      collect,
    )
    .option(
      '--registry-timeout <seconds>',
      'fail a registry request that sends nothing for this long (default 60)',
    )
    .option(
      '--registry-deadline <seconds>',
      'fail a registry request (a layer download included) not finished after this long (default 1800)',
    );
}

export function sourceOptions(flags: SourceFlags, io: CliIO) {
  let maxFileSize: number | undefined;
  if (flags.maxFileSize) {
    try {
      maxFileSize = parseFileSizeLimit(flags.maxFileSize, MAX_HOLDABLE_FILE_SIZE);
    } catch (err) {
      throw new UsageError(`--max-file-size: ${(err as Error).message}`);
    }
  }
  if (flags.passwordStdin && flags.username === undefined)
    throw new UsageError('--password-stdin needs --username');
  if (flags.username !== undefined && !flags.passwordStdin)
    throw new UsageError(
      '--username needs --password-stdin (passwords are never taken from the command line)',
    );
  let password: Promise<string> | undefined;
  const readTimeoutMs = seconds(flags.registryTimeout, '--registry-timeout');
  const deadlineMs = seconds(flags.registryDeadline, '--registry-deadline');
  return {
    open: {
      cwd: io.cwd,
      ...(flags.platform ? { platform: flags.platform } : {}),
      ...(flags.exclude ? { exclude: flags.exclude } : {}),
      gitignore: flags.gitignore !== false,
      registry: {
        env: io.env,
        ...(flags.username !== undefined
          ? { username: flags.username, password: () => (password ??= readPasswordStdin(io)) }
          : {}),
        ...(flags.caCert ? { caCertFiles: flags.caCert.map((f) => resolve(io.cwd, f)) } : {}),
        ...(flags.insecureRegistry ? { insecureRegistries: flags.insecureRegistry } : {}),
        ...(readTimeoutMs !== undefined ? { readTimeoutMs } : {}),
        ...(deadlineMs !== undefined ? { deadlineMs } : {}),
      },
      daemon: { env: io.env },
    },
    maxFileSize,
  };
}

/** {@link addSourceOptions} plus `--no-cache`, for commands that catalog the target. */
export function addTargetOptions(cmd: Command): Command {
  return addSourceOptions(cmd)
    .option('--no-cache', 'do not read or write the per-layer catalog cache')
    .option(
      '--dockerfile <file>',
      'the Dockerfile the image was built from: its final FROM names the base image (docs/base-images.md)',
    );
}

/** Engine options for reading a target, from the flags: source access, file cap, cache, progress bar. */
export function targetOptions(flags: TargetFlags, io: CliIO, bar: Progress): CatalogTargetOptions {
  const opts = sourceOptions(flags, io);
  return {
    ...opts.open,
    env: io.env,
    ...(opts.maxFileSize ? { maxFileSize: opts.maxFileSize } : {}),
    ...(flags.cache === false ? { cache: false } : {}),
    ...(flags.dockerfile !== undefined ? { dockerfile: flags.dockerfile } : {}),
    onProgress: (done, total) => bar.update(done, total),
  };
}

/** The "Targets:" help section; commands that accept more target kinds pass their extra lines. */
export function targetHelp(extraTargets = ''): string {
  return `
Targets:
  archive://FILE[:NAME:TAG]  docker-archive (docker save, skopeo) or OCI archive; plain or gzip
  oci-dir://DIR[:TAG]        OCI image layout folder
  fs://DIR                   a root filesystem or a source tree (honours .gitignore)
  registry://REF             an image in a registry, e.g. registry://ghcr.io/org/app:1.2 (docs/registry.md)
  docker://NAME[:TAG]        an image in the local Docker Engine or Podman (DOCKER_HOST or /var/run/docker.sock)
  PATH or REF                a local archive file, OCI layout folder or folder when the path exists,
                             otherwise an image reference such as debian:12${extraTargets ? `\n${extraTargets}` : ''}

Registry credentials: --username with --password-stdin, else BULWARK_REGISTRY_USERNAME and
BULWARK_REGISTRY_PASSWORD, else the Docker config (docker login, credential helpers), else anonymous.`;
}

export const TARGET_HELP = targetHelp();

export function registerSbom(program: Command, io: CliIO): void {
  addTargetOptions(
    program
      .command('sbom')
      .description('list every package in an image or folder, with the layer that added it (an SBOM)')
      .argument('<target>', 'what to read (see Targets below)')
      .addOption(
        new Option('-f, --format <format>', 'output format').choices([...SBOM_FORMATS]).default('table'),
      )
      .option('-o, --output <file>', 'write the result to a file instead of stdout')
      .option(
        '--push <url>',
        'also send the SBOM to a Bulwark server: http(s)://HOST/projects/NAME[?repository=…] (token: $BULWARK_TOKEN)',
      ),
  )
    .addHelpText(
      'after',
      `${TARGET_HELP}

Examples:
  bulwark sbom archive://image.tar
  bulwark sbom oci-dir://layout --platform linux/arm64 -f cyclonedx-json -o sbom.cdx.json
  bulwark sbom fs://. -f spdx-json`,
    )
    .action(
      async (target: string, flags: TargetFlags & { format: string; output?: string; push?: string }) => {
        if (!isSbomFormat(flags.format)) throw new UsageError(`unknown format "${flags.format}"`);
        // Loaded here, not at start-up: `bulwark <other command>` never pays for the catalogers.
        const [{ catalogTarget }, { formatSbom }] = await Promise.all([
          import('../../engine/catalog.js'),
          import('../../sbom/format/index.js'),
        ]);
        const bar = progress(io, 'reading', flags.quiet === true);
        try {
          // The engine redacts image metadata before it leaves the catalog: every format and a push
          // see only the redacted form.
          const { sbom } = await catalogTarget(target, {
            ...targetOptions(flags, io, bar),
            sbomFiles: false,
          });
          bar.done();
          const color =
            flags.format === 'table' && !flags.output && io.stdout.isTTY === true && !io.env.NO_COLOR;
          await emit(io, formatSbom(sbom, flags.format, { color, env: io.env }), flags.output);
          if (flags.push) await (await import('../server-push.js')).pushSbom(sbom, flags.push, io);
        } finally {
          bar.done();
        }
      },
    );
}
