/**
 * Catalogers of installed language packages and runtimes (images and unpacked folders), listed
 * explicitly. Lock files and manifests live in ../lockfile/.
 */
import type { Cataloger } from '../types.js';
import { npmInstalledCataloger } from '../npm/cataloger.js';
import { pythonInstalledCataloger } from '../python/cataloger.js';
import { javaArchiveCataloger } from '../java/cataloger.js';
import { goBinaryCataloger } from '../golang/cataloger.js';
import { rustAuditableCataloger } from '../rust/cataloger.js';
import { rubyInstalledCataloger } from '../ruby/cataloger.js';
import { phpComposerInstalledCataloger } from '../php/cataloger.js';
import { dotnetDepsCataloger } from '../dotnet/cataloger.js';
import { RUNTIME_CATALOGERS } from '../runtime/index.js';

export const INSTALLED_CATALOGERS: Cataloger[] = [
  npmInstalledCataloger,
  pythonInstalledCataloger,
  javaArchiveCataloger,
  goBinaryCataloger,
  rustAuditableCataloger,
  rubyInstalledCataloger,
  phpComposerInstalledCataloger,
  dotnetDepsCataloger,
  ...RUNTIME_CATALOGERS,
];
