/**
 * Secret scanning public API. Other scanners (the Dockerfile linter, `bulwark scan`) reuse
 * {@link detectSecretsInText}; the CLI lives in src/cli/commands/secrets.ts.
 */
import { SecretEngine } from './engine.js';
import type { RedactedFinding } from './types.js';

export { SecretEngine, TextScanner, type EngineOptions, type ScannerOptions } from './engine.js';
export { BUILTIN_RULES, FILE_RULES, RULESET_VERSION } from './rules/index.js';
export type * from './types.js';
export {
  createSecretLayerVisitor,
  scanImageConfig,
  type SecretLayerVisitor,
  type SecretLayerVisitorOptions,
} from './image.js';
export { scanPath, type FileScanOptions } from './scan-files.js';
export { scanGit, type GitScanOptions } from './git.js';
export { resolveSecretsConfig, type ResolvedSecretsConfig } from './config.js';
export { readBaseline, writeBaseline, baselineKey } from './baseline.js';
export {
  renderJson,
  renderSarif,
  renderTable,
  sortFindings,
  OUTPUT_FORMATS,
  type OutputFormat,
} from './report.js';

let defaultEngine: SecretEngine | undefined;

/** The built-in rules, compiled once per process. */
export function getDefaultEngine(): SecretEngine {
  defaultEngine ??= new SecretEngine();
  return defaultEngine;
}

/**
 * Find secrets in a short text such as an `ENV` value or a label. `path` names the text in findings
 * (e.g. `Dockerfile`); line and column are relative to the text.
 */
export function detectSecretsInText(
  text: string,
  path = '',
  engine: SecretEngine = getDefaultEngine(),
): RedactedFinding[] {
  return engine.scanText(text).map((f) => ({ ...f, path }));
}
