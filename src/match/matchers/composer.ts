/** PHP packages: Packagist `vendor/package` names. */
import { languageMatcher } from './language.js';

export const composerMatcher = languageMatcher('packagist', 'composer', 'Packagist');
