/**
 * What `scan`, `quickview` and `compare` share: the database options (open, auto-update unless
 * `--offline`), reading a target into an SBOM (images through the per-layer cache, `sbom://` files
 * through the SBOM readers), and the match → policy pipeline.
 */
import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { LayerCache, catalogerKey } from '../../cache/layer-cache.js';
import { SbomCache, imageKey } from '../../cache/sbom-cache.js';
import { DEFAULT_MAX_FILE_SIZE } from '../../catalog/collector.js';
import { DEFAULT_CATALOGERS } from '../../catalog/registry.js';
import { redactSbom } from '../../sbom/format/redact.js';
import { BULWARK_VERSION } from '../../util/tool-version.js';
import { catalogSource } from '../../catalog/run.js';
import { loadConfig } from '../../config/load.js';
import { defaultDatabasePath } from '../../db/paths.js';
import { openDatabase, type VulnDatabase } from '../../db/store.js';
import { DEFAULT_EPSS_URL, DEFAULT_KEV_URL, DEFAULT_OSV_BASE_URL } from '../../db/update.js';
import { AUTO_UPDATE_MAX_AGE_MS, refreshDatabase } from '../../db/auto-update.js';
import { resolveOffline } from '../../config/offline.js';
import { matchSbom, type MatchStats } from '../../match/match.js';
import { osOwners } from '../../match/os-owned.js';
import { SEVERITY_SOURCES, type SeveritySourceOption } from '../../match/severity.js';
import type { ScanReport } from '../../match/types.js';
import { parseIgnoreRules, parseIncludeOsOwned } from '../../policy/config.js';
import {
  parseMinEpss,
  parsePackageTypes,
  parseSeverityOption,
  type FindingFilters,
} from '../../policy/filters.js';
import { buildScanReport } from '../../policy/report.js';
import { loadVexFiles } from '../../policy/vex.js';
import type { Sbom } from '../../sbom/model.js';
import { readSbomFile } from '../../sbom/read/index.js';
import { openSource, parseTarget } from '../../source/open.js';
import type { LayerVisitor, Source } from '../../source/types.js';
import { lintConfigFrom } from '../../lint/config.js';
import { resolveSecretsConfig } from '../../secrets/config.js';
import { maskSecretsInBytes } from '../../secrets/metadata.js';
import { SecretEngine } from '../../secrets/engine.js';
import {
  createImageScanners,
  createFolderScanners,
  type ExtraFindings,
  type ExtraScanOptions,
  type ImageScanners,
} from '../../extra-scanners/extra.js';
import { filterBySeverity } from '../../extra-scanners/policy.js';
import type { ScannerName } from '../../extra-scanners/types.js';
import { cacheDir } from '../../util/cache-dir.js';
import { UsageError, oneLine } from '../../util/errors.js';
import type { CliIO } from '../io.js';
import { progress } from '../progress.js';
import { addSourceOptions, sourceOptions, type SourceFlags } from './sbom.js';

/** A database older than this is refreshed automatically (unless offline). */
export const DB_MAX_AGE_MS = AUTO_UPDATE_MAX_AGE_MS;

export interface DbFlags {
  db?: string;
  offline?: boolean;
}

export interface TargetFlags extends SourceFlags {
  cache?: boolean;
}

export interface PolicyFlags {
  severity?: string[];
  onlyFixed?: boolean;
  ignoreUnfixed?: boolean;
  onlyUnfixed?: boolean;
  onlyPackageType?: string[];
  onlyKev?: boolean;
  minEpss?: string;
  package?: string[];
  severitySource?: string;
  config?: string;
  vex?: string[];
  includeOsOwned?: boolean;
}

export function addDbOptions(cmd: Command): Command {
  return cmd
    .option(
      '--db <path>',
      'vulnerability database file (default: $BULWARK_DB, else <cache dir>/db/bulwark.sqlite)',
    )
    .option(
      '--offline',
      'never download: use the database as it is (import one with `bulwark db import`); also BULWARK_OFFLINE=1 or `db: {offline: true}` in .bulwark.yaml',
    );
}

export function addTargetOptions(cmd: Command): Command {
  return addSourceOptions(cmd).option('--no-cache', 'do not read or write the per-layer catalog cache');
}

