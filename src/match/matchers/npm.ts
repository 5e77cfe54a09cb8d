/** npm: names as published, scope included (`@types/node`). */
import { languageMatcher } from './language.js';

export const npmMatcher = languageMatcher('npm', 'npm', 'npm');
