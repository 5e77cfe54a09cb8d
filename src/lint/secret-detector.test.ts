import { describe, expect, it } from 'vitest';
import { defaultSecretDetector } from './secret-detector.js';

describe('secret detector hook', () => {
  it('recognises a token by its content and ignores ordinary values', () => {
    const detect = defaultSecretDetector();
    // Built at run time so the source holds no token-shaped literal.
    const token = ['AKIA', 'Q7RZ2M4XK8PL3VWN'].join('');
    expect(detect(token)).toBeTruthy();
    expect(detect('/usr/local/bin')).toBeUndefined();
    expect(detect('production')).toBeUndefined();
  });
});