/** Repeatable option values: `--package a --package b,c` → [a, b,c] (split later). */
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function addPolicyOptions(cmd: Command): Command {
  return cmd
    .option(
      '--severity <list>',
      'show only these severities: one means "this or higher" (high), a comma list means exactly those',
      collect,
    )
    .option('--only-fixed', 'show only vulnerabilities with a fixed version')
    .option('--ignore-unfixed', 'same as --only-fixed')
    .option('--only-unfixed', 'show only vulnerabilities without a fixed version')
    .option(
      '--only-package-type <list>',
      'show only these package types, comma-separated (deb, npm, …; os, library)',
      collect,
    )
    .option('--only-kev', 'show only vulnerabilities in the CISA KEV catalog')
    .option(
      '--min-epss <probability>',
      'show only vulnerabilities with an EPSS score of at least this (0–1 or 5%)',
    )
    .option(
      '--package <names>',
      'show only these packages, comma-separated (name or source package name)',
      collect,
    )
    .addOption(
      new Option('--severity-source <source>', 'where severities come from (see docs/scan.md)')
        .choices([...SEVERITY_SOURCES])
        .default('auto'),
    )
    .option(
      '--config <file>',
      'config file with `ignore:` rules (and `secrets:` / `lint:` sections for those scanners; default: .bulwark.yaml in the current directory)',
    )
    .option(
      '--vex <files...>',
      'OpenVEX or CycloneDX VEX documents: not_affected/fixed statements suppress findings',
    )
    .option(
      '--include-os-owned',
      'also match language packages an OS package owns (e.g. Debian python3-*, node-*) by their own version; marked in the output (config: scan.includeOsOwned)',
    );
}

export function filtersFrom(flags: PolicyFlags): FindingFilters {
  return {
    ...(flags.severity?.length ? { severities: parseSeverityOption(flags.severity) } : {}),
    ...(flags.onlyFixed || flags.ignoreUnfixed ? { onlyFixed: true } : {}),
    ...(flags.onlyUnfixed ? { onlyUnfixed: true } : {}),
    ...(flags.onlyPackageType?.length ? { packageTypes: parsePackageTypes(flags.onlyPackageType) } : {}),
    ...(flags.onlyKev ? { onlyKev: true } : {}),
    ...(flags.minEpss !== undefined ? { minEpss: parseMinEpss(flags.minEpss) } : {}),
    ...(flags.package?.length
      ? {
          packages: flags.package
            .flatMap((p) => p.split(','))
            .map((p) => p.trim())
            .filter(Boolean),
        }
      : {}),
  };
}

/**
 * Open the database; unless offline (`--offline`, `BULWARK_OFFLINE`, `db.offline` in .bulwark.yaml), run
 * `db update` first when it is missing or older than a day — see `refreshDatabase` (src/db/auto-update.ts)
 * for the back-off after a failed automatic update.
 */
export async function prepareDatabase(
  flags: DbFlags & { config?: string },
  io: CliIO,
  quiet: boolean,
): Promise<VulnDatabase> {
  const explicit = flags.db ?? io.env.BULWARK_DB;
  const dbPath = explicit ? resolve(io.cwd, explicit) : defaultDatabasePath(io.env);
  const offline = resolveOffline(flags.offline, io.env, loadConfig(io.cwd, flags.config));
  await refreshDatabase({
    dbPath,
    offline: offline.offline,
    ...(offline.source ? { offlineSource: offline.source } : {}),
    // The same sources and overrides as `bulwark db update`.
    update: {
      osvBaseUrl: io.env.BULWARK_OSV_BASE_URL ?? DEFAULT_OSV_BASE_URL,
      kevUrl: io.env.BULWARK_KEV_URL ?? DEFAULT_KEV_URL,
      epssUrl: io.env.BULWARK_EPSS_URL ?? DEFAULT_EPSS_URL,
    },
    stderr: io.stderr,
    quiet,
    env: io.env,
  });
  return openDatabase(dbPath);
}

export interface LoadedTarget {
  readonly sbom: Sbom;
  /** Layers served from the per-layer cache (image targets with the cache on). */
  readonly cachedLayers: number;
  readonly catalogMs: number;
}

/**
 * Read a target into an SBOM: `sbom://FILE` through the SBOM readers, anything else through the catalog.
 * `extra` are further consumers of the same single pass (or a function making them once the source is
 * open, e.g. from the image's metadata).
 */
