/**
 * Every cataloger, listed explicitly: OS package databases, installed language packages, lock files
 * (the sub-lists are in ./registry/ and lockfile/index.ts).
 */
import { INSTALLED_CATALOGERS } from './registry/installed.js';
import { LOCKFILE_CATALOGERS } from './lockfile/index.js';
import { OS_CATALOGERS } from './registry/os.js';
import type { Cataloger } from './types.js';

export const DEFAULT_CATALOGERS: readonly Cataloger[] = [
  ...OS_CATALOGERS,
  ...INSTALLED_CATALOGERS,
  ...LOCKFILE_CATALOGERS,
];
