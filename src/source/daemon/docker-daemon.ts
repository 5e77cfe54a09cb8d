/**
 * `docker://name:tag`: an image held by a Docker Engine (or Podman, whose API is compatible), read over
 * its unix socket through the image export endpoint (`GET /images/{name}/get`, a docker-archive tar).
 *
 * A docker-archive lists its layers in manifest.json, which the daemon writes after the layers, so the
 * stream cannot be walked in one go without holding layers somewhere. Nothing is written to disk
 * instead: a first export is read for the small documents only (manifest.json, configs; layers are read
 * and dropped), then each layer the walk needs is taken from a fresh export, stopping as soon as that
 * layer has been read. The daemon re-exports quickly over a local socket, memory stays bounded by the
 * document cache, and layers the visitor skips are never parsed.
 */
import { existsSync } from 'node:fs';
import http, { type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { BulwarkError, InputError, UsageError, oneLine } from '../../util/errors.js';
import { StreamTarStore, openArchiveStore } from '../image/archive.js';
import type { ImageSource } from '../image/image-source.js';
import type { LayerLimits } from '../layer/read-layer.js';
import type { Platform } from '../types.js';

export interface DaemonOptions {
  /** Environment for DOCKER_HOST and XDG_RUNTIME_DIR (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** Longest silence from the daemon (default 120 s: exports of big images take a moment to start). */
  readonly timeoutMs?: number;
}

export interface OpenDaemonOptions {
  readonly platform?: Platform;
  readonly limits?: LayerLimits;
  readonly daemon?: DaemonOptions;
}

const DEFAULT_SOCKET = '/var/run/docker.sock';

function daemonError(code: string, message: string, cause?: unknown): BulwarkError {
  return new BulwarkError('network', code, message, cause === undefined ? undefined : { cause });
}

/** The API socket: DOCKER_HOST=unix://…, else Docker's default, else Podman's (rootless, then rootful). */
export function daemonSocket(env: NodeJS.ProcessEnv): string {
  const host = env.DOCKER_HOST;
  if (host) {
    if (!host.startsWith('unix://')) {
      throw new UsageError(`DOCKER_HOST=${host}: only unix:// sockets are supported for docker:// targets`);
    }
    return host.slice('unix://'.length);
  }
  const candidates = [
    DEFAULT_SOCKET,
    ...(env.XDG_RUNTIME_DIR ? [join(env.XDG_RUNTIME_DIR, 'podman', 'podman.sock')] : []),
    '/run/podman/podman.sock',
  ];
  return candidates.find((p) => existsSync(p)) ?? DEFAULT_SOCKET;
}

/** `debian` → `debian:latest`; names with a tag or digest, and image IDs, are left alone. */
export function daemonImageName(text: string): string {
  const name = text.trim();
  if (name === '') throw new UsageError('docker://: missing image name');
  if (/[\s?#]/.test(name)) throw new UsageError(`docker://${name}: not a valid image name`);
  if (name.includes('@') || /^(sha256:)?[a-f0-9]{12,64}$/.test(name)) return name;
  return name.lastIndexOf(':') > name.lastIndexOf('/') ? name : `${name}:latest`;
}

function get(
  socketPath: string,
  path: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      socketPath,
      path,
      method: 'GET',
      headers: { host: 'docker' },
      ...(signal ? { signal } : {}),
    });
    let response: IncomingMessage | undefined;
    req.setTimeout(timeoutMs, () => {
      const err = daemonError(
        'E_TIMEOUT',
        `the Docker daemon at ${socketPath} stopped answering (no data for ${Math.round(timeoutMs / 1000)} s)`,
      );
      response?.destroy(err);
      req.destroy(err);
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err instanceof BulwarkError || err.name === 'AbortError') return reject(err);
      if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED' || err.code === 'ENOTSOCK') {
        return reject(
          daemonError(
            'E_NO_DAEMON',
            `no Docker daemon at ${socketPath} (set DOCKER_HOST=unix://… to use another socket, e.g. Podman's)`,
            err,
          ),
        );
      }
      if (err.code === 'EACCES')
        return reject(
          daemonError('E_NO_DAEMON', `permission denied on the Docker socket ${socketPath}`, err),
        );
      reject(daemonError('E_DAEMON', `Docker daemon at ${socketPath}: ${oneLine(err)}`, err));
    });
    req.on('response', (res) => {
      response = res;
      resolve(res);
    });
    req.end();
  });
}

async function failure(res: IncomingMessage, name: string, socketPath: string): Promise<BulwarkError> {
  let message = '';
  try {
    let text = '';
    for await (const c of res as AsyncIterable<Buffer>) {
      text += c.toString('utf8');
      if (text.length > 4096) break;
    }
    message = oneLine((JSON.parse(text) as { message?: string }).message ?? '').slice(0, 200);
  } catch {
    // No JSON message: the status says enough.
  }
  res.destroy();
  if (res.statusCode === 404)
    return new InputError('E_IMAGE_NOT_FOUND', `image not found in the Docker daemon: ${name}`);
  return daemonError(
    'E_DAEMON',
    `Docker daemon at ${socketPath} answered HTTP ${res.statusCode ?? 0} for ${name}${message ? ` (${message})` : ''}`,
  );
}

/** Open `docker://name:tag` from the local daemon. */
export async function openDockerDaemon(
  text: string,
  target: string,
  options: OpenDaemonOptions = {},
): Promise<ImageSource> {
  const env = options.daemon?.env ?? process.env;
  const timeoutMs = options.daemon?.timeoutMs ?? 120_000;
  const socketPath = daemonSocket(env);
  const name = daemonImageName(text);
  const encoded = encodeURIComponent(name);
  // Inspect first: a missing image or daemon is reported before any export starts.
  const inspect = await get(socketPath, `/images/${encoded}/json`, timeoutMs);
  if (inspect.statusCode !== 200) throw await failure(inspect, name, socketPath);
  inspect.resume();
  const openExport = async (signal: AbortSignal): Promise<Readable> => {
    const res = await get(socketPath, `/images/${encoded}/get`, timeoutMs, signal);
    if (res.statusCode !== 200) throw await failure(res, name, socketPath);
    return res;
  };
  const store = await StreamTarStore.load(
    `docker://${name}`,
    openExport,
    'image export from the Docker daemon',
  );
  return openArchiveStore(
    store,
    target,
    {
      ...(options.platform ? { platform: options.platform } : {}),
      ...(options.limits ? { limits: options.limits } : {}),
    },
    'docker-daemon',
  );
}
