/**
 * Scan a target: database preparation, then one pass over the target feeding the catalog and the
 * `secret` and `config` scanners, then match → policy → one {@link ScanReport}.
 */
import { loadConfig } from '../config/load.js';
import { lintConfigFrom } from '../lint/config.js';
import { matchSbom, type MatchStats } from '../match/match.js';
import { osOwners } from '../match/os-owned.js';
import type { SeveritySourceOption } from '../match/severity.js';
import { parseIgnoreRules, parseIncludeOsOwned } from '../policy/config.js';
import type { FindingFilters } from '../policy/filters.js';
import { buildScanReport } from '../policy/report.js';
import { filterBySeverity } from '../policy/scanners.js';
import { loadVexFiles } from '../policy/vex.js';
import type { ScanReport } from '../report/types.js';
import {
  createFolderScanners,
  createImageScanners,
  type ExtraFindings,
  type ExtraScanOptions,
  type ImageScanners,
} from '../extra-scanners/extra.js';
import type { ScannerName } from '../extra-scanners/types.js';
import { resolveSecretsConfig } from '../secrets/config.js';
import { SecretEngine } from '../secrets/engine.js';
import { UsageError, oneLine } from '../util/errors.js';
import { catalogTarget, type CatalogTargetOptions } from './catalog.js';
import { prepareDatabase, type DatabaseOptions } from './database.js';
import type { EngineEvents } from './events.js';
import { MatchCache, matchKey } from './match-cache.js';
import { toTarget, type Target } from './target.js';

export interface ScanOptions
  extends Omit<CatalogTargetOptions, 'visitors' | 'sbomFiles'>, DatabaseOptions, EngineEvents {
  /** Scanners to run (default: `vuln` only). Without `vuln` no database is opened. */
  readonly scanners?: readonly ScannerName[];
  /** Apply ignore rules, VEX and filters (default true). */
  readonly applyPolicy?: boolean;
  /** Which findings to keep (`--severity`, `--only-fixed`, …); applied with the policy. */
  readonly filters?: FindingFilters;
  /** The configuration file (ignore rules, `secrets:` and `lint:` sections); default `.bulwark.yaml` in `cwd`. */
  readonly configFile?: string;
  /** OpenVEX or CycloneDX VEX documents (relative to `cwd`). */
  readonly vexFiles?: readonly string[];
  /** Where severities come from (default `auto`). */
  readonly severitySource?: SeveritySourceOption;
  /**
   * Also match language packages an OS package owns by their own version (default: the configuration
   * file's `scan.includeOsOwned`, else only through their OS package).
   */
  readonly includeOsOwned?: boolean;
}

export interface ScanRun {
  readonly report: ScanReport;
  readonly stats: MatchStats;
  readonly cachedLayers: number;
  readonly timings: { readonly catalogMs: number; readonly matchMs: number };
}

const NO_MATCHES: MatchStats = {
  packagesMatched: 0,
  packagesSkipped: 0,
  queries: 0,
  ownedDuplicates: 0,
  osOwnedSkipped: 0,
};

/**
 * Target → SBOM → findings → report. The database is opened (and maybe updated) before reading the
 * target. The `secret` and `config` scanners share the catalog's single pass over an image; for a
 * folder they scan it as `bulwark secrets` and `bulwark lint` would.
 */
