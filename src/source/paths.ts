/** Path handling for entries of untrusted archives: everything is confined to the image root. */

export type NormalizedPath = { ok: true; path: string } | { ok: false; reason: string };

/**
 * Normalise a tar entry name to an absolute path inside the root: `./usr/bin/` → `/usr/bin`.
 * Leading `/` is accepted (Docker applies such entries relative to the root). A `..` that would climb
 * above the root is refused: such entries are hostile and skipped.
 */
/** Names that are already clean apart from a leading `./` or `/` and a trailing `/` (the common case). */
const CLEAN =
  /^(?:\.\/|\/)?((?:[^/.\0][^/\0]*|\.[^/.\0][^/\0]*|\.\.[^/\0]+)(?:\/(?:[^/.\0][^/\0]*|\.[^/.\0][^/\0]*|\.\.[^/\0]+))*)\/?$/;

export function normalizeEntryPath(name: string): NormalizedPath {
  // Fast path: no empty, `.` or `..` segments to resolve (checked by one regex instead of a split/join).
  const clean = CLEAN.exec(name);
  if (clean) return { ok: true, path: `/${clean[1]}` };
  if (name.includes('\0')) return { ok: false, reason: 'entry name contains a NUL byte' };
  const out: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) return { ok: false, reason: `entry path "${name}" escapes the root with ".."` };
      out.pop();
      continue;
    }
    out.push(part);
  }
  return { ok: true, path: `/${out.join('/')}` };
}

/** Join a symlink target to the directory holding the link, staying inside the root (`..` stops at `/`). */
export function resolveLinkTarget(linkPath: string, target: string): string {
  const base = target.startsWith('/') ? [] : parentOf(linkPath).split('/').filter(Boolean);
  for (const part of target.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') base.pop();
    else base.push(part);
  }
  return `/${base.join('/')}`;
}

export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
