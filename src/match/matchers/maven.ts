/** Maven: `groupId:artifactId` (the cataloger's package name). Artifacts without a known group are not matched. */
import { languageMatcher } from './language.js';

export const mavenMatcher = languageMatcher('maven', 'maven', 'Maven', (p) =>
  p.name.includes(':') ? p.name : undefined,
);
