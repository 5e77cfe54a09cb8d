/**
 * The approved base-image catalogue: the `approved:` section of `.bulwark.yaml` (and the server's
 * catalogue, same shape). Each entry names a repository (a pattern), which of its tags are allowed (exact
 * tags, globs such as `12-*-slim`, a version range over the tag's leading version, pinned digests), who
 * owns it, and optionally the hardened profile images from it must meet (`bulwark catalog verify`).
 *
 *   approved:
 *     - repository: debian                 # docker.io/library/debian; globs: ghcr.io/acme/base-*
 *       tags: ['12-slim', '12.*-slim']     # optional: exact tags or globs
 *       versions: '>=12.4 <13'             # optional: range over the tag's version (12.5-slim → 12.5)
 *       digests: ['sha256:…']              # optional: only these manifests
 *       owner: platform-team
 *       notes: the only Debian we patch
 *       profile: hardened                  # or none, or a mapping of the points below; default: hardened
 */
import picomatch from 'picomatch';
import { parseReference } from '../../source/registry/reference.js';
import { InputError } from '../../util/errors.js';
import { parseRange, versionInRange, type VersionRange } from './version-range.js';

/** The points of the hardened profile an entry can require (all true for `profile: hardened`). */
export interface HardenedProfile {
  readonly nonRootUser: boolean;
  readonly noShell: boolean;
  /** Shell names allowed even though `noShell` (e.g. `sh` for a busybox image that needs it). */
  readonly allowShells: readonly string[];
  readonly noPackageManager: boolean;
  readonly allowPackageManagers: readonly string[];
  readonly noSetuid: boolean;
  /** Absolute paths of setuid/setgid files that are allowed. */
  readonly allowSetuid: readonly string[];
  readonly noFixableCriticalHigh: boolean;
  readonly sbomAttestation: boolean;
  readonly provenanceAttestation: boolean;
}

export const HARDENED_PROFILE: HardenedProfile = {
  nonRootUser: true,
  noShell: true,
  allowShells: [],
  noPackageManager: true,
  allowPackageManagers: [],
  noSetuid: true,
  allowSetuid: [],
  noFixableCriticalHigh: true,
  sbomAttestation: true,
  provenanceAttestation: true,
};

export const NO_PROFILE: HardenedProfile = {
  nonRootUser: false,
  noShell: false,
  allowShells: [],
  noPackageManager: false,
  allowPackageManagers: [],
  noSetuid: false,
  allowSetuid: [],
  noFixableCriticalHigh: false,
  sbomAttestation: false,
  provenanceAttestation: false,
};

export interface CatalogueEntry {
  /** `<config>#approved[i]` or the server's entry id, for messages. */
  readonly source: string;
  /** The pattern as written. */
  readonly repository: string;
  /** The pattern normalised as a Docker reference (`debian` → `docker.io/library/debian`). */
  readonly repositoryPattern: string;
  readonly tags?: readonly string[];
  readonly versions?: string;
  readonly digests?: readonly string[];
  readonly owner?: string;
  readonly notes?: string;
  /** The profile `bulwark catalog verify` checks (undefined: the full hardened profile; `none`: no point). */
  readonly profile?: HardenedProfile;
}

export interface ApprovedCatalogue {
  readonly entries: readonly CatalogueEntry[];
}

/** The outcome of checking one image reference against the catalogue. */
export interface ApprovalResult {
  readonly approved: boolean;
  /** The entry that approved it, or the closest one (repository matched, tag refused). */
  readonly entry?: CatalogueEntry;
  /** One line: why (approved by which entry, or what did not match). */
  readonly reason: string;
}

const PROFILE_KEYS: Readonly<Record<string, keyof HardenedProfile>> = {
  nonRootUser: 'nonRootUser',
  noShell: 'noShell',
  allowShells: 'allowShells',
  noPackageManager: 'noPackageManager',
  allowPackageManagers: 'allowPackageManagers',
  noSetuid: 'noSetuid',
  allowSetuid: 'allowSetuid',
  noFixableCriticalHigh: 'noFixableCriticalHigh',
  sbomAttestation: 'sbomAttestation',
  provenanceAttestation: 'provenanceAttestation',
};

