import { describe, expect, it } from 'vitest';
import { baseEcosystem, ecosystemMatches, normalizePackageName } from './ecosystem.js';

describe('ecosystem keys', () => {
  it.each([
    ['Debian:12', 'Debian'],
    ['Ubuntu:22.04:LTS', 'Ubuntu'],
    ['Alpine:v3.20', 'Alpine'],
    ['PyPI', 'PyPI'],
  ])('baseEcosystem(%s) = %s', (eco, base) => expect(baseEcosystem(eco)).toBe(base));

  it.each([
    ['PyPI', 'Django_REST.framework', 'django-rest-framework'],
    ['PyPI', 'zope.interface', 'zope-interface'],
    ['NuGet', 'Newtonsoft.Json', 'newtonsoft.json'],
    ['Packagist', 'Symfony/HTTP-Kernel', 'symfony/http-kernel'],
    ['npm', 'JSONStream', 'JSONStream'], // npm is case-sensitive for legacy names
    ['Go', 'github.com/BurntSushi/toml', 'github.com/BurntSushi/toml'],
    ['Maven', 'org.apache.logging.log4j:log4j-core', 'org.apache.logging.log4j:log4j-core'],
    ['Debian:12', 'libssl3', 'libssl3'],
  ])('normalizePackageName(%s, %s) = %s', (eco, name, key) =>
    expect(normalizePackageName(eco, name)).toBe(key),
  );

  it.each([
    ['Debian:12', 'Debian:12', true],
    ['debian:12', 'Debian:12', true],
    ['Debian:12', 'Debian:11', false],
    ['Debian', 'Debian:11', true],
    ['pypi', 'PyPI', true],
    ['npm', 'PyPI', false],
  ])('ecosystemMatches(%s, %s) = %s', (q, r, ok) => expect(ecosystemMatches(q, r)).toBe(ok));
});
