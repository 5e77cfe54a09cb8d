/**
 * Locating the real test images built by the shared image script. CI builds them into a cache outside
 * the clone (see .ci/run); BULWARK_TEST_IMAGES overrides the location.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SHARED_DIR = resolve(REPO_ROOT, '..', 'shared');
export const IMAGES_CACHE = process.env.BULWARK_TEST_IMAGES ?? '/var/tmp/bulwark-images';
export const IMAGES_DIR = join(IMAGES_CACHE, 'images');

export type TestImage = 'debian12-minbase' | 'debian12-node' | 'secrets-in-history' | 'multiarch';

export function imagePath(name: TestImage | 'multiarch-amd64' | 'multiarch-arm64', form: 'docker.tar' | 'oci' | 'oci.tar'): string {
  return join(IMAGES_DIR, `${name}.${form}`);
}

/** True when the images were built; tests using them skip with a loud warning otherwise. */
export function haveImages(): boolean {
  const ok = existsSync(imagePath('debian12-node', 'oci')) && existsSync(imagePath('debian12-minbase', 'docker.tar'));
  if (!ok) {
    console.warn(
      `\n*** SKIPPING real-image tests: no test images in ${IMAGES_DIR}. Build them with ` +
        `../shared/images/build-images.sh ${IMAGES_CACHE} build (needs root), or set BULWARK_TEST_IMAGES. ***\n`,
    );
  }
  return ok;
}

export function haveShared(what: string): boolean {
  const ok = existsSync(SHARED_DIR);
  if (!ok) console.warn(`\n*** SKIPPING ${what}: ../shared is missing next to the repository. ***\n`);
  return ok;
}
