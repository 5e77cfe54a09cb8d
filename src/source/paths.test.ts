import { describe, expect, it } from 'vitest';
import { normalizeEntryPath, resolveLinkTarget } from './paths.js';

describe('normalizeEntryPath', () => {
  it.each([
    ['./usr/bin/', '/usr/bin'],
    ['usr/bin/env', '/usr/bin/env'],
    ['/abs/ok.txt', '/abs/ok.txt'],
    ['./', '/'],
    ['.', '/'],
    ['a//b', '/a/b'],
    ['a/./b', '/a/b'],
    ['a/b/../c', '/a/c'],
    ['.hidden/.wh..wh..opq', '/.hidden/.wh..wh..opq'],
    ['a/..b/c..', '/a/..b/c..'],
    ['etc/...', '/etc/...'],
  ])('%s → %s', (name, path) => {
    expect(normalizeEntryPath(name)).toEqual({ ok: true, path });
  });

  it.each(['../etc/passwd', 'a/../../etc', '/..', 'a\0b'])('refuses %j', (name) => {
    expect(normalizeEntryPath(name).ok).toBe(false);
  });
});

describe('resolveLinkTarget', () => {
  it.each([
    ['/etc/os-release', '../usr/lib/os-release', '/usr/lib/os-release'],
    ['/etc/x', '/usr/lib/y', '/usr/lib/y'],
    ['/etc/x', '../../../../y', '/y'],
    ['/lib', 'usr/lib', '/usr/lib'],
  ])('%s -> %s resolves to %s', (link, target, out) => {
    expect(resolveLinkTarget(link, target)).toBe(out);
  });
});
