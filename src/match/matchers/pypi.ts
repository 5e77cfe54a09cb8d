/** PyPI: the PEP 503 normalised name (`Foo_Bar.baz` → `foo-bar-baz`), as PyPA advisories compare names. */
import { pep503 } from '../../util/pep503.js';
import { languageMatcher } from './language.js';

export const pypiMatcher = languageMatcher('pypi', 'pypi', 'PyPI', (p) => pep503(p.name));
