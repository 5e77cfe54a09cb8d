import { describe, expect, it } from 'vitest';
import { BulwarkError } from '../util/errors.js';
import { resolveOffline } from './offline.js';

const none = { data: {} };
const cfg = (db: unknown) => ({ data: { db }, path: '/w/.bulwark.yaml' });

describe('resolveOffline', () => {
  it('is off by default', () => {
    expect(resolveOffline(undefined, {}, none)).toEqual({ offline: false });
  });

  it('takes --offline, then BULWARK_OFFLINE, then db.offline', () => {
    expect(resolveOffline(true, { BULWARK_OFFLINE: '0' }, cfg({ offline: false }))).toEqual({
      offline: true,
      source: '--offline',
    });
    expect(resolveOffline(undefined, { BULWARK_OFFLINE: '1' }, none)).toEqual({
      offline: true,
      source: 'BULWARK_OFFLINE=1',
    });
    expect(resolveOffline(undefined, { BULWARK_OFFLINE: 'true' }, none).offline).toBe(true);
    expect(resolveOffline(undefined, {}, cfg({ offline: true }))).toEqual({
      offline: true,
      source: '/w/.bulwark.yaml: db.offline',
    });
    // BULWARK_OFFLINE=0 turns a configured offline off for one run.
    expect(resolveOffline(undefined, { BULWARK_OFFLINE: '0' }, cfg({ offline: true })).offline).toBe(false);
    expect(resolveOffline(undefined, {}, cfg({ 'max-age': '7d' })).offline).toBe(false);
  });

  it('refuses values it cannot read, in one line', () => {
    const err = (f: () => unknown): BulwarkError => {
      try {
        f();
      } catch (e) {
        return e as BulwarkError;
      }
      throw new Error('no error');
    };
    expect(err(() => resolveOffline(undefined, { BULWARK_OFFLINE: 'maybe' }, none)).exitCode).toBe(2);
    const bad = err(() => resolveOffline(undefined, {}, cfg({ offline: 'yes' })));
    expect(bad.exitCode).toBe(3);
    expect(bad.message).toBe('/w/.bulwark.yaml: db.offline must be true or false, got "yes"');
    expect(err(() => resolveOffline(undefined, {}, cfg(['x']))).message).toMatch(/db: expected a mapping/);
  });
});
