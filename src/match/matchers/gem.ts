/** Ruby gems: RubyGems names as published. */
import { languageMatcher } from './language.js';

export const gemMatcher = languageMatcher('rubygems', 'gem', 'RubyGems');
