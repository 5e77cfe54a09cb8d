/**
 * Image references as Docker reads them: `debian:12` is `docker.io/library/debian:12`, a missing tag
 * means `latest`, `name@sha256:…` pins a digest, and the first path component is a registry host only
 * when it looks like one (has a `.` or a `:`, or is `localhost`).
 */
import { UsageError } from '../../util/errors.js';

/** A parsed, normalised image reference. */
export interface ImageReference {
  /** Registry host as the user names it, with port: `docker.io`, `localhost:5000`, `[::1]:5000`. */
  readonly registry: string;
  /** Repository path: `library/debian`, `team/app`. */
  readonly repository: string;
  /** Tag, when given or defaulted (`latest` when neither tag nor digest is given). */
  readonly tag?: string;
  /** Digest, when given: `sha256:<64 hex>`. Takes precedence over the tag for pulling. */
  readonly digest?: string;
}

export const DOCKER_HUB = 'docker.io';
const MAX_NAME = 255;

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const HOST_LABEL = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;

function invalid(text: string, why: string): UsageError {
  return new UsageError(`invalid image reference "${text}": ${why}`);
}

/** `host`, `host:port`, `[v6]` or `[v6]:port`. */
function validDomain(domain: string): boolean {
  let host = domain;
  let port: string | undefined;
  const v6 = /^\[([0-9a-fA-F:.]+)\](?::(\d+))?$/.exec(domain);
  if (v6) {
    port = v6[2];
  } else {
    const colon = domain.lastIndexOf(':');
    if (colon >= 0) {
      host = domain.slice(0, colon);
      port = domain.slice(colon + 1);
      if (!/^\d+$/.test(port)) return false;
    }
    if (!host.split('.').every((l) => HOST_LABEL.test(l))) return false;
  }
  return port === undefined || (Number(port) > 0 && Number(port) < 65536);
}

/** Does the first path component name a registry (rather than a Docker Hub namespace)? */
function looksLikeDomain(first: string): boolean {
  return (
    first.includes('.') ||
    first.includes(':') ||
    first === 'localhost' ||
    first.startsWith('[') ||
    first !== first.toLowerCase()
  );
}

/** Parse a reference the way `docker pull` does. Throws a one-line {@link UsageError} when invalid. */
export function parseReference(text: string): ImageReference {
  const input = text.trim();
  if (input === '') throw invalid(text, 'empty');
  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest))
      throw invalid(text, `"${digest}" is not a valid digest (expected algorithm:hex)`);
    const [alg, hex] = digest.split(':') as [string, string];
    if (alg === 'sha256' && !/^[a-f0-9]{64}$/.test(hex))
      throw invalid(text, 'a sha256 digest has 64 lowercase hex characters');
    if (alg === 'sha512' && !/^[a-f0-9]{128}$/.test(hex))
      throw invalid(text, 'a sha512 digest has 128 lowercase hex characters');
  }
  // The tag follows the last colon that comes after the last slash (a colon before it is a port).
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/') && !(rest.startsWith('[') && rest.indexOf(']') > colon)) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw invalid(text, `"${tag}" is not a valid tag`);
  }
  if (rest === '') throw invalid(text, 'missing repository name');
  if (/^[a-f0-9]{64}$/.test(rest))
    throw invalid(text, 'a 64-character hex string is an image ID, not a repository name');

  let registry = DOCKER_HUB;
  let path = rest;
  const slash = rest.indexOf('/');
  if (slash >= 0 && looksLikeDomain(rest.slice(0, slash))) {
    registry = rest.slice(0, slash);
    path = rest.slice(slash + 1);
    if (!validDomain(registry)) throw invalid(text, `"${registry}" is not a valid registry host`);
  }
  if (registry === 'index.docker.io' || registry === 'registry-1.docker.io') registry = DOCKER_HUB;
  if (registry === DOCKER_HUB && !path.includes('/')) path = `library/${path}`;
  if (path === '') throw invalid(text, 'missing repository name');
  for (const c of path.split('/')) {
    if (c !== c.toLowerCase()) throw invalid(text, 'repository name must be lowercase');
    if (!PATH_COMPONENT.test(c)) throw invalid(text, `"${c}" is not a valid repository path component`);
  }
  if (`${registry}/${path}`.length > MAX_NAME)
    throw invalid(text, `repository name longer than ${MAX_NAME} characters`);
  return {
    registry,
    repository: path,
    ...(tag !== undefined || digest === undefined ? { tag: tag ?? 'latest' } : {}),
    ...(digest ? { digest } : {}),
  };
}

/** `docker.io/library/debian:12`, `localhost:5000/app@sha256:…`, `host/app:v1@sha256:…`. */
export function formatReference(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** What to ask the registry for: the digest when pinned, else the tag. */
export function manifestReference(ref: ImageReference): string {
  return ref.digest ?? ref.tag ?? 'latest';
}

/** The host serving the v2 API: Docker Hub's API lives at registry-1.docker.io. */
export function apiHost(registry: string): string {
  return registry === DOCKER_HUB ? 'registry-1.docker.io' : registry;
}

/** The host name without port or IPv6 brackets. */
export function hostName(registry: string): string {
  const v6 = /^\[([^\]]+)\]/.exec(registry);
  if (v6) return v6[1]!;
  const colon = registry.lastIndexOf(':');
  return colon >= 0 ? registry.slice(0, colon) : registry;
}
