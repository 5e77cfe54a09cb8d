/**
 * The git target: every commit's ADDED lines (`git log -p -U0`), or only the staged changes
 * (`git diff --cached`). Output is parsed as a stream, so history size does not bound memory; each
 * (commit, file) pair is one engine text whose lines map back to the file's line numbers.
 */
import { spawn } from 'node:child_process';
import { InputError, oneLine } from '../util/errors.js';
import type { SecretEngine, TextScanner } from './engine.js';
import { isGeneratedPath } from './generated.js';
import type { CommitInfo, RedactedFinding, ScanProblem, SecretScanResult } from './types.js';
import { newStats } from './scan-files.js';
import { pushAll } from '../util/arrays.js';

/** Longer diff lines are cut here: a minified bundle in history must not hold a 1 GB line in memory. */
const MAX_LINE = 1024 * 1024;
const COMMIT_MARK = '\x1ecommit ';

export interface GitScanOptions {
  readonly engine: SecretEngine;
  /** Repository (or any folder inside it). */
  readonly repo: string;
  /** Only commits after this revision (`REV..HEAD`). */
  readonly since?: string;
  /** Only this branch (default: every ref). */
  readonly branch?: string;
  /** Scan the staged changes instead of the history. */
  readonly staged?: boolean;
  readonly includeGenerated?: boolean;
  readonly skipPath?: (relPath: string) => boolean;
  /** Commits (full or abbreviated ids) whose findings are accepted. */
  readonly skipCommit?: (id: string) => boolean;
  /** `git` executable (tests may point elsewhere). */
  readonly gitCommand?: string;
}

/** Arguments for `git`: plain output whatever the user's config says (colour, pager, external diff). */
export function gitArgs(options: Pick<GitScanOptions, 'since' | 'branch' | 'staged'>): string[] {
  const common = ['-c', 'core.quotePath=false', '-c', 'diff.noprefix=false', '-c', 'color.ui=never'];
  const diff = [
    '-p',
    '--no-color',
    '--no-ext-diff',
    '--no-textconv',
    '--unified=0',
    '--diff-filter=AMRC',
    '--no-renames',
  ];
  if (options.staged) return [...common, 'diff', '--cached', ...diff];
  for (const rev of [options.since, options.branch]) {
    if (rev !== undefined && (rev.startsWith('-') || rev.length === 0))
      throw new InputError('E_GIT', `invalid revision: ${rev}`);
  }
  const range = options.since
    ? [`${options.since}..${options.branch ?? 'HEAD'}`]
    : options.branch
      ? [options.branch]
      : ['--all'];
  return [...common, 'log', ...diff, '--format=%x1ecommit %H%x1f%an%x1f%ae%x1f%aI', ...range, '--'];
}

