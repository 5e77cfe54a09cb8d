/**
 * Go: the module path; the toolchain compiled into a binary is the `stdlib` module (Go's advisories
 * name it so). Pseudo-versions are real versions; `(devel)` main modules have none and are not matched.
 */
import { languageMatcher } from './language.js';

export const golangMatcher = languageMatcher('go-module', 'golang', 'Go', undefined, (p) =>
  !p.version || p.version === '(devel)' ? undefined : p.version,
);
