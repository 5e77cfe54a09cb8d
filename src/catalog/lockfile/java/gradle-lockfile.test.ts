import { describe, expect, it } from 'vitest';
import { find, flags, runCataloger } from '../test-support/run.js';
import { gradleLockfileCataloger, isTestConfiguration } from './gradle-lockfile.js';

const lock = `# This is a Gradle generated file for dependency locking.
# Manual edits can break the build and are not advised.
# This file is expected to be part of source control.
com.google.guava:failureaccess:1.0.1=compileClasspath,runtimeClasspath
com.google.guava:guava:32.1.3-jre=compileClasspath,runtimeClasspath,testCompileClasspath
junit:junit:4.13.2=testCompileClasspath,testRuntimeClasspath
org.hamcrest:hamcrest-core:1.3=androidTestRuntimeClasspath,testRuntimeClasspath
broken-line=compileClasspath
empty=annotationProcessor
`;

describe('gradle.lockfile', () => {
  it('reads coordinates and marks test-only dependencies as dev', async () => {
    const r = await runCataloger(gradleLockfileCataloger, { '/proj/app/gradle.lockfile': lock });
    expect(flags(r)).toEqual([
      'com.google.guava:failureaccess@1.0.1 direct=undefined scope=prod',
      'com.google.guava:guava@32.1.3-jre direct=undefined scope=prod',
      'junit:junit@4.13.2 direct=undefined scope=dev',
      'org.hamcrest:hamcrest-core@1.3 direct=undefined scope=dev',
    ]);
    expect(find(r, 'junit:junit')).toMatchObject({
      purl: 'pkg:maven/junit/junit@4.13.2',
      metadata: { configurations: ['testCompileClasspath', 'testRuntimeClasspath'] },
    });
    expect(r.unknowns.map((u) => u.reason)).toEqual(['line 8: "broken-line" is not group:artifact:version']);
  });

  it('reads the legacy per-configuration layout and merges configurations', async () => {
    const r = await runCataloger(gradleLockfileCataloger, {
      '/proj/gradle/dependency-locks/compileClasspath.lockfile': '# comment\norg.slf4j:slf4j-api:2.0.9\n',
      '/proj/gradle/dependency-locks/testRuntimeClasspath.lockfile': 'junit:junit:4.13.2\n',
    });
    expect(flags(r)).toEqual([
      'junit:junit@4.13.2 direct=undefined scope=dev',
      'org.slf4j:slf4j-api@2.0.9 direct=undefined scope=prod',
    ]);
    expect(gradleLockfileCataloger.match('/x/some.lockfile')).toBe(false);
  });

  it.each([
    ['testRuntimeClasspath', true],
    ['androidTestRuntimeClasspath', true],
    ['testFixturesRuntimeClasspath', true],
    ['integrationTest', true],
    ['runtimeClasspath', false],
    ['kapt', false],
  ])('%s is a test configuration: %s', (name, expected) => {
    expect(isTestConfiguration(name)).toBe(expected);
  });
});
