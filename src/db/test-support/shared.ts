/** Locating the shared real-world vulnerability data (`../shared/vulndata` beside the repository) for tests. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipSync, type Zippable } from 'fflate';
import { prerequisite } from '../../test-support/require.js';

/** The repository root (this file is src/db/test-support/shared.ts). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const VULNDATA_DIR = resolve(REPO_ROOT, '..', 'shared', 'vulndata');
export const OSV_DIR = join(VULNDATA_DIR, 'osv');
export const KEV_FILE = join(VULNDATA_DIR, 'kev', 'known_exploited_vulnerabilities.json');
export const HAVE_VULNDATA = prerequisite(
  existsSync(OSV_DIR) && existsSync(KEV_FILE),
  `tests that need the shared vulnerability data: ${VULNDATA_DIR} is missing`,
);

/** Zip one ecosystem folder of the shared OSV data the way the export serves it: flat `<ID>.json` entries. */
export function zipEcosystem(ecosystem: string): Uint8Array {
  const dir = join(OSV_DIR, ecosystem);
  const files: Zippable = {};
  for (const name of readdirSync(dir).sort()) files[name] = readFileSync(join(dir, name));
  return zipSync(files, { level: 1 });
}

/** Count `<ID>.json` files and withdrawn records in one ecosystem folder (the expected import result). */
export function countEcosystem(ecosystem: string): { files: number; withdrawn: number } {
  const dir = join(OSV_DIR, ecosystem);
  let files = 0;
  let withdrawn = 0;
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.json')) continue;
    files++;
    const data = JSON.parse(readFileSync(join(dir, name), 'utf8')) as { withdrawn?: unknown };
    if (data.withdrawn) withdrawn++;
  }
  return { files, withdrawn };
}