export async function scanTarget(input: string | Target, options: ScanOptions = {}): Promise<ScanRun> {
  const target = toTarget(input);
  const cwd = options.cwd ?? process.cwd();
  const applyPolicy = options.applyPolicy ?? true;
  const scanners = options.scanners ?? ['vuln'];
  const wantVulns = scanners.includes('vuln');
  const filters = applyPolicy ? (options.filters ?? {}) : {};
  const needsConfig = applyPolicy || wantVulns || scanners.some((s) => s !== 'vuln');
  const config = needsConfig ? loadConfig(cwd, options.configFile) : { data: {} };
  const rules = applyPolicy ? parseIgnoreRules(config.data, config.path ?? '.bulwark.yaml') : [];
  const vex = applyPolicy && options.vexFiles?.length ? loadVexFiles([...options.vexFiles], cwd) : [];
  const includeOsOwned =
    options.includeOsOwned === true ||
    (wantVulns && parseIncludeOsOwned(config.data, config.path ?? '.bulwark.yaml'));
  const extras = extraScanOptions(scanners, config, options);
  if (extras && target.kind === 'sbom')
    throw new UsageError(
      `${target.text}: the secret and config scanners need an image or a folder, not an SBOM (use --scanners vuln)`,
    );
  const db = wantVulns ? await prepareDatabase({ ...options, cwd }) : undefined;
  try {
    let imageScanners: ImageScanners | undefined;
    // Images and folders alike: the extra scanners are visitors of the catalog's single walk.
    const loaded = await catalogTarget(target, {
      ...options,
      cwd,
      visitors: (source) => {
        if (!extras) return [];
        const d = source.description;
        imageScanners =
          d.kind === 'image' ? createImageScanners(d.image, extras) : createFolderScanners(d.path, extras);
        return imageScanners.visitors;
      },
    });
    const extra: ExtraFindings | undefined = imageScanners?.finish();
    for (const p of extra?.problems ?? []) options.onWarning?.(`${oneLine(p.path)}: ${oneLine(p.reason)}`);
    const t1 = performance.now();
    const matchOptions = { severitySource: options.severitySource ?? 'auto', includeOsOwned } as const;
    const status = db?.status();
    // An unchanged image against an unchanged database file: the stored result (see match-cache.ts).
    const cacheKey =
      db && loaded.imageCache
        ? matchKey(loaded.imageCache.key, { path: db.path, builtAt: status?.builtAt }, matchOptions)
        : undefined;
    const matchCache = cacheKey && loaded.imageCache ? new MatchCache(loaded.imageCache.dir) : undefined;
    let matched = cacheKey ? matchCache?.read(cacheKey, loaded.sbom.packages) : undefined;
    if (db && !matched) {
      matched = matchSbom(loaded.sbom, db, matchOptions);
      if (cacheKey) matchCache?.write(cacheKey, matched);
    }
    const findings = matched?.findings ?? [];
    const stats = matched?.stats ?? NO_MATCHES;
    const base = buildScanReport(
      loaded.sbom,
      findings,
      { rules, vex, filters },
      {
        ...(db && status
          ? { database: { path: db.path, builtAt: status.builtAt, schemaVersion: status.schemaVersion } }
          : {}),
        ...(matched ? { notEvaluated: matched.notEvaluated } : {}),
      },
    );
    const report: ScanReport = {
      ...base,
      ...(extra?.secrets ? { secrets: filterBySeverity(extra.secrets, filters.severities) } : {}),
      ...(extra?.misconfigurations
        ? { misconfigurations: filterBySeverity(extra.misconfigurations, filters.severities) }
        : {}),
      ...(loaded.sbom.baseImage ? { baseImage: loaded.sbom.baseImage } : {}),
      // Default: the owned packages left to their owner (an owner that cannot be matched leaves them to
      // their own version, marked); included: every owned package.
      ...(db
        ? {
            osOwned: {
              packages: includeOsOwned ? osOwners(loaded.sbom).size : stats.osOwnedSkipped,
              included: includeOsOwned,
            },
          }
        : {}),
    };
    const matchMs = performance.now() - t1;
    return {
      report,
      stats,
      cachedLayers: loaded.cachedLayers,
      timings: { catalogMs: loaded.catalogMs, matchMs },
    };
  } finally {
    db?.close();
  }
}

/** Engine and configuration of the extra scanners, from the same config file as the ignore rules. */
function extraScanOptions(
  scanners: readonly ScannerName[],
  config: { data: Record<string, unknown>; path?: string },
  options: ScanOptions,
): ExtraScanOptions | undefined {
  if (!scanners.includes('secret') && !scanners.includes('config')) return undefined;
  const where = config.path ?? '.bulwark.yaml';
  const secrets = resolveSecretsConfig(config.data, where);
  return {
    scanners,
    engine: new SecretEngine({ rules: secrets.rules, allowRegexes: secrets.allowRegexes }),
    skipPath: secrets.skipPath,
    lintConfig: lintConfigFrom({ data: config.data, ...(config.path ? { path: config.path } : {}) }),
    ...(options.gitignore === false ? { noIgnore: true } : {}),
    ...(options.exclude?.length ? { exclude: options.exclude } : {}),
  };
}
