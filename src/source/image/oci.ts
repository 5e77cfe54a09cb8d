/**
 * OCI / Docker image documents (index, manifest, config), validated at the boundary. Only the fields
 * Bulwark uses are checked; unknown fields pass through.
 */
import { z } from 'zod';
import { InputError } from '../../util/errors.js';
import type { HistoryEntry, ImageRuntimeConfig, Platform } from '../types.js';

export const MediaType = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
} as const;

/** Limits for JSON documents read from untrusted images/registries. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
export const MAX_CONFIG_BYTES = 16 * 1024 * 1024;

const digestRe = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

const platformSchema = z.object({
  os: z.string(),
  architecture: z.string(),
  variant: z.string().optional(),
});

export const descriptorSchema = z.object({
  mediaType: z.string().default(''),
  digest: z.string().regex(digestRe, 'invalid digest'),
  size: z.number().int().nonnegative(),
  annotations: z.record(z.string(), z.string()).optional(),
  platform: platformSchema.optional(),
  urls: z.array(z.string()).optional(),
});
export type Descriptor = z.infer<typeof descriptorSchema>;

export const indexSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  manifests: z.array(descriptorSchema),
  annotations: z.record(z.string(), z.string()).optional(),
});
export type ImageIndex = z.infer<typeof indexSchema>;

export const manifestSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  config: descriptorSchema,
  layers: z.array(descriptorSchema),
  annotations: z.record(z.string(), z.string()).optional(),
});
export type ImageManifest = z.infer<typeof manifestSchema>;

const stringList = z.array(z.string()).nullish();
export const configSchema = z.object({
  architecture: z.string().default(''),
  os: z.string().default(''),
  variant: z.string().optional(),
  created: z.string().optional(),
  config: z
    .object({
      User: z.string().optional(),
      Env: stringList,
      Entrypoint: stringList,
      Cmd: stringList,
      WorkingDir: z.string().optional(),
      Labels: z.record(z.string(), z.string()).nullish(),
      ExposedPorts: z.record(z.string(), z.unknown()).nullish(),
      Volumes: z.record(z.string(), z.unknown()).nullish(),
      StopSignal: z.string().optional(),
      Healthcheck: z.object({ Test: stringList }).passthrough().nullish(),
    })
    .passthrough()
    .nullish(),
  rootfs: z.object({ type: z.string(), diff_ids: z.array(z.string().regex(digestRe, 'invalid diff ID')) }),
  history: z
    .array(
      z
        .object({
          created: z.string().optional(),
          created_by: z.string().optional(),
          comment: z.string().optional(),
          empty_layer: z.boolean().optional(),
        })
        .passthrough(),
    )
    .nullish(),
});
export type ImageConfig = z.infer<typeof configSchema>;

/** Parse JSON bytes with a clear one-line error. */
export function parseJson(bytes: Buffer, what: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new InputError('E_BAD_JSON', `${what}: not valid JSON`);
  }
}

export function validate<T>(schema: z.ZodType<T>, data: unknown, what: string): T {
  const r = schema.safeParse(data);
  if (!r.success) {
    const issue = r.error.issues[0];
    const at = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
    throw new InputError('E_BAD_DOCUMENT', `${what}: invalid${at}: ${issue?.message ?? 'unexpected shape'}`);
  }
  return r.data;
}

export function isIndexMediaType(mt: string | undefined): boolean {
  return mt === MediaType.ociIndex || mt === MediaType.dockerList;
}

/** Classify a manifest-or-index document by mediaType, falling back to its shape. */
export function documentKind(doc: unknown, declared?: string): 'index' | 'manifest' | 'schema1' | 'unknown' {
  const d = doc as Record<string, unknown> | null;
  const mt = (typeof d?.mediaType === 'string' ? d.mediaType : undefined) ?? declared;
  if (mt === MediaType.dockerSchema1 || mt === MediaType.dockerSchema1Signed || d?.schemaVersion === 1)
    return 'schema1';
  if (isIndexMediaType(mt) || Array.isArray(d?.manifests)) return 'index';
  if (
    mt === MediaType.ociManifest ||
    mt === MediaType.dockerManifest ||
    (d && 'config' in d && Array.isArray(d.layers))
  ) {
    return 'manifest';
  }
  return 'unknown';
}

/** History entries that produced layers, in order (empty_layer entries skipped). */
export function layerHistory(config: ImageConfig): (HistoryEntry | undefined)[] {
  const out: (HistoryEntry | undefined)[] = [];
  for (const h of config.history ?? []) {
    if (h.empty_layer) continue;
    out.push(toHistory(h));
  }
  return out;
}

export function toHistory(h: NonNullable<ImageConfig['history']>[number]): HistoryEntry {
  return {
    emptyLayer: h.empty_layer === true,
    ...(h.created !== undefined ? { created: h.created } : {}),
    ...(h.created_by !== undefined ? { createdBy: h.created_by } : {}),
    ...(h.comment !== undefined ? { comment: h.comment } : {}),
  };
}

export function runtimeConfig(config: ImageConfig): ImageRuntimeConfig {
  const c = config.config ?? {};
  return {
    ...(c.User !== undefined ? { user: c.User } : {}),
    env: c.Env ?? [],
    ...(c.Entrypoint ? { entrypoint: c.Entrypoint } : {}),
    ...(c.Cmd ? { cmd: c.Cmd } : {}),
    ...(c.WorkingDir ? { workingDir: c.WorkingDir } : {}),
    labels: c.Labels ?? {},
    exposedPorts: Object.keys(c.ExposedPorts ?? {}).sort(),
    volumes: Object.keys(c.Volumes ?? {}).sort(),
    ...(c.StopSignal ? { stopSignal: c.StopSignal } : {}),
    ...(c.Healthcheck
      ? { healthcheck: { ...(c.Healthcheck.Test ? { test: c.Healthcheck.Test } : {}) } }
      : {}),
  };
}

export function configPlatform(config: ImageConfig): Platform {
  return {
    os: config.os,
    architecture: config.architecture,
    ...(config.variant ? { variant: config.variant } : {}),
  };
}
