/**
 * `bulwark secrets [target]`: leaked credentials in a folder, a git history, staged changes or every
 * layer of an image. Exit code 1 (or `--exit-code N`) when a new finding reaches `--fail-on`
 * (default: any finding); findings in the `--baseline` file do not count.
 */
import { open, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { loadConfig } from '../../config/load.js';
import { baselineKey, readBaseline, writeBaseline } from '../../secrets/baseline.js';
import { resolveSecretsConfig } from '../../secrets/config.js';
import { SecretEngine } from '../../secrets/engine.js';
import { scanGit } from '../../secrets/git.js';
import {
  OUTPUT_FORMATS,
  renderJson,
  renderSarif,
  renderTable,
  type OutputFormat,
} from '../../secrets/report.js';
import { scanPath } from '../../secrets/scan-files.js';
import { SEVERITIES, severityRank, type SecretScanResult, type Severity } from '../../secrets/types.js';
import { scanImageSecrets } from '../../engine/image.js';
import { parseTarget, type Target } from '../../engine/target.js';
import { UsageError } from '../../util/errors.js';
import type { CliIO } from '../io.js';
import { ExitWith } from '../exit.js';
import { MAX_HOLDABLE_FILE_SIZE } from '../../catalog/collector.js';
import { emit, parseFileSizeLimit } from '../output.js';

interface SecretsFlags {
  git?: boolean;
  since?: string;
  branch?: string;
  staged?: boolean;
  ignore: boolean;
  gitignore: boolean;
  exclude?: string[];
  includeGenerated?: boolean;
  config?: string;
  baseline?: string;
  writeBaseline?: string;
  format: OutputFormat;
  output?: string;
  failOn: Severity;
  exitCode?: string;
  maxFileSize: string;
  platform?: string;
}

/** Does `target` name an image (archive or OCI layout) rather than a folder or text file? */
async function isImageTarget(target: Target, cwd: string): Promise<boolean> {
  if (target.kind !== 'auto') return target.kind !== 'fs';
  const path = resolve(cwd, target.text);
  let st;
  try {
    st = await stat(path);
  } catch {
    // `image.tar:name:tag` and registry-like references: let the image opener explain.
    return true;
  }
  if (st.isDirectory()) {
    return (
      (await stat(resolve(path, 'oci-layout')).then(
        () => true,
        () => false,
      )) &&
      (await stat(resolve(path, 'index.json')).then(
        () => true,
        () => false,
      ))
    );
  }
  const head = Buffer.alloc(512);
  const fh = await open(path, 'r');
  try {
    const { bytesRead } = await fh.read(head, 0, 512, 0);
    const isGzip = bytesRead >= 2 && head[0] === 0x1f && head[1] === 0x8b;
    const isTar = bytesRead >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar';
    return isGzip || isTar;
  } finally {
    await fh.close();
  }
}

export function registerSecrets(program: Command, io: CliIO): void {
  program
    .command('secrets')
    .description(
      'find leaked credentials in a folder, its git history or staged changes, or every layer of an image',
    )
    .argument(
      '[target]',
      'folder, file, git repository (with --git/--staged) or image (archive://, oci-dir://)',
      '.',
    )
    .option('--git', 'scan the git history of the target repository (added lines of every commit)')
    .option('--since <rev>', 'with --git: only commits after REV (REV..HEAD)')
    .option('--branch <name>', 'with --git: only this branch (default: all refs)')
    .option('--staged', 'scan only the staged changes (for pre-commit hooks)')
    .option('--no-ignore', 'also scan files excluded by .gitignore (same as --no-gitignore)')
    .option('--no-gitignore', 'also scan files excluded by .gitignore and .git/info/exclude')
    .option('--exclude <glob...>', 'leave out paths matching these globs (relative to the folder)')
    .option(
      '--include-generated',
      'also scan lock files (minified code, bundles and source maps are always scanned)',
    )
    .option(
      '-c, --config <file>',
      'config file (default: .bulwark.yaml in the target folder or the current folder)',
    )
    .option(
      '--baseline <file>',
      'accepted findings: only findings not in this file are reported and fail the run',
    )
    .option('--write-baseline <file>', 'write all current findings to FILE as a baseline')
    .addOption(
      new Option('-f, --format <format>', 'output format').choices([...OUTPUT_FORMATS]).default('table'),
    )
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .addOption(
      new Option('--fail-on <severity>', 'fail when a new finding is at or above this severity')
        .choices([...SEVERITIES])
        .default('low'),
    )
    .option('--exit-code <n>', 'exit code for a policy failure (default 1; 0 never fails)')
    .option(
      '--max-file-size <size>',
      'scan at most this much of each file (e.g. 256MiB, at most 2GiB)',
      '256MiB',
    )
    .option('--platform <os/arch[/variant]>', 'platform to pick from a multi-platform image')
    .addHelpText(
      'after',
      `
Examples:
  bulwark secrets .                          # working tree, honouring .gitignore
  bulwark secrets --git --since v1.2.0       # history since a tag
  bulwark secrets --staged                   # pre-commit hook
  bulwark secrets archive://image.tar -f sarif -o secrets.sarif
  bulwark secrets . --write-baseline .bulwark-secrets.json   # accept what is there today
  bulwark secrets . --baseline .bulwark-secrets.json         # then fail only on new ones

Secrets are never printed: findings show the first characters, the length and a fingerprint.`,
    )
    .action(async (target: string, flags: SecretsFlags) => {
      const exitCode = flags.exitCode === undefined ? 1 : Number(flags.exitCode);
      if (!Number.isInteger(exitCode) || exitCode < 0 || exitCode > 255) {
        throw new UsageError(
          `--exit-code must be an integer from 0 to 255, got ${JSON.stringify(flags.exitCode)}`,
        );
      }
      let maxFileBytes: number;
      try {
        maxFileBytes = parseFileSizeLimit(flags.maxFileSize, MAX_HOLDABLE_FILE_SIZE);
      } catch (err) {
        throw new UsageError(`--max-file-size: ${(err as Error).message}`);
      }
      const gitMode = flags.git === true || flags.since !== undefined || flags.branch !== undefined;
      if (gitMode && flags.staged) throw new UsageError('--staged and --git cannot be combined');
      const targetPath = resolve(io.cwd, target.replace(/^fs:\/\//, ''));
      const configDir = await stat(targetPath).then(
        (s) => (s.isDirectory() ? targetPath : io.cwd),
        () => io.cwd,
      );
      const loaded = loadConfig(configDir, flags.config ? resolve(io.cwd, flags.config) : undefined);
      const cfg = resolveSecretsConfig(loaded.data, loaded.path ?? '.bulwark.yaml');
      const engine = new SecretEngine({ rules: cfg.rules, allowRegexes: cfg.allowRegexes });
      const common = { engine, includeGenerated: flags.includeGenerated === true, skipPath: cfg.skipPath };

      // Parsed once here: an unknown `scheme://` is a usage error before anything is read.
      const parsed = gitMode || flags.staged ? undefined : parseTarget(target);
      let result: SecretScanResult;
      if (gitMode || flags.staged) {
        result = await scanGit({
          ...common,
          repo: targetPath,
          staged: flags.staged === true,
          skipCommit: cfg.skipCommit,
          ...(flags.since ? { since: flags.since } : {}),
          ...(flags.branch ? { branch: flags.branch } : {}),
        });
      } else if (parsed && (await isImageTarget(parsed, io.cwd))) {
        result = await scanImageSecrets(parsed, {
          cwd: io.cwd,
          ...(flags.platform ? { platform: flags.platform } : {}),
          ...common,
          maxFileBytes,
        });
      } else {
        result = await scanPath(targetPath, {
          ...common,
          noIgnore: !flags.ignore || !flags.gitignore,
          ...(flags.exclude?.length ? { exclude: flags.exclude } : {}),
          maxFileBytes,
        });
      }

      for (const p of result.problems) io.stderr.write(`bulwark: warning: ${p.path}: ${p.reason}\n`);
      if (flags.writeBaseline) writeBaseline(resolve(io.cwd, flags.writeBaseline), result.findings);
      const accepted = flags.baseline ? readBaseline(resolve(io.cwd, flags.baseline)) : new Set<string>();
      const fresh = result.findings.filter((f) => !accepted.has(baselineKey(f)));

      const text =
        flags.format === 'json'
          ? renderJson(result, fresh)
          : flags.format === 'sarif'
            ? renderSarif(fresh, cfg.rules)
            : renderTable(result, fresh);
      await emit(io, text, flags.output);
      const threshold = severityRank(flags.failOn);
      if (!flags.writeBaseline && exitCode !== 0 && fresh.some((f) => severityRank(f.severity) >= threshold))
        throw new ExitWith(exitCode);
    });
}
