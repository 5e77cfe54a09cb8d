import { describe, expect, it } from 'vitest';
import { OS_CATALOGERS } from './os.js';

describe('OS_CATALOGERS', () => {
  it('lists each cataloger once with a stable kebab-case id, a version and history on', () => {
    const ids = OS_CATALOGERS.map((c) => c.id);
    expect(ids).toEqual(['dpkg-db', 'apk-db', 'rpm-db']);
    for (const c of OS_CATALOGERS) {
      expect(c.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(Number.isInteger(c.version) && c.version > 0).toBe(true);
      expect(c.history).toBe(true);
    }
  });

  it('have disjoint path claims for their databases', () => {
    const paths = ['/var/lib/dpkg/status', '/lib/apk/db/installed', '/var/lib/rpm/rpmdb.sqlite'];
    for (const p of paths) expect(OS_CATALOGERS.filter((c) => c.match(p))).toHaveLength(1);
  });
});
