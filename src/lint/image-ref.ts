/** Split an image reference the way Docker does: `[registry/]repository[:tag][@digest]`. */
export interface ImageRef {
  /** `docker.io` when the reference names none. */
  readonly registry: string;
  /** `library/node`, `team/app` (Docker Hub official images get `library/`). */
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

export function parseImageRef(ref: string): ImageRef {
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  let registry = 'docker.io';
  const slash = rest.indexOf('/');
  const first = slash >= 0 ? rest.slice(0, slash) : '';
  if (slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    registry = first.toLowerCase();
    rest = rest.slice(slash + 1);
  }
  if (registry === 'docker.io' && !rest.includes('/')) rest = `library/${rest}`;
  return {
    registry,
    repository: rest,
    ...(tag !== undefined ? { tag } : {}),
    ...(digest !== undefined ? { digest } : {}),
  };
}

/** True when `ref` comes from one of `trusted` (`ghcr.io`, or a prefix `registry.example.com/team`). */
export function isTrustedRef(ref: ImageRef, trusted: readonly string[]): boolean {
  const full = `${ref.registry}/${ref.repository}`;
  return trusted.some((t) => {
    const norm = t.replace(/\/+$/, '').toLowerCase();
    const withDefault = norm === 'index.docker.io' || norm === 'registry-1.docker.io' ? 'docker.io' : norm;
    return full === withDefault || full.startsWith(`${withDefault}/`) || ref.registry === withDefault;
  });
}
