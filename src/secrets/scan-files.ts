/**
 * The folder/file target: walks a tree once with the shared folder walk (`.gitignore` at every level
 * and `.git/info/exclude` unless `noIgnore`, `--exclude` globs, never entering `.git`, never following
 * symlinks), and streams each file through the engine in fixed-size chunks.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { basename } from 'node:path';
import { walkFolder } from '../source/fs/walk.js';
import { fsError, oneLine } from '../util/errors.js';
import type { SecretEngine } from './engine.js';
import { isGeneratedPath } from './generated.js';
import { redact } from './redact.js';
import { FILE_RULES } from './rules/index.js';
import type { RedactedFinding, ScanProblem, ScanStats, SecretScanResult } from './types.js';

const CHUNK = 1024 * 1024;
let sharedReadBuffer: Buffer | undefined;
/** One read buffer for every file: reads are synchronous and the engine copies what it keeps. */
function readBuffer(): Buffer {
  sharedReadBuffer ??= Buffer.allocUnsafe(CHUNK);
  return sharedReadBuffer;
}

export const DEFAULT_MAX_FILE_BYTES = 256 * 1024 * 1024;

export interface FileScanOptions {
  readonly engine: SecretEngine;
  /** Include files excluded by `.gitignore` and `.git/info/exclude`. */
  readonly noIgnore?: boolean;
  /** Glob patterns relative to the folder to leave out (`--exclude`), as the `fs://` source applies them. */
  readonly exclude?: readonly string[];
  /** Scan lock files too. */
  readonly includeGenerated?: boolean;
  /** Paths (relative, forward slashes) to skip, e.g. from the config's allowlist. */
  readonly skipPath?: (relPath: string) => boolean;
  readonly maxFileBytes?: number;
}

export function newStats(): ScanStats {
  return { files: 0, bytes: 0, skippedBinary: 0, skippedGenerated: 0, skippedAllowlisted: 0 };
}

/** Scan a folder or a single file. */
export async function scanPath(target: string, options: FileScanOptions): Promise<SecretScanResult> {
  let st;
  try {
    st = await lstat(target);
  } catch (err) {
    throw fsError(err, target);
  }
  const findings: RedactedFinding[] = [];
  const problems: ScanProblem[] = [];
  const stats = newStats();
  if (st.isDirectory()) {
    await walk(target, options, { findings, problems, stats });
  } else {
    await scanOneFile(target, basename(target), options, { findings, problems, stats });
  }
  return { findings, problems, stats };
}

interface Sink {
  findings: RedactedFinding[];
  problems: ScanProblem[];
  stats: ScanStats;
}

/** The shared folder walk (src/source/fs/walk.ts): the same files the catalog's `fs://` source sees. */
async function walk(root: string, options: FileScanOptions, sink: Sink): Promise<void> {
  const entries = walkFolder(
    root,
    { gitignore: !options.noIgnore, ...(options.exclude ? { exclude: options.exclude } : {}) },
    (p) => sink.problems.push({ path: p.rel, reason: p.reason }),
  );
  // Symlinks, sockets and devices are not followed: a link's target is scanned where it lives.
  for (const entry of entries)
    if (entry.stats.isFile()) await scanOneFile(entry.abs, entry.rel, options, sink);
}

async function scanOneFile(abs: string, rel: string, options: FileScanOptions, sink: Sink): Promise<void> {
  if (options.skipPath?.(rel)) {
    sink.stats.skippedAllowlisted++;
    return;
  }
  if (!options.includeGenerated && isGeneratedPath(rel)) {
    sink.stats.skippedGenerated++;
    return;
  }
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  // Synchronous reads: one file at a time anyway, and on busy machines the thread-pool round trips of
  // async open/read/close cost more than the scanning of a typical small source file.
  let fd: number;
  try {
    fd = openSync(abs, 'r');
  } catch (err) {
    sink.problems.push({ path: rel, reason: oneLine(fsError(err, rel)) });
    return;
  }
  try {
    const scanner = options.engine.scanner({ sniffBinary: true, maxBytes });
    const buf = readBuffer();
    let first = true;
    for (;;) {
      const bytesRead = readSync(fd, buf, 0, CHUNK, null);
      if (bytesRead === 0) break;
      const chunk = buf.subarray(0, bytesRead);
      if (first) {
        first = false;
        const fileRule = FILE_RULES.find((r) => r.name.test(basename(rel)));
        if (fileRule && fileRule.magic(chunk)) {
          sink.findings.push(fileFinding(fileRule, rel, chunk));
        }
      }
      scanner.write(chunk);
      if (scanner.binary || scanner.truncated) break;
    }
    const found = scanner.end();
    if (scanner.binary) {
      sink.stats.skippedBinary++;
      return;
    }
    sink.stats.files++;
    sink.stats.bytes += scanner.bytes;
    if (scanner.truncated)
      sink.problems.push({
        path: rel,
        reason: `larger than ${maxBytes} bytes: only the beginning was scanned`,
      });
    for (const f of found) sink.findings.push({ ...f, path: rel });
  } catch (err) {
    sink.problems.push({ path: rel, reason: oneLine(fsError(err, rel)) });
  } finally {
    closeSync(fd);
  }
}

/** A key-store file is a finding by itself; its "secret" for fingerprinting is a hash of its first bytes. */
export function fileFinding(
  rule: (typeof FILE_RULES)[number],
  path: string,
  head: Uint8Array,
): RedactedFinding {
  const digest = Buffer.from(head.subarray(0, 4096)).toString('base64');
  const secret = redact(rule.id, digest);
  return {
    ruleId: rule.id,
    title: rule.title,
    severity: rule.severity,
    // The preview of binary content means nothing; show the file type instead.
    secret: { ...secret, preview: `${basename(path)}…`.slice(0, 40) },
    path,
    line: 1,
    column: 1,
    endLine: 1,
    endColumn: 1,
  };
}
