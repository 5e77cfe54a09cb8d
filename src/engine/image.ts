/**
 * The image-only scanners as single passes over one image: the built-image checks of `bulwark lint
 * <image>` and the every-layer secret scan of `bulwark secrets <image>`.
 */
import type { LintConfig } from '../lint/config.js';
import type { ImageLintResult } from '../lint/report.js';
import { createImageCheckVisitor } from '../lint/image/visitor.js';
import { defaultSecretDetector } from '../lint/secret-detector.js';
import {
  createSecretLayerVisitor,
  scanImageConfig,
  type SecretLayerVisitorOptions,
} from '../secrets/image.js';
import type { SecretScanResult } from '../secrets/types.js';
import { UsageError } from '../util/errors.js';
import { openTarget, toTarget, type OpenTargetOptions, type Target } from './target.js';

export interface ImageLintOptions extends OpenTargetOptions {
  /** The `lint:` configuration (severity overrides, `off`, trusted registries). */
  readonly config: LintConfig;
  /** Names a secret in an Env, Label or history value (default: the built-in secret rules). */
  readonly detectSecret?: ReturnType<typeof defaultSecretDetector>;
}

/** The built-image checks over one image: a single pass merging the layers into the final filesystem. */
export async function lintImage(input: string | Target, options: ImageLintOptions): Promise<ImageLintResult> {
  const target = toTarget(input);
  const source = await openTarget(target, options);
  try {
    if (source.description.kind !== 'image') throw new UsageError(`${target.text}: not an image`);
    const visitor = createImageCheckVisitor(source.description.image, {
      config: options.config,
      detectSecret: options.detectSecret ?? defaultSecretDetector(),
    });
    await source.walk(visitor);
    return { target: target.text, findings: visitor.finish() };
  } finally {
    await source.close();
  }
}

export type ImageSecretsOptions = OpenTargetOptions & SecretLayerVisitorOptions;

/**
 * Secrets in every layer of an image (including files a later layer deleted or overwrote) and in its
 * config (Env, Labels, history), redacted.
 */
export async function scanImageSecrets(
  input: string | Target,
  options: ImageSecretsOptions,
): Promise<SecretScanResult> {
  const source = await openTarget(input, options);
  try {
    const visitor = createSecretLayerVisitor(options);
    await source.walk(visitor);
    const layers = visitor.result();
    const config =
      source.description.kind === 'image' ? scanImageConfig(source.description.image, options.engine) : [];
    return { ...layers, findings: [...layers.findings, ...config] };
  } finally {
    await source.close();
  }
}
