/**
 * Targets: what the user types after `bulwark sbom`. Docker-Scout-style prefixes, or auto-detection:
 *   archive://file.tar[:name:tag]   docker-archive or OCI archive (plain or gzip), detected by content
 *   oci-dir://dir[:tag]             OCI image layout folder
 *   fs://dir                        a root filesystem or any folder
 *   registry://ref                  an image in a registry (Docker-style reference, see docs/registry.md)
 *   docker://name:tag               an image held by a Docker Engine or Podman API socket
 * A bare argument is a local path when one exists, else an image reference.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { BulwarkError, InputError, UsageError, fsError } from '../util/errors.js';
import { DirectorySource, type DirectoryOptions } from './fs/directory.js';
import { openArchive } from './image/archive.js';
import { DirBlobStore, openOciLayout } from './image/oci-layout.js';
import { parsePlatform } from './image/platform.js';
import type { LayerLimits } from './layer/read-layer.js';
import { openDockerDaemon, type DaemonOptions } from './daemon/docker-daemon.js';
import { openRegistry, type RegistryOptions } from './registry/open-registry.js';
import { parseReference } from './registry/reference.js';
import type { Platform, Source } from './types.js';

export type TargetKind = 'archive' | 'oci-dir' | 'fs' | 'registry' | 'docker' | 'sbom';

/** A target string parsed once: its scheme (or `auto` without one) and the rest. */
export interface ParsedTarget {
  /** The target as given, e.g. `archive://image.tar`; shown in messages and recorded in SBOMs. */
  readonly text: string;
  readonly kind: TargetKind | 'auto';
  /** Everything after the `scheme://` prefix. */
  readonly rest: string;
}

const PREFIXES: readonly TargetKind[] = ['archive', 'oci-dir', 'fs', 'registry', 'docker', 'sbom'];

export function parseTarget(target: string): ParsedTarget {
  const m = /^([a-z][a-z-]*):\/\/(.*)$/.exec(target);
  if (!m) return { text: target, kind: 'auto', rest: target };
  const scheme = m[1] as TargetKind;
  if (!PREFIXES.includes(scheme)) {
    throw new UsageError(
      `unknown target type "${m[1]}://" (use one of ${PREFIXES.map((p) => `${p}://`).join(', ')})`,
    );
  }
  return { text: target, kind: scheme, rest: m[2] ?? '' };
}

export interface OpenSourceOptions extends DirectoryOptions {
  /** `os/arch[/variant]` or a parsed platform. */
  readonly platform?: string | Platform;
  readonly cwd?: string;
  readonly limits?: LayerLimits;
  /** Credentials, CAs, insecure hosts and timeouts for registry targets. */
  readonly registry?: RegistryOptions;
  /** Socket and timeouts for docker:// targets. */
  readonly daemon?: DaemonOptions;
}

/** Bare arguments that name a file (by shape) are never sent to a registry as a reference. */
function looksLikePath(text: string): boolean {
  return (
    /^(\.{0,2}\/|~)/.test(text) || /\.(tar|tgz|tar\.gz|tar\.zst|oci|json)$/i.test(text) || text.includes('\\')
  );
}

/** A bare argument that is a valid image reference, or undefined. */
function asReference(text: string): string | undefined {
  if (looksLikePath(text)) return undefined;
  try {
    parseReference(text);
    return text;
  } catch {
    return undefined;
  }
}

async function kindOf(path: string): Promise<'file' | 'dir' | undefined> {
  try {
    const st = await stat(path);
    return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw fsError(err, path);
  }
}

/** Split `path:name:tag` when `path` alone exists; returns the longest existing prefix. */
async function splitRef(rest: string, cwd: string): Promise<{ path: string; ref?: string } | undefined> {
  if ((await kindOf(resolve(cwd, rest))) !== undefined) return { path: rest };
  for (let i = rest.indexOf(':'); i > 0; i = rest.indexOf(':', i + 1)) {
    const path = rest.slice(0, i);
    if ((await kindOf(resolve(cwd, path))) !== undefined) return { path, ref: rest.slice(i + 1) };
  }
  return undefined;
}