function fail(where: string, msg: string): never {
  throw new InputError('E_CONFIG', `${where}: ${msg}`);
}

function optString(v: unknown, where: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return String(v);
  if (typeof v !== 'string' || !v.trim()) fail(where, 'expected a non-empty string');
  return v.trim();
}

function optList(v: unknown, where: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  const list = typeof v === 'string' || typeof v === 'number' ? [v] : v;
  if (
    !Array.isArray(list) ||
    list.some((x) => (typeof x !== 'string' && typeof x !== 'number') || !String(x).trim())
  )
    fail(where, 'expected a list of strings');
  return (list as (string | number)[]).map((x) => String(x).trim());
}

/** Normalise a repository (pattern) the way Docker reads references: `debian` → `docker.io/library/debian`. */
export function normaliseRepository(text: string): string {
  // Glob characters are not valid in a reference: swap them for a placeholder while parsing.
  const marked = text.trim().replace(/\*/g, 'xglobx').replace(/\?/g, 'xqmarkx');
  let normal: string;
  try {
    const ref = parseReference(marked);
    normal = `${ref.registry}/${ref.repository}`;
  } catch {
    normal = marked.toLowerCase();
  }
  return normal.replace(/xglobx/g, '*').replace(/xqmarkx/g, '?');
}

function parseProfile(v: unknown, where: string): HardenedProfile | undefined {
  if (v === undefined || v === null) return undefined;
  if (v === 'none') return NO_PROFILE;
  if (v === 'hardened') return HARDENED_PROFILE;
  if (typeof v !== 'object' || Array.isArray(v)) fail(where, 'expected "hardened", "none" or a mapping');
  const out: Record<string, unknown> = { ...NO_PROFILE };
  for (const [k, value] of Object.entries(v as Record<string, unknown>)) {
    const key = PROFILE_KEYS[k];
    if (!key) fail(`${where}.${k}`, `unknown setting (use ${Object.keys(PROFILE_KEYS).join(', ')})`);
    if (key.startsWith('allow')) out[key] = optList(value, `${where}.${k}`) ?? [];
    else if (typeof value !== 'boolean') fail(`${where}.${k}`, 'expected true or false');
    else out[key] = value;
  }
  return out as unknown as HardenedProfile;
}

const ENTRY_KEYS = ['repository', 'tags', 'versions', 'digests', 'owner', 'notes', 'profile'];

/** Parse one catalogue entry (from `.bulwark.yaml` or the server). Throws a one-line InputError. */
export function parseCatalogueEntry(raw: unknown, where: string, source = where): CatalogueEntry {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(where, 'expected a mapping');
  const e = raw as Record<string, unknown>;
  for (const k of Object.keys(e))
    if (!ENTRY_KEYS.includes(k)) fail(`${where}.${k}`, `unknown key (use ${ENTRY_KEYS.join(', ')})`);
  const repository = optString(e['repository'], `${where}.repository`);
  if (!repository) fail(where, 'repository is required');
  const tags = optList(e['tags'], `${where}.tags`);
  const versions = optString(e['versions'], `${where}.versions`);
  if (versions !== undefined) {
    try {
      parseRange(versions);
    } catch (err) {
      fail(`${where}.versions`, (err as Error).message);
    }
  }
  const digests = optList(e['digests'], `${where}.digests`);
  for (const d of digests ?? [])
    if (!/^sha256:[0-9a-f]{64}$/.test(d)) fail(`${where}.digests`, `"${d}" is not a sha256 digest`);
  const owner = optString(e['owner'], `${where}.owner`);
  const notes = optString(e['notes'], `${where}.notes`);
  const profile = parseProfile(e['profile'], `${where}.profile`);
  return {
    source,
    repository,
    repositoryPattern: normaliseRepository(repository),
    ...(tags ? { tags } : {}),
    ...(versions ? { versions } : {}),
    ...(digests ? { digests } : {}),
    ...(owner ? { owner } : {}),
    ...(notes ? { notes } : {}),
    ...(profile ? { profile } : {}),
  };
}

