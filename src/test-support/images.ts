/**
 * Locating the real test images built by the shared image script. CI builds them into a cache outside
 * the clone (see .ci/run); BULWARK_TEST_IMAGES overrides the location.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prerequisite } from './require.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SHARED_DIR = resolve(REPO_ROOT, '..', 'shared');
export const IMAGES_CACHE = process.env.BULWARK_TEST_IMAGES ?? '/var/tmp/bulwark-images';
export const IMAGES_DIR = join(IMAGES_CACHE, 'images');

export type TestImage = 'debian12-minbase' | 'debian12-node' | 'secrets-in-history' | 'multiarch';

export function imagePath(
  name: TestImage | 'multiarch-amd64' | 'multiarch-arm64',
  form: 'docker.tar' | 'oci' | 'oci.tar',
): string {
  return join(IMAGES_DIR, `${name}.${form}`);
}

/**
 * True when the images were built; tests using them skip with a loud warning otherwise, or fail under
 * `BULWARK_REQUIRE_IMAGES=1` (see require.ts).
 */
export function haveImages(): boolean {
  const ok =
    existsSync(imagePath('debian12-node', 'oci')) && existsSync(imagePath('debian12-minbase', 'docker.tar'));
  return prerequisite(
    ok,
    `real-image tests: no test images in ${IMAGES_DIR}. Build them with ` +
      `../shared/images/build-images.sh ${IMAGES_CACHE} build (needs root), or set BULWARK_TEST_IMAGES.`,
  );
}

/**
 * A second cache built by the same script with Debian's language packages in debian12-node
 * (`APT_PKGS="python3-requests ruby-rack liblog4j2-java node-cookie node-path-to-regexp"`, see
 * scripts/setup-test-env.sh), kept apart so
 * the standard images stay as they are; BULWARK_TEST_LANG_IMAGES overrides the location.
 */
export const LANG_IMAGES_CACHE = process.env.BULWARK_TEST_LANG_IMAGES ?? '/var/tmp/bulwark-images-lang';
export const LANG_IMAGES_DIR = join(LANG_IMAGES_CACHE, 'images');
/** The Debian packages installed into the language image (the build script's key records them). */
export const LANG_APT_PKGS = 'python3-requests ruby-rack liblog4j2-java node-cookie node-path-to-regexp';

/** Path of the debian12-node image of the language-package cache. */
export function langImagePath(form: 'docker.tar' | 'oci' | 'oci.tar'): string {
  return join(LANG_IMAGES_DIR, `debian12-node.${form}`);
}

/**
 * True when the language image was built with {@link LANG_APT_PKGS}; tests skip loudly otherwise, or fail
 * under `BULWARK_REQUIRE_IMAGES=1`.
 */
export function haveLangImage(): boolean {
  const key = join(LANG_IMAGES_DIR, 'debian12-node.key');
  const ok =
    existsSync(langImagePath('oci')) &&
    existsSync(langImagePath('docker.tar')) &&
    existsSync(key) &&
    readFileSync(key, 'utf8').trim().endsWith(`|${LANG_APT_PKGS}`);
  return prerequisite(
    ok,
    `language-package image tests: no debian12-node built with APT_PKGS="${LANG_APT_PKGS}" in ` +
      `${LANG_IMAGES_DIR}. Build it with APT_PKGS="${LANG_APT_PKGS}" ../shared/images/build-images.sh ` +
      `${LANG_IMAGES_CACHE} build (needs root; scripts/setup-test-env.sh does), or set BULWARK_TEST_LANG_IMAGES.`,
  );
}

/** True when ../shared exists; skips loudly otherwise, or fails under `BULWARK_REQUIRE_IMAGES=1`. */
export function haveShared(what: string): boolean {
  return prerequisite(existsSync(SHARED_DIR), `${what}: ../shared is missing next to the repository.`);
}
