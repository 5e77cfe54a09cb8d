/** Every cataloger, listed explicitly: OS package databases, installed language packages, lock files. */
import { INSTALLED_CATALOGERS } from './installed/index.js';
import { LOCKFILE_CATALOGERS } from './lockfile/index.js';
import { OS_CATALOGERS } from './os/index.js';
import type { Cataloger } from './types.js';

export const DEFAULT_CATALOGERS: readonly Cataloger[] = [
  ...OS_CATALOGERS,
  ...INSTALLED_CATALOGERS,
  ...LOCKFILE_CATALOGERS,
];
