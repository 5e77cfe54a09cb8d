/** Maven: `groupId:artifactId` (the cataloger's package name). Artifacts without a known group are not evaluated. */
import { languageMatcher } from './language.js';

export const mavenMatcher = languageMatcher('maven', 'maven', 'Maven', (p) =>
  p.name.includes(':')
    ? p.name
    : { missing: `no Maven groupId known for "${p.name}" (no pom.properties or manifest naming it)` },
);
