/** Where the vulnerability database lives by default. */
import { join } from 'node:path';
import { cacheDir } from '../util/cache-dir.js';

/** File name of the database inside `<cache dir>/db/`. */
export const DB_FILE_NAME = 'bulwark.sqlite';

/** `<cache dir>/db/bulwark.sqlite` (see src/util/cache-dir.ts for the cache dir). */
export function defaultDatabasePath(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheDir(env), 'db', DB_FILE_NAME);
}
