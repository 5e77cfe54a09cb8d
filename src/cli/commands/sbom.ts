/** `bulwark sbom <target>`: the catalog stage as a command. */
import { Option, type Command } from 'commander';
import { catalogSource } from '../../catalog/run.js';
import { SBOM_FORMATS, formatSbom, isSbomFormat } from '../../sbom/format/index.js';
import { openSource } from '../../source/open.js';
import { UsageError } from '../../util/errors.js';
import type { CliIO } from '../io.js';
import { emit, parseSize } from '../output.js';
import { progress } from '../progress.js';

export interface SourceFlags {
  platform?: string;
  exclude?: string[];
  gitignore?: boolean;
  maxFileSize?: string;
  quiet?: boolean;
}

/** Flags every command that reads a target shares. */
export function addSourceOptions(cmd: Command): Command {
  return cmd
    .option('--platform <os/arch[/variant]>', 'platform to pick from a multi-platform image (default: this machine, then linux/amd64)')
    .option('--exclude <glob...>', 'leave out paths of a folder target (gitignore-style globs relative to the folder)')
    .option('--no-gitignore', 'do not honour .gitignore files in folder targets')
    .option('--max-file-size <size>', 'largest single file read for cataloging (e.g. 64MiB); larger files are reported as skipped', '64MiB')
    .option('-q, --quiet', 'no progress output on stderr');
}

export function sourceOptions(flags: SourceFlags, io: CliIO) {
  let maxFileSize: number | undefined;
  if (flags.maxFileSize) {
    try {
      maxFileSize = parseSize(flags.maxFileSize);
    } catch (err) {
      throw new UsageError(`--max-file-size: ${(err as Error).message}`);
    }
  }
  return {
    open: {
      cwd: io.cwd,
      ...(flags.platform ? { platform: flags.platform } : {}),
      ...(flags.exclude ? { exclude: flags.exclude } : {}),
      gitignore: flags.gitignore !== false,
    },
    maxFileSize,
  };
}

export const TARGET_HELP = `
Targets:
  archive://FILE[:NAME:TAG]  docker-archive (docker save, skopeo) or OCI archive; plain or gzip
  oci-dir://DIR[:TAG]        OCI image layout folder
  fs://DIR                   a root filesystem or a source tree (honours .gitignore)
  PATH                       auto-detected: archive file, OCI layout folder, or folder
  registry://REF             not supported yet`;

export function registerSbom(program: Command, io: CliIO): void {
  addSourceOptions(
    program
      .command('sbom')
      .description('list every package in an image or folder, with the layer that added it (an SBOM)')
      .argument('<target>', 'what to read (see Targets below)')
      .addOption(new Option('-f, --format <format>', 'output format').choices([...SBOM_FORMATS]).default('table'))
      .option('-o, --output <file>', 'write the result to a file instead of stdout'),
  )
    .addHelpText(
      'after',
      `${TARGET_HELP}

Examples:
  bulwark sbom archive://image.tar
  bulwark sbom oci-dir://layout --platform linux/arm64 -f cyclonedx-json -o sbom.cdx.json
  bulwark sbom fs://. -f spdx-json`,
    )
    .action(async (target: string, flags: SourceFlags & { format: string; output?: string }) => {
      if (!isSbomFormat(flags.format)) throw new UsageError(`unknown format "${flags.format}"`);
      const opts = sourceOptions(flags, io);
      const bar = progress(io, 'reading', flags.quiet === true);
      const source = await openSource(target, opts.open);
      try {
        const { sbom } = await catalogSource(source, {
          ...(opts.maxFileSize ? { maxFileSize: opts.maxFileSize } : {}),
          walk: { onProgress: (d, t) => bar.update(d, t) },
        });
        bar.done();
        const color = flags.format === 'table' && !flags.output && io.stdout.isTTY === true && !io.env.NO_COLOR;
        await emit(io, formatSbom(sbom, flags.format, { color, env: io.env }), flags.output);
      } finally {
        bar.done();
        await source.close();
      }
    });
}
