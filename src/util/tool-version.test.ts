import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BULWARK_VERSION } from './tool-version.js';

describe('BULWARK_VERSION', () => {
  it("is the package's own version", () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(BULWARK_VERSION).toBe(pkg.version);
    expect(BULWARK_VERSION).toMatch(/^\d+\.\d+\.\d+/);
  });
});
