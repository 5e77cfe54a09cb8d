/** The policy stage: suppressions you can audit (config ignore rules, VEX), filters and the fail gate. */
export { parseIgnoreRules, expiryInstant, type IgnoreRule } from './config.js';
export { loadVexFiles, parseVex, type VexStatement, type VexStatus } from './vex.js';
export { applySuppressions, type SuppressionResult } from './suppress.js';
export {
  applyFilters,
  failingFindings,
  parseFailOn,
  parseMinEpss,
  parsePackageTypes,
  parseSeverityOption,
  type FindingFilters,
} from './filters.js';
export { purlMatches, isPurlPattern } from './purl-pattern.js';
export { buildScanReport, type PolicyInputs, type ReportContext } from './report.js';
export * from './rules/index.js';
export {
  parseCatalogue,
  parseCatalogueEntry,
  checkApproval,
  normaliseRepository,
  splitReference,
  HARDENED_PROFILE,
  NO_PROFILE,
  type ApprovedCatalogue,
  type CatalogueEntry,
  type HardenedProfile,
  type ApprovalResult,
} from './approved/catalogue.js';
