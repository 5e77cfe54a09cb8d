/**
 * Go: the module path; the toolchain compiled into a binary is the `stdlib` module (Go's advisories
 * name it so). Pseudo-versions are real versions; `(devel)` main modules have none and are not
 * evaluated. Toolchain versions are written the way Go's advisories write them (`1.22rc1` →
 * `1.22.0-rc.1`, `1.20` → `1.20.0`).
 */
import { languageMatcher } from './language.js';

/** A Go toolchain version (`go` prefix optional) as the Go vulnerability database writes it. */
export function goToolchainVersion(v: string): string {
  const body = v.startsWith('go') ? v.slice(2) : v;
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?(?:(rc|beta)(\d+))?$/.exec(body);
  if (!m) return body;
  const [, major, minor, patch, pre, n] = m;
  return `${major}.${minor}.${patch ?? '0'}${pre ? `-${pre}.${n}` : ''}`;
}

export const golangMatcher = languageMatcher('go-module', 'golang', 'Go', undefined, (p) => {
  if (!p.version || p.version === '(devel)')
    return { missing: `no version (${p.version ? 'a (devel) build' : 'none recorded'})` };
  return p.name === 'stdlib' ? goToolchainVersion(p.version) : p.version;
});
