import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheDir } from './cache-dir.js';

describe('cacheDir', () => {
  it.each([
    [{ BULWARK_CACHE_DIR: '/srv/bw', XDG_CACHE_HOME: '/x', HOME: '/home/u' }, '/srv/bw'],
    [{ BULWARK_CACHE_DIR: 'rel/dir', HOME: '/home/u' }, resolve('rel/dir')],
    [{ XDG_CACHE_HOME: '/var/cache/u', HOME: '/home/u' }, join('/var/cache/u', 'bulwark')],
    [{ XDG_CACHE_HOME: 'relative', HOME: '/home/u' }, join('/home/u', '.cache', 'bulwark')], // XDG: relative values are ignored
    [{ BULWARK_CACHE_DIR: '  ', HOME: '/home/u' }, join('/home/u', '.cache', 'bulwark')],
  ])('%j → %s', (env, expected) => {
    expect(cacheDir(env)).toBe(expected);
  });
});
