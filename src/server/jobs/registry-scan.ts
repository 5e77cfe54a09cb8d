/**
 * Server-side scans of a registry reference: the engine's `scanTarget` on `registry://REF`, with the
 * stored credentials of that registry (decrypted only here), matched against the server's vulnerability
 * database, then ingested into the project like a pushed scan. Only registries on `registry-allow` are
 * reached — checked when the scan is requested and again here — and every request the scan makes (token
 * service, redirects to blob storage) must go to an allowed host too (the transport refuses others), so a
 * scan cannot be steered into the internal network.
 */
import { join } from 'node:path';
import { scanTarget } from '../../engine/index.js';
import { scanReportToJson } from '../../report/scan/json.js';
import { sbomToJson } from '../../sbom/format/json.js';
import { parseReference, hostName, type ImageReference } from '../../source/registry/reference.js';
import { BulwarkError, oneLine } from '../../util/errors.js';
import { ApiError } from '../errors.js';
import { ingest, type ReportFinding } from '../register.js';
import type { ServerConfig } from '../config.js';
import type { Store } from '../store/connect.js';
import { decryptSecret } from './secrets.js';
import { PermanentJobError } from './queue.js';

export interface RegistryScanData {
  readonly projectId: string;
  readonly reference: string;
  /** Register repository (default: `registry/repository` of the reference). */
  readonly repository: string;
  readonly tag: string;
  readonly environment: string;
  readonly platform?: string;
  readonly requestedBy: { readonly id: string | null; readonly name: string };
}

/** Is the reference's registry on the allow-list (by `host:port` or by host name)? */
export function registryAllowed(config: ServerConfig, registry: string): boolean {
  const r = registry.toLowerCase();
  return config.registryAllow.some((a) => a === r || a === hostName(r));
}

/** Parse and check a reference for a server-side scan; 400 when malformed, 403 when not allowed. */
export function checkReference(config: ServerConfig, reference: string): ImageReference {
  let ref: ImageReference;
  try {
    ref = parseReference(reference);
  } catch (err) {
    throw new ApiError(400, 'E_VALIDATION', `body.reference: ${oneLine(err)}`);
  }
  if (!registryAllowed(config, ref.registry))
    throw new ApiError(
      403,
      'E_REGISTRY_NOT_ALLOWED',
      config.registryAllow.length === 0
        ? `registry ${ref.registry} is not allowed: server-side scans are off (no registry-allow setting)`
        : `registry ${ref.registry} is not on the server's allow-list (registry-allow)`,
    );
  return ref;
}

/** Environment for the scan: proxies and CAs, never the server's own registry credentials. */
function scanEnv(config: ServerConfig): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const k of [
    'HTTPS_PROXY',
    'https_proxy',
    'HTTP_PROXY',
    'http_proxy',
    'NO_PROXY',
    'no_proxy',
    'SSL_CERT_FILE',
  ])
    if (process.env[k] !== undefined) env[k] = process.env[k];
  env.HOME = config.dataDir;
  env.BULWARK_CACHE_DIR = join(config.dataDir, 'cache');
  return env;
}

export async function runRegistryScan(
  deps: { readonly store: Store; readonly config: ServerConfig; readonly now: () => string },
  data: RegistryScanData,
): Promise<Record<string, unknown>> {
  const { store, config } = deps;
  let ref: ImageReference;
  try {
    ref = checkReference(config, data.reference);
  } catch (err) {
    // The allow-list changed since the request: retrying cannot help.
    throw new PermanentJobError(oneLine(err));
  }
  const project = await store.db
    .selectFrom('projects')
    .select('id')
    .where('id', '=', data.projectId)
    .executeTakeFirst();
  if (!project) throw new PermanentJobError('the project was deleted');
  const cred = await store.db
    .selectFrom('registry_credentials')
    .selectAll()
    .where('registry', '=', ref.registry.toLowerCase())
    .executeTakeFirst();
  let auth: { username: string; password: string } | undefined;
  if (cred) {
    try {
      auth = {
        username: cred.username,
        password: decryptSecret(config.secretKey, cred.registry, cred.secret),
      };
    } catch (err) {
      throw new PermanentJobError(oneLine(err));
    }
  }
  const env = scanEnv(config);
  let run;
  try {
    run = await scanTarget(`registry://${data.reference}`, {
      db: config.vulnDb,
      offline: true,
      applyPolicy: false,
      cwd: config.dataDir,
      env,
      ...(data.platform ? { platform: data.platform } : {}),
      registry: {
        ...(auth ? auth : {}),
        env,
        dockerConfigDir: join(config.dataDir, 'no-docker-config'),
        allowedHosts: config.registryAllow,
      },
    });
  } catch (err) {
    // Input problems (no such image, refused host) do not get better by retrying; network ones may.
    if (err instanceof BulwarkError && err.code === 'E_HOST_NOT_ALLOWED')
      throw new PermanentJobError(oneLine(err));
    throw err;
  }
  const json = scanReportToJson(run.report) as unknown as {
    findings: ReportFinding[];
    database?: { builtAt?: string };
  };
  const src = run.report.sbom.source;
  const digest = src.kind === 'image' ? src.image.manifestDigest : undefined;
  const result = await ingest(
    store,
    config,
    data.requestedBy,
    {
      projectId: data.projectId,
      image: { repository: data.repository, tag: data.tag, environment: data.environment, digest },
      kind: 'registry-scan',
      sbomJson: JSON.stringify(sbomToJson(run.report.sbom)),
      packageCount: run.report.sbom.packages.length,
      findings: json.findings,
      findingsJson: JSON.stringify(json.findings),
      dbBuiltAt: json.database?.builtAt,
    },
    deps.now(),
  );
  return { ...result, reference: data.reference, digest: digest ?? null };
}
