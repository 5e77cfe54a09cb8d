/** The vulnerability database: public API for the matcher and the `bulwark db` commands. */
export { evaluate, type Evaluation, type MatchedRange, type PackageVersion } from './affected.js';
export { baseEcosystem, ecosystemMatches, normalizePackageName } from './ecosystem.js';
export { DatabaseError, NetworkError } from './errors.js';
export { importInputs, type ImportOptions, type ImportReport } from './import.js';
export { parseOsvJson, parseOsvRecord, type OsvParseResult } from './osv.js';
export { defaultDatabasePath, DB_FILE_NAME } from './paths.js';
export { SCHEMA_VERSION } from './schema.js';
export {
  openDatabase,
  type DatabaseStatus,
  type SourceStatus,
  type VulnDatabase,
  type OpenOptions,
} from './store.js';
export type * from './types.js';
export {
  DEFAULT_EPSS_URL,
  DEFAULT_KEV_URL,
  DEFAULT_OSV_BASE_URL,
  updateDatabase,
  type UpdateOptions,
  type UpdateReport,
} from './update.js';
