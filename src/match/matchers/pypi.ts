/** PyPI: the PEP 503 normalised name (`Foo_Bar.baz` → `foo-bar-baz`), as PyPA advisories compare names. */
import { languageMatcher } from './language.js';

export function pep503(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

export const pypiMatcher = languageMatcher('pypi', 'pypi', 'PyPI', (p) => pep503(p.name));