export async function loadTarget(
  target: string,
  flags: TargetFlags,
  io: CliIO,
  extra: readonly LayerVisitor[] | ((source: Source) => readonly LayerVisitor[]) = [],
): Promise<LoadedTarget> {
  const t0 = performance.now();
  const parsed = parseTarget(target);
  if (parsed.kind === 'sbom') {
    if (!parsed.rest) throw new UsageError('sbom:// needs a file, e.g. sbom://bom.cdx.json');
    return {
      sbom: redactSbom(readSbomFile(parsed.rest, io.cwd, target)),
      cachedLayers: 0,
      catalogMs: performance.now() - t0,
    };
  }
  const opts = sourceOptions(flags, io);
  const bar = progress(io, 'reading', flags.quiet === true);
  const source = await openSource(target, opts.open);
  let visitors: readonly LayerVisitor[];
  try {
    visitors = typeof extra === 'function' ? extra(source) : extra;
  } catch (err) {
    await source.close();
    throw err;
  }
  const dir = join(cacheDir(io.env), 'layers');
  const layerCache = flags.cache === false ? undefined : new LayerCache(dir);
  try {
    // A re-scan of the very same image with the same catalogers reads its SBOM back whole.
    const desc = source.description;
    let imageCache: { cache: SbomCache; key: string } | undefined;
    if (layerCache && desc.kind === 'image' && visitors.length === 0) {
      const key = imageKey(
        desc.image,
        catalogerKey(DEFAULT_CATALOGERS, opts.maxFileSize ?? DEFAULT_MAX_FILE_SIZE, 'distro'),
        BULWARK_VERSION,
      );
      imageCache = { cache: new SbomCache(dir), key };
      // Only for blobs still present and unchanged since they were verified (a stat each): a missing
      // blob fails here, a changed one sends the scan through the layers, which reads it again.
      const trusted = (await source.blobsVerified?.(layerCache.verified)) !== false;
      const hit = trusted ? imageCache.cache.read(key) : undefined;
      if (hit)
        return {
          sbom: redactSbom({ ...hit, source: desc }),
          cachedLayers: desc.image.layers.length,
          catalogMs: performance.now() - t0,
        };
    }
    const { sbom } = await catalogSource(source, {
      ...(opts.maxFileSize ? { maxFileSize: opts.maxFileSize } : {}),
      ...(layerCache ? { layerCache, scrubCachedContent: maskSecretsInBytes } : {}),
      ...(visitors.length ? { visitors } : {}),
      walk: { onProgress: (d, total) => bar.update(d, total) },
    });
    // Image metadata may hold secrets (env values, build arguments, commands): from here on, in every
    // report and in the image cache, only its redacted form exists.
    const redacted = redactSbom(sbom);
    imageCache?.cache.write(imageCache.key, redacted);
    return { sbom: redacted, cachedLayers: layerCache?.stats.hits ?? 0, catalogMs: performance.now() - t0 };
  } finally {
    bar.done();
    await source.close();
  }
}

/** Options of {@link runScan} beyond the flags. */
export interface ScanRunOptions {
  /** Apply ignore rules, VEX and filters (default true; `compare` diffs raw findings). */
  readonly applyPolicy?: boolean;
  /** Scanners to run (default: `vuln` only). Without `vuln` no database is opened. */
  readonly scanners?: readonly ScannerName[];
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
export async function runScan(
  target: string,
  flags: TargetFlags & DbFlags & PolicyFlags,
  io: CliIO,
  options: ScanRunOptions = {},
): Promise<ScanRun> {
  const applyPolicy = options.applyPolicy ?? true;
  const scanners = options.scanners ?? ['vuln'];
  const wantVulns = scanners.includes('vuln');
  const filters = applyPolicy ? filtersFrom(flags) : {};
  const needsConfig = applyPolicy || wantVulns || scanners.some((s) => s !== 'vuln');
  const config = needsConfig ? loadConfig(io.cwd, flags.config) : { data: {} };
  const rules = applyPolicy ? parseIgnoreRules(config.data, config.path ?? '.bulwark.yaml') : [];
  const vex = applyPolicy && flags.vex?.length ? loadVexFiles(flags.vex, io.cwd) : [];
  const includeOsOwned =
    flags.includeOsOwned === true ||
    (wantVulns && parseIncludeOsOwned(config.data, config.path ?? '.bulwark.yaml'));
  const extras = extraScanOptions(scanners, config, flags);
  if (extras && parseTarget(target).kind === 'sbom')
    throw new UsageError(
      `${target}: the secret and config scanners need an image or a folder, not an SBOM (use --scanners vuln)`,
    );
  const db = wantVulns ? await prepareDatabase(flags, io, flags.quiet === true) : undefined;
  try {
    let imageScanners: ImageScanners | undefined;
    // Images and folders alike: the extra scanners are visitors of the catalog's single walk.
    const loaded = await loadTarget(target, flags, io, (source) => {
      if (!extras) return [];
      const d = source.description;
      imageScanners =
        d.kind === 'image' ? createImageScanners(d.image, extras) : createFolderScanners(d.path, extras);
      return imageScanners.visitors;
    });
    const extra: ExtraFindings | undefined = imageScanners?.finish();
    for (const p of extra?.problems ?? [])
      io.stderr.write(`bulwark: warning: ${oneLine(p.path)}: ${oneLine(p.reason)}\n`);
    const t1 = performance.now();
    const matched = db
      ? matchSbom(loaded.sbom, db, {
          severitySource: (flags.severitySource ?? 'auto') as SeveritySourceOption,
          includeOsOwned,
        })
      : undefined;
    const findings = matched?.findings ?? [];
    const stats = matched?.stats ?? NO_MATCHES;
    const status = db?.status();
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
  flags: TargetFlags,
): ExtraScanOptions | undefined {
  if (!scanners.includes('secret') && !scanners.includes('config')) return undefined;
  const where = config.path ?? '.bulwark.yaml';
  const secrets = resolveSecretsConfig(config.data, where);
  return {
    scanners,
    engine: new SecretEngine({ rules: secrets.rules, allowRegexes: secrets.allowRegexes }),
    skipPath: secrets.skipPath,
    lintConfig: lintConfigFrom({ data: config.data, ...(config.path ? { path: config.path } : {}) }),
    ...(flags.gitignore === false ? { noIgnore: true } : {}),
    ...(flags.exclude?.length ? { exclude: flags.exclude } : {}),
  };
}
