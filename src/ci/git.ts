/**
 * The git facts `bulwark ci` needs: the repository root, HEAD, and the start of the change (the merge
 * base of HEAD and the base ref the CI names, or `--since`). A base ref that is not in the clone (a
 * shallow checkout) is reported and the history part of the secrets check is left out, never guessed.
 */
import { execFileSync } from 'node:child_process';
import { InputError } from '../util/errors.js';

function git(cwd: string, args: readonly string[]): string | undefined {
  try {
    return execFileSync('git', ['-c', 'color.ui=never', ...args], {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 16 * 1024 * 1024,
    }).trim();
  } catch {
    return undefined;
  }
}

/** The work tree's top folder, or undefined outside a git repository. */
export function gitRoot(cwd: string): string | undefined {
  return git(cwd, ['rev-parse', '--show-toplevel']) || undefined;
}

/** The commit id a revision names, or undefined when the clone does not have it. */
export function resolveCommit(root: string, rev: string): string | undefined {
  if (rev.startsWith('-')) throw new InputError('E_GIT', `invalid revision: ${rev}`);
  return git(root, ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]) || undefined;
}

export interface ChangeRange {
  /** Commit id the change starts after. */
  readonly since: string;
  readonly head: string;
}

/**
 * The change's commits as `since..HEAD`: `explicit` (`--since`) as given; else the CI's base ref —
 * a branch name is looked up as `origin/NAME`, then `NAME` — and its merge base with HEAD, so commits
 * that landed on the base branch meanwhile are not counted as the change's.
 */
export function changeRange(
  root: string,
  options: { readonly explicit?: string; readonly baseRef?: string },
  onWarning: (m: string) => void,
): ChangeRange | undefined {
  const head = resolveCommit(root, 'HEAD');
  if (!head) return undefined;
  if (options.explicit !== undefined) {
    const since = resolveCommit(root, options.explicit);
    if (!since) throw new InputError('E_GIT', `--since ${options.explicit}: no such revision in ${root}`);
    return { since, head };
  }
  const base = options.baseRef;
  if (!base) return undefined;
  const candidates = /^[0-9a-f]{7,40}$/i.test(base)
    ? [base]
    : [`origin/${base}`, base, `refs/remotes/origin/${base}`];
  for (const c of candidates) {
    const id = resolveCommit(root, c);
    if (!id) continue;
    const mergeBase = git(root, ['merge-base', id, head]) || id;
    return { since: mergeBase, head };
  }
  onWarning(
    `base ${base} is not in this clone (shallow checkout?): the change's commits are not scanned for secrets; fetch the history (GitHub: fetch-depth: 0; GitLab: GIT_DEPTH: 0) or pass --since`,
  );
  return undefined;
}
