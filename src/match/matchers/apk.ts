/**
 * Alpine-family packages: advisories are keyed by the origin (source) package. Alpine data is per
 * release branch (`Alpine:v3.20`); Wolfi, Chainguard and MinimOS are rolling and have no release
 * suffix. apk origins share the binary package's version.
 */
import { osMatcher } from './os.js';

export const apkMatcher = osMatcher('apk-origin', 'apk', (p) => p.version);
