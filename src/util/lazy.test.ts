import { describe, expect, it } from 'vitest';
import { lazyRequire } from './lazy.js';

describe('lazyRequire', () => {
  it('loads the module on first use and returns the same instance after', () => {
    const load = lazyRequire<typeof import('yaml')>('yaml');
    const first = load();
    expect(first.parse('a: 1')).toEqual({ a: 1 });
    expect(load()).toBe(first);
  });

  it('reports a missing module when used, not when declared', () => {
    const load = lazyRequire<unknown>('bulwark-no-such-module');
    expect(() => load()).toThrow(/bulwark-no-such-module/);
  });
});
