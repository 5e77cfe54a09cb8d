/**
 * The `secret` and `config` scanners of `bulwark scan`, next to the vulnerability scanner.
 *
 * Images: both are {@link LayerVisitor}s handed to the catalog stage, so every layer is read and
 * decompressed once for all scanners. The secret scanner sees every file of every layer (and reports
 * files a later layer deleted or overwrote) plus the config's Env, Labels and history; the config
 * scanner merges the layers into the final filesystem and runs the built-image checks.
 *
 * Folders: the secret scanner scans the folder exactly as `bulwark secrets <folder>` does (honouring
 * `.gitignore`), and the config scanner lints the Dockerfiles `bulwark lint` would find in it.
 */
import { relative, resolve } from 'node:path';
import picomatch from 'picomatch';
import type { LintConfig } from '../lint/config.js';
import { loadDockerIgnoreFor } from '../lint/dockerignore.js';
import { lintDockerfile } from '../lint/engine.js';
import { createImageCheckVisitor } from '../lint/image/visitor.js';
import { discoverDockerfiles, readDockerfile } from '../lint/input.js';
import { defaultSecretDetector, defaultTextSecretDetector } from '../lint/secret-detector.js';
import type { SecretEngine } from '../secrets/engine.js';
import { createSecretLayerVisitor, scanImageConfig } from '../secrets/image.js';
import { redactMetadataText } from '../secrets/metadata.js';
import { sortFindings } from '../secrets/report.js';
import { scanPath } from '../secrets/scan-files.js';
import type { RedactedFinding, ScanProblem } from '../secrets/types.js';
import type { ImageMetadata, LayerVisitor } from '../source/types.js';
import { BulwarkError, oneLine } from '../util/errors.js';
import type { Misconfiguration, ScannerName } from './types.js';

export interface ExtraScanOptions {
  /** Which scanners run; `vuln` is ignored here. */
  readonly scanners: readonly ScannerName[];
  /** The secret engine (built-in rules plus the `secrets:` config section). */
  readonly engine: SecretEngine;
  /** Paths the `secrets:` allowlist skips. */
  readonly skipPath?: (path: string) => boolean;
  /** The `lint:` config section (severity overrides, `off`, trusted registries). */
  readonly lintConfig: LintConfig;
  /** Folders: scan files excluded by `.gitignore` too. */
  readonly noIgnore?: boolean;
  /** Folders: the target's `--exclude` globs (relative to the folder), honoured by the secret scanner too. */
  readonly exclude?: readonly string[];
}

/** What the extra scanners found; a list is present exactly when its scanner ran. */
export interface ExtraFindings {
  readonly secrets?: RedactedFinding[];
  readonly misconfigurations?: Misconfiguration[];
  /** Files or layers that could not be scanned (reported as warnings, never fatal). */
  readonly problems: ScanProblem[];
}

/** The extra scanners of an image run: visitors for the shared pass, then `finish()` after it. */
export interface ImageScanners {
  readonly visitors: readonly LayerVisitor[];
  finish(): ExtraFindings;
}

/**
 * Layer history as findings show it: the one metadata redactor (ENV values, secret-looking build
 * arguments and every detected secret masked). Kept for callers of this module.
 */
export function redactHistoryText(createdBy: string): string {
  return redactMetadataText(createdBy);
}

/** Create the visitors of the requested extra scanners for one image. */
export function createImageScanners(meta: ImageMetadata, options: ExtraScanOptions): ImageScanners {
  const wantSecrets = options.scanners.includes('secret');
  const wantConfig = options.scanners.includes('config');
  const secrets = wantSecrets
    ? createSecretLayerVisitor({
        engine: options.engine,
        ...(options.skipPath ? { skipPath: options.skipPath } : {}),
      })
    : undefined;
  const config = wantConfig ? createImageCheckVisitor(meta, { config: options.lintConfig }) : undefined;
  return {
    visitors: [secrets, config].filter((v): v is NonNullable<typeof v> => v !== undefined),
    finish() {
      const problems: ScanProblem[] = [];
      let secretFindings: RedactedFinding[] | undefined;
      if (secrets) {
        const layers = secrets.result();
        problems.push(...layers.problems);
        secretFindings = sortFindings([...layers.findings, ...scanImageConfig(meta, options.engine)]);
      }
      const misconfigurations = config
        ? config.finish().map((f): Misconfiguration => ({ kind: 'image', ...f }))
        : undefined;
      return {
        ...(secretFindings ? { secrets: secretFindings } : {}),
        ...(misconfigurations ? { misconfigurations } : {}),
        problems,
      };
    },
  };
}

/** Run the requested extra scanners over a folder (the root of an `fs://` target). */
export async function scanFolder(root: string, options: ExtraScanOptions): Promise<ExtraFindings> {
  const problems: ScanProblem[] = [];
  let secrets: RedactedFinding[] | undefined;
  if (options.scanners.includes('secret')) {
    const excluded = options.exclude?.length ? picomatch([...options.exclude], { dot: true }) : undefined;
    const allow = options.skipPath;
    const skip =
      excluded || allow
        ? (rel: string): boolean =>
            allow?.(rel) === true || (excluded !== undefined && excludedPath(excluded, rel))
        : undefined;
    const result = await scanPath(root, {
      engine: options.engine,
      ...(options.noIgnore ? { noIgnore: true } : {}),
      ...(skip ? { skipPath: skip } : {}),
    });
    problems.push(...result.problems);
    secrets = sortFindings(result.findings);
  }
  let misconfigurations: Misconfiguration[] | undefined;
  if (options.scanners.includes('config')) {
    misconfigurations = [];
    const detectSecret = defaultSecretDetector();
    const detectSecretsInText = defaultTextSecretDetector();
    for (const name of discoverDockerfiles(root)) {
      const abs = resolve(root, name);
      const shown = relative(root, abs).split('\\').join('/');
      try {
        const text = readDockerfile(abs, shown);
        const result = lintDockerfile(text, {
          path: shown,
          config: options.lintConfig,
          dockerignore: loadDockerIgnoreFor(abs),
          detectSecret,
          detectSecretsInText,
        });
        for (const f of result.findings) misconfigurations.push({ kind: 'dockerfile', ...f });
      } catch (err) {
        if (!(err instanceof BulwarkError)) throw err;
        problems.push({ path: shown, reason: oneLine(err) });
      }
    }
  }
  return {
    ...(secrets ? { secrets } : {}),
    ...(misconfigurations ? { misconfigurations } : {}),
    problems,
  };
}

/** A path is excluded when it or one of its folders matches (as the folder source applies `--exclude`). */
function excludedPath(match: (p: string) => boolean, rel: string): boolean {
  const parts = rel.split('/');
  for (let i = 1; i <= parts.length; i++) {
    const prefix = parts.slice(0, i).join('/');
    if (match(prefix) || (i < parts.length && match(`${prefix}/`))) return true;
  }
  return false;
}
