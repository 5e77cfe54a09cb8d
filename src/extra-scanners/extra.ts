/**
 * The `secret` and `config` scanners of `bulwark scan`, next to the vulnerability scanner: the glue that
 * lets these extra scanners share the single pass over an image (this folder holds no scanner itself).
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
import type { LintConfig } from '../lint/config.js';
import { loadDockerIgnoreFor } from '../lint/dockerignore.js';
import { lintDockerfile } from '../lint/engine.js';
import { createImageCheckVisitor } from '../lint/image/visitor.js';
import {
  MAX_DOCKERFILE_BYTES,
  decodeDockerfile,
  discoverDockerfiles,
  isDockerfileName,
  readDockerfile,
} from '../lint/input.js';
import { defaultSecretDetector, defaultTextSecretDetector } from '../lint/secret-detector.js';
import type { SecretEngine } from '../secrets/engine.js';
import { createSecretLayerVisitor, scanImageConfig, type SecretLayerVisitor } from '../secrets/image.js';
import { redactMetadataText } from '../secrets/metadata.js';
import { sortFindings } from '../secrets/report.js';
import { scanPath } from '../secrets/scan-files.js';
import type { RedactedFinding, ScanProblem, SecretScanResult } from '../secrets/types.js';
import type { ImageMetadata, LayerVisitor } from '../source/types.js';
import { BulwarkError, oneLine } from '../util/errors.js';
import type { Misconfiguration, ScannerName } from './types.js';
import { pushAll } from '../util/arrays.js';

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

/**
 * The frame image and folder scanners share: the visitors of the scanners that run, and a `finish()`
 * that collects the problems and joins the findings, each list present exactly when its scanner ran.
 * `secretFindings` turns the secret scanner's result into findings (pushing its problems) and runs first;
 * `misconfigurations` does the same for the config scanner.
 */
function scannersOf<C extends LayerVisitor>(
  secrets: SecretLayerVisitor | undefined,
  config: C | undefined,
  secretFindings: (result: SecretScanResult, problems: ScanProblem[]) => RedactedFinding[],
  misconfigurations: (config: C, problems: ScanProblem[]) => Misconfiguration[],
): ImageScanners {
  return {
    visitors: [secrets, config].filter((v): v is NonNullable<typeof v> => v !== undefined),
    finish() {
      const problems: ScanProblem[] = [];
      const found = secrets ? secretFindings(secrets.result(), problems) : undefined;
      const misconfigured = config ? misconfigurations(config, problems) : undefined;
      return {
        ...(found ? { secrets: found } : {}),
        ...(misconfigured ? { misconfigurations: misconfigured } : {}),
        problems,
      };
    },
  };
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
  return scannersOf(
    secrets,
    config,
    (layers, problems) => {
      pushAll(problems, layers.problems);
      return sortFindings([...layers.findings, ...scanImageConfig(meta, options.engine)]);
    },
    (checks) => checks.finish().map((f): Misconfiguration => ({ kind: 'image', ...f })),
  );
}

/**
 * The extra scanners of a folder (`fs://` target) as visitors of the catalog's single walk: the secret
 * scanner reads every file the walk delivers (the shared folder walk, so `.gitignore`, `--exclude` and
 * `--no-gitignore` apply exactly as they do to the catalog), and the config scanner keeps the
 * Dockerfiles at the top of the folder (the ones `bulwark lint <folder>` finds) to lint after the walk.
 * The folder is read once for all scanners.
 */
