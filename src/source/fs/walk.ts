/**
 * The one folder walk: every command that reads a folder (the `fs://` source the catalog uses, the
 * secret scanner, `bulwark lint`'s Dockerfile discovery, the extra scanners of `bulwark scan`) goes
 * through here, so they all see the same files.
 *
 * - entries in sorted order (by UTF-16 code unit), depth first;
 * - `.git` folders are never entered; symbolic links are reported, never followed (so no loops);
 * - git's ignore rules, unless `gitignore: false`: `.gitignore` in every folder (patterns relative to
 *   that folder, deeper files override shallower ones, `!negation` re-includes), plus the repository's
 *   `.git/info/exclude` at the root; an ignored folder is not entered (as in git, a file inside an
 *   excluded folder cannot be re-included);
 * - `exclude` globs (picomatch, relative to the root, dot files included): a path is left out when it
 *   or one of its folders matches (`dist`, `dist/`, `**\/*.log`, `test/**`).
 */
import { type Stats, lstatSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import picomatch from 'picomatch';
import { fsError } from '../../util/errors.js';

export interface FolderWalkOptions {
  /** Honour `.gitignore` files and `.git/info/exclude` (default true). */
  readonly gitignore?: boolean;
  /** Glob patterns relative to the root to leave out. */
  readonly exclude?: readonly string[];
  /** How deep to go: 0 lists the root folder's entries only (default: unlimited). */
  readonly maxDepth?: number;
  readonly signal?: AbortSignal;
}

/** One entry of the walk. */
export interface FolderEntry {
  /** Path relative to the root, forward slashes, no leading slash (`src/app.ts`). */
  readonly rel: string;
  readonly abs: string;
  /** `lstat` of the entry (symbolic links are not followed). */
  readonly stats: Stats;
}

/** A folder or entry that could not be read: reported, the walk goes on. */
export interface FolderProblem {
  readonly rel: string;
  readonly reason: string;
}

interface IgnoreScope {
  /** Folder of the ignore file, relative to the root ('' for the root). */
  readonly base: string;
  readonly rules: Ignore;
}

function readIgnore(path: string): Ignore | undefined {
  try {
    return ignore().add(readFileSync(path, 'utf8'));
  } catch {
    // An unreadable or missing ignore file is treated as absent.
    return undefined;
  }
}

/** git's answer for `rel`: the last scope with an opinion wins (deeper `.gitignore` files come later). */
function isIgnored(scopes: readonly IgnoreScope[], rel: string, isDir: boolean): boolean {
  let ignored = false;
  for (const s of scopes) {
    if (s.base && !rel.startsWith(`${s.base}/`)) continue;
    const sub = s.base ? rel.slice(s.base.length + 1) : rel;
    const r = s.rules.test(isDir ? `${sub}/` : sub);
    if (r.ignored) ignored = true;
    else if (r.unignored) ignored = false;
  }
  return ignored;
}

/** A matcher for `--exclude` globs; a folder is matched both as `dir` and `dir/`. */
export function excludeMatcher(
  globs: readonly string[] | undefined,
): ((rel: string, isDir: boolean) => boolean) | undefined {
  if (!globs?.length) return undefined;
  const match = picomatch([...globs], { dot: true });
  return (rel, isDir) => match(rel) || (isDir && match(`${rel}/`));
}

/**
 * Walk `root` (which must be a folder). Folders are yielded before their contents; an excluded or
 * ignored folder is neither yielded nor entered.
 */
export function* walkFolder(
  root: string,
  options: FolderWalkOptions = {},
  onProblem?: (problem: FolderProblem) => void,
): Generator<FolderEntry> {
  const useIgnore = options.gitignore !== false;
  const excluded = excludeMatcher(options.exclude);
  const maxDepth = options.maxDepth ?? Number.POSITIVE_INFINITY;
  const rootScopes: IgnoreScope[] = [];
  if (useIgnore) {
    const info = readIgnore(join(root, '.git', 'info', 'exclude'));
    if (info) rootScopes.push({ base: '', rules: info });
  }
  interface Frame {
    readonly rel: string;
    readonly dirAbs: string;
    readonly depth: number;
    readonly names: string[];
    readonly scopes: IgnoreScope[];
    next: number;
  }
  const open = (rel: string, depth: number, scopes: IgnoreScope[]): Frame | undefined => {
    options.signal?.throwIfAborted();
    const dirAbs = rel ? join(root, rel) : root;
    let names: string[];
    try {
      names = readdirSync(dirAbs).sort();
    } catch (err) {
      onProblem?.({ rel: rel || '.', reason: fsError(err, dirAbs).message });
      return undefined;
    }
    let here = scopes;
    if (useIgnore && names.includes('.gitignore')) {
      const rules = readIgnore(join(dirAbs, '.gitignore'));
      if (rules) here = [...scopes, { base: rel, rules }];
    }
    return { rel, dirAbs, depth, names, scopes: here, next: 0 };
  };
  // An explicit stack instead of recursion (deep trees cannot overflow the call stack); a folder's
  // contents come right after the folder itself, as a recursive walk would give them.
  const first = open('', 0, rootScopes);
  const stack: Frame[] = first ? [first] : [];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    if (frame.next >= frame.names.length) {
      stack.pop();
      continue;
    }
    const name = frame.names[frame.next++]!;
    const childRel = frame.rel ? `${frame.rel}/${name}` : name;
    const abs = join(frame.dirAbs, name);
    let stats: Stats;
    try {
      stats = lstatSync(abs);
    } catch (err) {
      onProblem?.({ rel: childRel, reason: fsError(err, abs).message });
      continue;
    }
    const isDir = stats.isDirectory();
    if (isDir && name === '.git') continue;
    if (excluded?.(childRel, isDir)) continue;
    if (useIgnore && isIgnored(frame.scopes, childRel, isDir)) continue;
    yield { rel: childRel, abs, stats };
    if (isDir && frame.depth < maxDepth) {
      const child = open(childRel, frame.depth + 1, frame.scopes);
      if (child) stack.push(child);
    }
  }
}
