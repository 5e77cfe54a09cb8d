/**
 * Gradle dependency lock files: `gradle.lockfile` (one per project, Gradle 6+) with lines
 * `group:artifact:version=configuration1,configuration2`, and the older per-configuration files
 * `gradle/dependency-locks/<configuration>.lockfile` with bare `group:artifact:version` lines.
 *
 * A dependency used only by test configurations (`test…`, `…Test…`) is dev; the lock file does not
 * say which dependencies are direct, nor who depends on whom.
 */
import { posix } from 'node:path';
import type { DependencyScope } from '../../types.js';
import { defineLockCataloger, type LockBuilder, type LockFileInput } from '../common.js';

/** Test-only configurations: `testRuntimeClasspath`, `androidTestCompileClasspath`, `testFixtures…`. */
export function isTestConfiguration(name: string): boolean {
  return /^test/i.test(name) || /Test[A-Z]/.test(name) || /Test$/.test(name);
}

function parseGradleLockfile(input: LockFileInput, out: LockBuilder): void {
  const legacy = posix.basename(input.file.path) !== 'gradle.lockfile';
  const legacyConfiguration = legacy ? posix.basename(input.file.path, '.lockfile') : undefined;
  input.text.split(/\r?\n/).forEach((raw, idx) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    const coordinate = eq >= 0 ? line.slice(0, eq) : line;
    const configurations =
      eq >= 0
        ? line
            .slice(eq + 1)
            .split(',')
            .map((c) => c.trim())
            .filter(Boolean)
            .sort()
        : legacyConfiguration
          ? [legacyConfiguration]
          : [];
    if (coordinate === 'empty') return; // configurations that resolve to nothing
    const parts = coordinate.split(':');
    if (parts.length !== 3 || parts.some((p) => p === '')) {
      out.problem(`line ${idx + 1}: "${coordinate}" is not group:artifact:version`);
      return;
    }
    const [group, artifact, version] = parts as [string, string, string];
    const scope: DependencyScope | undefined =
      configurations.length === 0 ? undefined : configurations.every(isTestConfiguration) ? 'dev' : 'prod';
    const existing = out.get(`${group}:${artifact}@${version}`);
    if (existing) {
      // The legacy layout lists a dependency once per configuration file; here, once per line.
      const merged = [
        ...new Set([...((existing.metadata?.configurations as string[]) ?? []), ...configurations]),
      ].sort();
      existing.metadata = { ...existing.metadata, configurations: merged };
      if (existing.scope === 'dev' && scope === 'prod') existing.scope = 'prod';
      return;
    }
    out.add({
      name: `${group}:${artifact}`,
      version,
      type: 'maven',
      scope,
      metadata: { groupId: group, artifactId: artifact, configurations },
    });
  });
}

/** gradle.lockfile and gradle/dependency-locks/*.lockfile. */
export const gradleLockfileCataloger = defineLockCataloger({
  id: 'gradle-lockfile',
  version: 3,
  primary: (base, path) =>
    base === 'gradle.lockfile' || (base.endsWith('.lockfile') && path.includes('/gradle/dependency-locks/')),
  parse: parseGradleLockfile,
});
