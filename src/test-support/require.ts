/**
 * What a test does when something it needs (a real test image, the shared data, a peer tool such as rpm,
 * skopeo or chromium) is missing. On a developer machine it skips with a loud warning; in CI, where the
 * set-up installs everything, `BULWARK_REQUIRE_IMAGES=1` (exported by .ci/run) turns the skip into a
 * failure, so a broken set-up cannot pass as a green run with half the tests skipped.
 */

/** True when `BULWARK_REQUIRE_IMAGES=1`: missing test prerequisites fail instead of skipping. */
export function requirePrerequisites(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.BULWARK_REQUIRE_IMAGES === '1';
}

/** Raised (at collection time) for a missing prerequisite under `BULWARK_REQUIRE_IMAGES=1`. */
export class MissingPrerequisiteError extends Error {
  override readonly name = 'MissingPrerequisiteError';
}

/**
 * `ok` as is when true. When false: throws {@link MissingPrerequisiteError} under
 * `BULWARK_REQUIRE_IMAGES=1`, otherwise prints `*** SKIPPING <what> ***` and returns false.
 * `what` names the tests and says what is missing and how to get it.
 */
export function prerequisite(ok: boolean, what: string, env: NodeJS.ProcessEnv = process.env): boolean {
  if (ok) return true;
  if (requirePrerequisites(env)) {
    throw new MissingPrerequisiteError(
      `BULWARK_REQUIRE_IMAGES=1 and a test prerequisite is missing: ${what} (run scripts/setup-test-env.sh as root)`,
    );
  }
  console.warn(`\n*** SKIPPING ${what} ***\n`);
  return false;
}
