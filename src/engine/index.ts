/**
 * The scan engine: the pipeline (target → source → catalog → match → policy → report) as a library.
 * Every CLI command is a thin adapter over these entry points (flags → options → engine call → render),
 * and so is any other front end. The engine never writes to stdout or stderr and never exits: notices,
 * warnings and progress go to the callbacks and sinks in its options ({@link EngineEvents}); failures are
 * `BulwarkError`s carrying their exit code.
 *
 * - {@link parseTarget} / {@link openTarget}: a target string parsed once, opened for one pass.
 * - {@link catalogTarget}: a target into an SBOM, through the per-layer and whole-image caches.
 * - {@link prepareDatabase}: the vulnerability database, refreshed when stale unless offline.
 * - {@link scanTarget}: catalog + match + policy + the secret and config scanners, one report.
 * - {@link compareReports} / {@link compareTargets}: what changed between two results.
 * - {@link lintImage} / {@link scanImageSecrets}: the image-only scanners as single passes.
 * - {@link recommendBaseImages}: candidate base images for an image's detected base, and a fix plan.
 */
export type { EngineEvents } from './events.js';
export { parseTarget, openTarget, type Target, type TargetKind, type OpenTargetOptions } from './target.js';
export { catalogTarget, layerCacheDir, type CatalogTargetOptions, type CatalogRun } from './catalog.js';
export { prepareDatabase, DB_MAX_AGE_MS, type DatabaseOptions } from './database.js';
export { scanTarget, type ScanOptions, type ScanRun } from './scan.js';
export {
  compareReports,
  compareTargets,
  type Comparison,
  type PackageChange,
  type VulnChange,
  type TargetComparison,
} from './compare.js';
export { lintImage, scanImageSecrets, type ImageLintOptions, type ImageSecretsOptions } from './image.js';
export {
  recommendBaseImages,
  checkBaseFreshness,
  DEFAULT_MAX_CANDIDATES,
  type RecommendOptions,
  type BaseFreshness,
} from './recommend.js';