/** Parse `approved:` from the loaded config document (absent: an empty catalogue). */
export function parseCatalogue(
  data: Readonly<Record<string, unknown>>,
  path = '.bulwark.yaml',
): ApprovedCatalogue | undefined {
  const raw = data['approved'];
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw)) fail(`${path}: approved`, 'expected a list of entries');
  return {
    entries: raw.map((e, i) => parseCatalogueEntry(e, `${path}: approved[${i}]`, `${path}#approved[${i}]`)),
  };
}

/** A reference split into its normalised repository, tag and digest. */
export interface SplitReference {
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

/** `debian:12-slim@sha256:…` → `{repository: docker.io/library/debian, tag: 12-slim, digest}`; undefined when invalid. */
export function splitReference(text: string): SplitReference | undefined {
  try {
    // parseReference defaults a missing tag to `latest`: only keep a tag that was written.
    const ref = parseReference(text);
    const name = text.split('@')[0]!;
    const lastSlash = name.lastIndexOf('/');
    const written = name.slice(lastSlash + 1).includes(':');
    return {
      repository: `${ref.registry}/${ref.repository}`,
      ...(ref.tag !== undefined && (written || !ref.digest) ? { tag: ref.tag } : {}),
      ...(ref.digest ? { digest: ref.digest } : {}),
    };
  } catch {
    return undefined;
  }
}

function tagAllowed(entry: CatalogueEntry, tag: string | undefined): string | undefined {
  if (entry.tags) {
    if (tag === undefined) return 'no tag';
    if (!entry.tags.some((t) => t === tag || picomatch.isMatch(tag, t)))
      return `tag ${tag} is not in ${entry.tags.join(', ')}`;
  }
  if (entry.versions) {
    if (tag === undefined) return 'no tag';
    if (!versionInRange(tag, parseRange(entry.versions) as VersionRange))
      return `tag ${tag} is not in the version range ${entry.versions}`;
  }
  return undefined;
}

/**
 * Is the image `reference` (with its manifest `digest`, when known) approved? The first entry whose
 * repository pattern, tag policy and digests all match approves it; otherwise the reason names the
 * closest entry (same repository) or says none matched.
 */
export function checkApproval(
  catalogue: ApprovedCatalogue,
  reference: string,
  digest?: string,
): ApprovalResult {
  const ref = splitReference(reference);
  if (!ref) return { approved: false, reason: `"${reference}" is not an image reference` };
  const d = ref.digest ?? digest;
  let closest: { entry: CatalogueEntry; why: string } | undefined;
  for (const entry of catalogue.entries) {
    if (!(
      entry.repositoryPattern === ref.repository || picomatch.isMatch(ref.repository, entry.repositoryPattern)
    ))
      continue;
    let why = tagAllowed(entry, ref.tag);
    // A digest-pinned reference without a tag is approved only by an entry listing that digest.
    if (!why && entry.digests && !(d && entry.digests.includes(d)))
      why = d ? `digest ${d} is not pinned by the entry` : 'no digest to check';
    if (!why)
      return {
        approved: true,
        entry,
        reason: `approved by ${entry.source} (${entry.repository}${entry.owner ? `, owner ${entry.owner}` : ''})`,
      };
    closest ??= { entry, why };
  }
  if (closest)
    return {
      approved: false,
      entry: closest.entry,
      reason: `${ref.repository}: ${closest.why} (${closest.entry.source})`,
    };
  return {
    approved: false,
    reason: catalogue.entries.length
      ? `${ref.repository} is not in the approved catalogue`
      : 'the approved catalogue is empty',
  };
}
