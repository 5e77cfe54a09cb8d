import { describe, expect, it } from 'vitest';
import { pep503 } from './pep503.js';

describe('pep503', () => {
  it('lower-cases and folds runs of -, _ and . into one -', () => {
    expect(pep503('Foo.Bar__baz--Qux')).toBe('foo-bar-baz-qux');
    expect(pep503('Foo_Bar.baz')).toBe('foo-bar-baz');
    expect(pep503('requests')).toBe('requests');
  });
});
