/**
 * Test databases imported from the shared advisory corpus (../shared/vulndata), only the folders a test
 * needs, through the database module's own import API.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INSTALLED_CATALOGERS } from '../../catalog/registry/installed.js';
import { LOCKFILE_CATALOGERS } from '../../catalog/lockfile/index.js';
import { DEFAULT_CATALOGERS } from '../../catalog/registry.js';
import type { Cataloger } from '../../catalog/types.js';
import { importInputs } from '../../db/import.js';
import { SHARED_DIR } from '../../test-support/images.js';
import { prerequisite } from '../../test-support/require.js';

export const VULNDATA_DIR = join(SHARED_DIR, 'vulndata');

/** Folder of one OSV ecosystem export, e.g. `npm`, `Debian:12`. */
export function osvDir(ecosystem: string): string {
  return join(VULNDATA_DIR, 'osv', ecosystem);
}

export const KEV_DIR = join(VULNDATA_DIR, 'kev');

/** True when the shared corpus is present; warns loudly otherwise. */
export function haveVulndata(): boolean {
  const ok = existsSync(osvDir('npm')) && existsSync(osvDir('Debian:12')) && existsSync(KEV_DIR);
  return prerequisite(ok, `vulnerability-matching tests: ${VULNDATA_DIR} (npm, Debian:12, kev) is missing.`);
}

/** Import the given inputs into a fresh database in a temp dir; returns its path and the temp dir. */
export async function importTestDb(inputs: readonly string[]): Promise<{ dbPath: string; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-scan-test-'));
  const dbPath = join(dir, 'db', 'bulwark.sqlite');
  await importInputs(inputs, { dbPath });
  return { dbPath, dir };
}

/** OS, installed-package and lock-file catalogers, each once (the default registry may not list them all yet). */
export function allCatalogers(): Cataloger[] {
  const byId = new Map<string, Cataloger>();
  for (const c of [...DEFAULT_CATALOGERS, ...INSTALLED_CATALOGERS, ...LOCKFILE_CATALOGERS])
    if (!byId.has(c.id)) byId.set(c.id, c);
  return [...byId.values()];
}