/** Undo git's C-style quoting of unusual paths (`"a\tb"`). */
export function unquoteGitPath(p: string): string {
  if (!p.startsWith('"') || !p.endsWith('"')) return p;
  const bytes: number[] = [];
  const body = p.slice(1, -1);
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c !== '\\') {
      pushAll(bytes, Buffer.from(c, 'utf8'));
      continue;
    }
    const n = body[++i] ?? '';
    if (/[0-7]/.test(n)) {
      bytes.push(parseInt(body.slice(i, i + 3), 8));
      i += 2;
    } else {
      bytes.push(
        ({ n: 10, t: 9, r: 13, '"': 34, '\\': 92, a: 7, b: 8, f: 12, v: 11 } as Record<string, number>)[n] ??
          n.charCodeAt(0),
      );
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

interface OpenFile {
  readonly path: string;
  readonly scanner: TextScanner;
  /** (engine line, file line) at the start of each hunk, in order. */
  readonly hunks: Array<[number, number]>;
  textLines: number;
}

/** Parses `git log -p` / `git diff` output line by line and feeds added lines to the engine. */
export class DiffParser {
  private commit: CommitInfo | undefined;
  private file: OpenFile | undefined;
  private oldLeft = 0;
  private newLeft = 0;
  private skipFile = false;
  readonly findings: RedactedFinding[] = [];
  readonly stats = newStats();
  commits = 0;

  constructor(private readonly options: GitScanOptions) {}

  line(text: string): void {
    if (this.oldLeft > 0 || this.newLeft > 0) {
      const tag = text[0];
      if (tag === '+') {
        this.newLeft--;
        this.added(text.slice(1));
        return;
      }
      if (tag === '-') {
        this.oldLeft--;
        return;
      }
      if (tag === ' ') {
        this.oldLeft--;
        this.newLeft--;
        return;
      }
      if (tag === '\\') return; // "\ No newline at end of file"
      // Anything else ends the hunk early (should not happen with well-formed output).
      this.oldLeft = 0;
      this.newLeft = 0;
    }
    if (text.startsWith(COMMIT_MARK)) {
      this.closeFile();
      const [id = '', author = '', email = '', date = ''] = text.slice(COMMIT_MARK.length).split('\x1f');
      this.commit = { id, author, email, date };
      this.commits++;
      return;
    }
    if (text.startsWith('diff --git ')) {
      this.closeFile();
      return;
    }
    if (text.startsWith('+++ ')) {
      this.closeFile();
      const raw = unquoteGitPath(text.slice(4));
      if (raw === '/dev/null') return;
      const path = raw.startsWith('b/') ? raw.slice(2) : raw;
      this.openFile(path);
      return;
    }
    const hunk = /^@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(text);
    if (hunk) {
      this.oldLeft = hunk[1] === undefined ? 1 : Number(hunk[1]);
      this.newLeft = hunk[3] === undefined ? 1 : Number(hunk[3]);
      const f = this.file;
      if (f) f.hunks.push([f.textLines + 1, Number(hunk[2])]);
    }
  }

  private openFile(path: string): void {
    const o = this.options;
    this.skipFile =
      (o.skipPath?.(path) ?? false) ||
      (!o.includeGenerated && isGeneratedPath(path)) ||
      (this.commit !== undefined && (o.skipCommit?.(this.commit.id) ?? false));
    if (this.skipFile) {
      this.stats.skippedAllowlisted++;
      return;
    }
    this.file = { path, scanner: o.engine.scanner(), hunks: [], textLines: 0 };
  }

  private added(text: string): void {
    const f = this.file;
    if (!f || this.skipFile) return;
    if (f.textLines > 0) f.scanner.writeText('\n');
    f.scanner.writeText(text);
    f.textLines++;
  }

  private closeFile(): void {
    const f = this.file;
    this.file = undefined;
    this.oldLeft = 0;
    this.newLeft = 0;
    if (!f) return;
    const found = f.scanner.end();
    this.stats.files++;
    this.stats.bytes += f.scanner.bytes;
    for (const finding of found) {
      const toFile = (textLine: number): number => {
        let mapped = textLine;
        for (const [start, fileLine] of f.hunks)
          if (start <= textLine) mapped = fileLine + (textLine - start);
        return mapped;
      };
      this.findings.push({
        ...finding,
        line: toFile(finding.line),
        endLine: toFile(finding.endLine),
        path: f.path,
        ...(this.commit ? { commit: this.commit } : {}),
      });
    }
  }

  end(): void {
    this.closeFile();
  }
}

/** Run git and scan its diff output. A git failure (not a repository, bad revision, corruption) is an InputError. */
export async function scanGit(options: GitScanOptions): Promise<SecretScanResult> {
  const args = gitArgs(options);
  const parser = new DiffParser(options);
  const problems: ScanProblem[] = [];
  await new Promise<void>((resolve, reject) => {
    const child = spawn(options.gitCommand ?? 'git', ['-C', options.repo, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, GIT_PAGER: 'cat', LC_ALL: 'C', GIT_CONFIG_NOSYSTEM: '1' },
    });
    let stderr = '';
    let pending: Buffer[] = [];
    let pendingLen = 0;
    let overlong = false;
    const decoder = new TextDecoder('utf-8', { fatal: false });
    const emit = (bytes: Buffer): void => {
      let text = decoder.decode(bytes);
      if (text.endsWith('\r')) text = text.slice(0, -1);
      parser.line(text);
    };
    child.stdout.on('data', (chunk: Buffer) => {
      let start = 0;
      for (let nl = chunk.indexOf(10, start); nl >= 0; nl = chunk.indexOf(10, start)) {
        const piece = chunk.subarray(start, nl);
        if (!overlong) {
          const room = MAX_LINE - pendingLen;
          pending.push(piece.length > room ? piece.subarray(0, room) : piece);
        }
        emit(Buffer.concat(pending));
        pending = [];
        pendingLen = 0;
        overlong = false;
        start = nl + 1;
      }
      const rest = chunk.subarray(start);
      if (!overlong && rest.length > 0) {
        const room = MAX_LINE - pendingLen;
        // Copy: the stream may reuse its buffer.
        pending.push(Buffer.from(rest.subarray(0, Math.min(room, rest.length))));
        pendingLen += Math.min(room, rest.length);
        if (pendingLen >= MAX_LINE) overlong = true;
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 8192) stderr += chunk.toString('utf8');
    });
    child.on('error', (err) =>
      reject(new InputError('E_GIT', `cannot run git: ${oneLine(err)}`, { cause: err })),
    );
    child.on('close', (code) => {
      if (pendingLen > 0) emit(Buffer.concat(pending));
      parser.end();
      if (code === 0) resolve();
      else {
        const first = stderr.split('\n').find((l) => l.trim() !== '') ?? `exit code ${code}`;
        reject(
          new InputError(
            'E_GIT',
            `git ${options.staged ? 'diff' : 'log'} failed in ${options.repo}: ${first.replace(/^fatal:\s*/, '')}`,
          ),
        );
      }
    });
  });
  return { findings: parser.findings, problems, stats: parser.stats };
}
