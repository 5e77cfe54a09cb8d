/** The operating-system package catalogers, in a fixed order (the core sorts their output anyway). */
import { apkCataloger } from '../apk/cataloger.js';
import { dpkgCataloger } from '../dpkg/cataloger.js';
import { rpmCataloger } from '../rpm/cataloger.js';
import type { Cataloger } from '../types.js';

export const OS_CATALOGERS: Cataloger[] = [dpkgCataloger, apkCataloger, rpmCataloger];

export { DISTRO_FILES, detectDistro, matchDistroFile } from '../distro/detect.js';
