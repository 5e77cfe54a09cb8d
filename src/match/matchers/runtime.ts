/**
 * Runtimes found by file (`binary` packages from the runtime catalogers: a Go toolchain unpacked from
 * the official tarball, node, CPython, a JDK) are matched against the runtime project's OWN advisories
 * where OSV has them: the Go toolchain is the Go `stdlib` module. Node.js, CPython and OpenJDK publish
 * no advisories in an OSV package ecosystem, so those runtimes are reported as not evaluated (never as
 * "not affected"); a runtime installed by the OS package manager is matched through its OS package.
 */
import { goToolchainVersion } from './golang.js';
import { skip, type MatchPlan, type Matcher } from './types.js';

const PRODUCTS: Readonly<Record<string, string>> = {
  node: 'Node.js',
  python: 'CPython',
  openjdk: 'OpenJDK',
};

export const runtimeMatcher: Matcher = {
  id: 'runtime',
  types: ['binary'],
  plan(pkg): MatchPlan {
    if (!pkg.version) return skip('no-version', 'no version recorded', 'no version to compare');
    if (pkg.name === 'go' && pkg.foundBy === 'runtime-go')
      return { queries: [{ ecosystem: 'Go', name: 'stdlib', version: goToolchainVersion(pkg.version) }] };
    const product = PRODUCTS[pkg.name] ?? pkg.name;
    const text = `no advisory data for the ${product} runtime (its project publishes no advisories in an OSV ecosystem)`;
    return skip('no-advisory-source', text, text);
  },
};