async function isOciLayout(dir: string): Promise<boolean> {
  return (
    (await kindOf(resolve(dir, 'oci-layout'))) === 'file' &&
    (await kindOf(resolve(dir, 'index.json'))) === 'file'
  );
}

/**
 * Open a target (a string, or one {@link parseTarget} already parsed) for a single pass. Errors are
 * one-line {@link BulwarkError}s.
 */
export async function openSource(
  input: string | ParsedTarget,
  options: OpenSourceOptions = {},
): Promise<Source> {
  const cwd = options.cwd ?? process.cwd();
  const platform = typeof options.platform === 'string' ? parsePlatform(options.platform) : options.platform;
  const parsed = typeof input === 'string' ? parseTarget(input) : input;
  const target = parsed.text;
  const imageOptions = {
    ...(platform ? { platform } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
  };
  switch (parsed.kind) {
    case 'registry':
      return openRegistry(parsed.rest, target, {
        ...imageOptions,
        ...(options.registry ? { registry: options.registry } : {}),
      });
    case 'docker':
      return openDockerDaemon(parsed.rest, target, {
        ...imageOptions,
        ...(options.daemon ? { daemon: options.daemon } : {}),
      });
    case 'sbom':
      throw new UsageError(`${target}: SBOM files are inputs for "bulwark scan", not for this command`);
    case 'fs': {
      const path = resolve(cwd, parsed.rest || '.');
      return DirectorySource.open(path, target, options);
    }
    case 'oci-dir': {
      const split = await splitRef(parsed.rest, cwd);
      if (!split) throw new InputError('E_NOT_FOUND', `${parsed.rest}: no such directory`);
      const dir = resolve(cwd, split.path);
      if (!(await isOciLayout(dir)))
        throw new InputError(
          'E_NOT_IMAGE',
          `${split.path}: not an OCI image layout (no oci-layout and index.json)`,
        );
      return openOciLayout(new DirBlobStore(dir, split.path), 'oci-layout', target, {
        ...imageOptions,
        ...(split.ref ? { ref: split.ref } : {}),
      });
    }
    case 'archive': {
      const split = await splitRef(parsed.rest, cwd);
      if (!split) throw new InputError('E_NOT_FOUND', `${parsed.rest}: no such file`);
      const path = resolve(cwd, split.path);
      if ((await kindOf(path)) !== 'file') throw new InputError('E_NOT_FILE', `${split.path}: not a file`);
      return openArchive(path, target, { ...imageOptions, ...(split.ref ? { ref: split.ref } : {}) });
    }
    case 'auto': {
      const split = await splitRef(parsed.rest, cwd);
      if (!split) {
        const reference = asReference(parsed.rest);
        if (reference)
          return openRegistry(reference, target, {
            ...imageOptions,
            ...(options.registry ? { registry: options.registry } : {}),
          });
        const why = looksLikePath(parsed.rest) ? '' : ', and not a valid image reference';
        throw new InputError('E_NOT_FOUND', `${target}: no such file or directory${why}`);
      }
      const path = resolve(cwd, split.path);
      const kind = await kindOf(path);
      if (kind === 'dir') {
        if (await isOciLayout(path)) {
          return openOciLayout(new DirBlobStore(path, split.path), 'oci-layout', target, {
            ...imageOptions,
            ...(split.ref ? { ref: split.ref } : {}),
          });
        }
        if (split.ref) throw new InputError('E_NOT_FOUND', `${target}: no such file or directory`);
        return DirectorySource.open(path, target, options);
      }
      if (kind === 'file')
        return openArchive(path, target, { ...imageOptions, ...(split.ref ? { ref: split.ref } : {}) });
      throw new InputError('E_NOT_FILE', `${split.path}: not a regular file or directory`);
    }
  }
}

export { BulwarkError };
