/**
 * The image check's secret and configuration findings, cached per image in `<cache dir>/ci/images`:
 * those scanners read every byte of every layer, which the per-layer catalog cache cannot spare them,
 * so a CI re-run on an unchanged image would pay for a full read. The key is the image's identity
 * (config digest and layer diff IDs) with everything that decides the findings (tool version, secret
 * ruleset, image rules, the configuration file); the entry holds only redacted findings. A hit is used
 * only when the image's local blobs are the ones verified before (as the whole-image SBOM cache does).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LayerCache } from '../cache/layer-cache.js';
import { openTarget, parseTarget } from '../engine/target.js';
import type { Misconfiguration } from '../extra-scanners/types.js';
import { IMAGE_RULE_LIST } from '../lint/image/rules.js';
import { RULESET_VERSION } from '../secrets/rules/index.js';
import type { RedactedFinding } from '../secrets/types.js';
import { cacheDir, layerCacheDir } from '../util/cache-dir.js';
import { BULWARK_VERSION } from '../util/tool-version.js';

const FORMAT = 1;

export interface ImageFindings {
  readonly secrets: readonly RedactedFinding[];
  readonly misconfigurations: readonly Misconfiguration[];
}

/** `<cache dir>/ci/images`. */
export function imageFindingsDir(env: NodeJS.ProcessEnv): string {
  return join(cacheDir(env), 'ci', 'images');
}

/**
 * The cache key of an image target (undefined for a Docker daemon image, whose opening exports it),
 * and whether its local blobs are the ones verified before: only then may an entry be read. An entry
 * is written after a scan either way (the scan verified the blobs).
 */
export async function imageFindingsKey(
  image: string,
  options: { cwd: string; env: NodeJS.ProcessEnv; config: Record<string, unknown> },
): Promise<{ key: string; trusted: boolean } | undefined> {
  const target = parseTarget(image);
  if (target.kind === 'docker' || target.kind === 'sbom' || target.kind === 'fs') return undefined;
  const source = await openTarget(target, { cwd: options.cwd });
  try {
    const d = source.description;
    if (d.kind !== 'image') return undefined;
    const trusted =
      (await source.blobsVerified?.(new LayerCache(layerCacheDir(options.env)).verified)) !== false;
    const key = createHash('sha256')
      .update(
        JSON.stringify({
          f: FORMAT,
          config: d.image.configDigest,
          layers: d.image.layers.map((l) => l.diffId),
          tool: BULWARK_VERSION,
          secrets: RULESET_VERSION,
          rules: IMAGE_RULE_LIST.map((r) => `${r.id}@${r.version}`),
          settings: { lint: options.config.lint ?? null, secrets: options.config.secrets ?? null },
        }),
      )
      .digest('hex');
    return { key, trusted };
  } finally {
    await source.close();
  }
}

export function readImageFindings(env: NodeJS.ProcessEnv, key: string): ImageFindings | undefined {
  try {
    const doc = JSON.parse(readFileSync(join(imageFindingsDir(env), `${key}.json`), 'utf8')) as {
      f?: number;
      secrets?: unknown;
      misconfigurations?: unknown;
    };
    if (doc.f !== FORMAT || !Array.isArray(doc.secrets) || !Array.isArray(doc.misconfigurations))
      return undefined;
    return {
      secrets: doc.secrets as RedactedFinding[],
      misconfigurations: doc.misconfigurations as Misconfiguration[],
    };
  } catch {
    return undefined; // absent or unreadable: scan again
  }
}

/** Write an entry atomically; a cache that cannot be written is no error (the next run scans again). */
export function writeImageFindings(env: NodeJS.ProcessEnv, key: string, findings: ImageFindings): void {
  const dir = imageFindingsDir(env);
  const path = join(dir, `${key}.json`);
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(tmp, JSON.stringify({ f: FORMAT, ...findings }));
    renameSync(tmp, path);
  } catch {
    // read-only or full cache folder: nothing lost but time
  }
}