export function createFolderScanners(root: string, options: ExtraScanOptions): ImageScanners {
  const wantSecrets = options.scanners.includes('secret');
  const wantConfig = options.scanners.includes('config');
  const skip = options.skipPath;
  const secrets = wantSecrets
    ? createSecretLayerVisitor({
        engine: options.engine,
        // The walk names entries `/rel`; the allowlist globs are relative to the folder.
        ...(skip ? { skipPath: (path: string) => skip(path.replace(/^\/+/, '')) } : {}),
      })
    : undefined;
  const dockerfiles = new Map<string, Buffer[]>();
  const tooLarge = new Set<string>();
  const config: LayerVisitor | undefined = wantConfig
    ? {
        entry(_layer, header) {
          const name = header.path.replace(/^\/+/, '');
          if (header.type !== 'file' || name.includes('/') || !isDockerfileName(name)) return undefined;
          const chunks: Buffer[] = [];
          let size = 0;
          dockerfiles.set(name, chunks);
          return {
            write(chunk: Uint8Array) {
              size += chunk.length;
              if (size > MAX_DOCKERFILE_BYTES) tooLarge.add(name);
              else chunks.push(Buffer.from(chunk));
            },
            end() {},
          };
        },
      }
    : undefined;
  return scannersOf(
    secrets,
    config,
    (result, problems) => {
      pushAll(
        problems,
        result.problems.map((p) => ({ ...p, path: p.path.replace(/^\/+/, '') })),
      );
      // A folder has one pseudo-layer: findings carry its paths, relative, and no layer.
      return sortFindings(
        result.findings.map((f) => {
          const { layer: _layer, status: _status, removedIn: _removedIn, ...rest } = f;
          return { ...rest, path: f.path.replace(/^\/+/, '') };
        }),
      );
    },
    (_config, problems) => {
      const misconfigurations: Misconfiguration[] = [];
      const lint = dockerfileLinter(options.lintConfig, misconfigurations, problems);
      for (const name of [...dockerfiles.keys()].sort()) {
        lint(name, resolve(root, name), () => {
          if (tooLarge.has(name)) decodeDockerfile(new Uint8Array(MAX_DOCKERFILE_BYTES + 1), name);
          return decodeDockerfile(Buffer.concat(dockerfiles.get(name)!), name);
        });
      }
      return misconfigurations;
    },
  );
}

/**
 * The config scanner's per-Dockerfile step, shared by the folder walk and {@link scanFolder}: `read`
 * yields the decoded text, which is linted with the `lint:` config, the `.dockerignore` next to `abs`
 * and secret detectors built once per run; findings go to `misconfigurations`. A Dockerfile that cannot
 * be read or decoded (a {@link BulwarkError}) becomes a problem under its shown path; other errors are
 * bugs and propagate.
 */
function dockerfileLinter(
  lintConfig: LintConfig,
  misconfigurations: Misconfiguration[],
  problems: ScanProblem[],
): (shown: string, abs: string, read: () => string) => void {
  const detectSecret = defaultSecretDetector();
  const detectSecretsInText = defaultTextSecretDetector();
  return (shown, abs, read) => {
    try {
      const text = read();
      const result = lintDockerfile(text, {
        path: shown,
        config: lintConfig,
        dockerignore: loadDockerIgnoreFor(abs),
        detectSecret,
        detectSecretsInText,
      });
      for (const f of result.findings) misconfigurations.push({ kind: 'dockerfile', ...f });
    } catch (err) {
      if (!(err instanceof BulwarkError)) throw err;
      problems.push({ path: shown, reason: oneLine(err) });
    }
  };
}

/**
 * Run the requested extra scanners over a folder on their own (library use; `bulwark scan` plugs
 * {@link createFolderScanners} into the catalog's walk instead). Same walk rules as the `fs://` source.
 */
export async function scanFolder(root: string, options: ExtraScanOptions): Promise<ExtraFindings> {
  const problems: ScanProblem[] = [];
  let secrets: RedactedFinding[] | undefined;
  if (options.scanners.includes('secret')) {
    const result = await scanPath(root, {
      engine: options.engine,
      ...(options.noIgnore ? { noIgnore: true } : {}),
      ...(options.exclude?.length ? { exclude: options.exclude } : {}),
      ...(options.skipPath ? { skipPath: options.skipPath } : {}),
    });
    pushAll(problems, result.problems);
    secrets = sortFindings(result.findings);
  }
  let misconfigurations: Misconfiguration[] | undefined;
  if (options.scanners.includes('config')) {
    misconfigurations = [];
    const lint = dockerfileLinter(options.lintConfig, misconfigurations, problems);
    const found = discoverDockerfiles(root, {
      gitignore: !options.noIgnore,
      ...(options.exclude ? { exclude: options.exclude } : {}),
    });
    for (const name of found) {
      const abs = resolve(root, name);
      const shown = relative(root, abs).split('\\').join('/');
      lint(shown, abs, () => readDockerfile(abs, shown));
    }
  }
  return {
    ...(secrets ? { secrets } : {}),
    ...(misconfigurations ? { misconfigurations } : {}),
    problems,
  };
}
