/**
 * Bulwark as a library: the scan engine every CLI command is an adapter over (open, catalog, scan,
 * compare — see ./engine/index.ts), and the pipeline stages it is built from, for other front ends (a
 * server, an editor integration) to call directly. source → catalog (SBOM) → match → policy → report.
 */

// the engine
export * from './engine/index.js';

// source
export { openSource, type OpenSourceOptions } from './source/open.js';
export type * from './source/types.js';

// catalog (SBOM)
export { catalogSource, type CatalogOptions, type CatalogOutcome } from './catalog/run.js';
export { DEFAULT_CATALOGERS } from './catalog/registry.js';
export type * from './catalog/types.js';
export { PACKAGE_TYPES } from './model/package.js';
export { SBOM_SCHEMA, type Sbom } from './model/sbom.js';
export { formatSbom, SBOM_FORMATS, type SbomFormat } from './sbom/format/index.js';

// vulnerability data and matching
export { openDatabase, evaluate, defaultDatabasePath, type VulnDatabase } from './db/index.js';
export { getScheme, compareVersions, schemeForEcosystem } from './version/index.js';
export { matchSbom, type MatchOptions, type MatchResult } from './match/match.js';
export type * from './match/types.js';
export type * from './report/types.js';

// policy and reports
export { buildScanReport } from './policy/report.js';
export { renderScanReport, SCAN_FORMATS, type ScanFormat } from './report/scan/index.js';

// base images: detection, known images, recommendations
export {
  combineKnownBases,
  KnownBaseList,
  type BaseImage,
  type KnownBase,
  type KnownBases,
  type KnownBaseOrigin,
} from './model/base-image.js';
export { detectBaseImage, dockerfileBase } from './baseimage/detect.js';
export {
  recommendBaseImages,
  checkBaseFreshness,
  type RecommendOptions,
  type BaseFreshness,
} from './engine/recommend.js';
export type { Recommendations, Candidate } from './baseimage/recommendations.js';

// other scanners sharing the same pass
export { lintDockerfile, type LintOptions, type LintResult } from './lint/engine.js';
export { detectSecretsInText, scanPath, scanGit } from './secrets/index.js';

export { BulwarkError, ExitCode } from './util/errors.js';
export { BULWARK_VERSION } from './util/tool-version.js';
