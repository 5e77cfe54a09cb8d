/**
 * The lock-file and manifest catalogers, one per format, in a fixed order. Each reads its files at
 * any depth by file name; see docs/catalogers-lockfiles.md.
 */
import type { Cataloger } from '../types.js';
import { nugetLockCataloger } from './dotnet/packages-lock.js';
import { goModCataloger } from './go/go-mod.js';
import { gradleLockfileCataloger } from './java/gradle-lockfile.js';
import { pomCataloger } from './java/pom.js';
import { packageLockCataloger } from './npm/package-lock.js';
import { pnpmLockCataloger } from './npm/pnpm-lock.js';
import { yarnLockCataloger } from './npm/yarn-lock.js';
import { composerLockCataloger } from './php/composer-lock.js';
import { pipfileLockCataloger } from './python/pipfile-lock.js';
import { poetryLockCataloger } from './python/poetry-lock.js';
import { requirementsCataloger } from './python/requirements.js';
import { uvLockCataloger } from './python/uv-lock.js';
import { gemfileLockCataloger } from './ruby/gemfile-lock.js';
import { cargoLockCataloger } from './rust/cargo-lock.js';

export const LOCKFILE_CATALOGERS: Cataloger[] = [
  packageLockCataloger,
  yarnLockCataloger,
  pnpmLockCataloger,
  requirementsCataloger,
  poetryLockCataloger,
  pipfileLockCataloger,
  uvLockCataloger,
  goModCataloger,
  cargoLockCataloger,
  gemfileLockCataloger,
  composerLockCataloger,
  pomCataloger,
  gradleLockfileCataloger,
  nugetLockCataloger,
];
