/**
 * Operating-system detection: which distribution (and release) a root filesystem belongs to. OS
 * package catalogers and distro advisories are keyed by it. Read from os-release, with fallbacks to
 * the older per-distribution release files. An unrecognised root is `unknown`, never an error.
 */
import type { CatalogFile, Distro, FileView } from '../types.js';
import { parseOsRelease } from './os-release.js';
import { rethrowIfInternal } from '../../util/errors.js';

const OS_RELEASE = ['/etc/os-release', '/usr/lib/os-release'] as const;
const DEBIAN_VERSION = '/etc/debian_version';
const ALPINE_RELEASE = '/etc/alpine-release';
/** Red Hat family files, most specific first (`system-release` is often a symlink to one of them). */
const REDHAT_RELEASE = ['/etc/centos-release', '/etc/redhat-release', '/etc/system-release'] as const;
/** Distroless Debian images keep one dpkg status file per package here and may lack os-release. */
const DISTROLESS_STATUS_DIR = '/var/lib/dpkg/status.d';

/** Every file {@link detectDistro} reads; the core buffers these during the pass. */
export const DISTRO_FILES: readonly string[] = [
  ...OS_RELEASE,
  DEBIAN_VERSION,
  ALPINE_RELEASE,
  ...REDHAT_RELEASE,
];

const DISTRO_FILE_SET = new Set(DISTRO_FILES);

/** True for paths {@link detectDistro} needs (a cheap test for the pass). */
export function matchDistroFile(path: string): boolean {
  return DISTRO_FILE_SET.has(path);
}

/** Release files are a few hundred bytes; anything huge is not one and is not worth reading. */
const MAX_RELEASE_FILE = 64 * 1024;

export const UNKNOWN_DISTRO: Distro = { id: 'unknown', idLike: [] };

/** Detect the distribution of a root filesystem. Never throws; `{ id: 'unknown' }` when unrecognised. */
export async function detectDistro(view: FileView): Promise<Distro> {
  for (const path of OS_RELEASE) {
    const text = await readSmall(view.get(path));
    if (text === undefined) continue;
    const distro = fromOsRelease(text, path);
    if (distro) return distro.id === 'debian' ? await withDebianRelease(distro, view) : distro;
  }
  const alpine = await readSmall(view.get(ALPINE_RELEASE));
  if (alpine !== undefined) {
    const version = firstLine(alpine);
    return {
      id: 'alpine',
      idLike: [],
      name: 'Alpine Linux',
      ...(version ? { versionId: version } : {}),
      foundIn: ALPINE_RELEASE,
    };
  }
  for (const path of REDHAT_RELEASE) {
    const text = await readSmall(view.get(path));
    if (text === undefined) continue;
    const distro = fromRedhatRelease(firstLine(text), path);
    if (distro) return distro;
  }
  const debianVersion = await readSmall(view.get(DEBIAN_VERSION));
  if (debianVersion !== undefined || hasDistrolessStatus(view)) {
    return fromDebianVersion(
      debianVersion === undefined ? '' : firstLine(debianVersion),
      debianVersion === undefined ? DISTROLESS_STATUS_DIR : DEBIAN_VERSION,
    );
  }
  return UNKNOWN_DISTRO;
}

/**
 * Debian testing/unstable os-release has no VERSION_ID (and older ones no VERSION_CODENAME either):
 * `/etc/debian_version` (`trixie/sid`) then gives the release codename, deliberately kept so the
 * matcher can name the release being prepared rather than guess.
 */
async function withDebianRelease(distro: Distro, view: FileView): Promise<Distro> {
  if (distro.versionId || distro.versionCodename) return distro;
  const text = await readSmall(view.get(DEBIAN_VERSION));
  const codename = text === undefined ? undefined : /^([a-z]+)\/sid$/.exec(firstLine(text))?.[1];
  return codename ? { ...distro, versionCodename: codename } : distro;
}

async function readSmall(file: CatalogFile | undefined): Promise<string | undefined> {
  if (!file || file.size > MAX_RELEASE_FILE) return undefined;
  try {
    const content = await file.read();
    return content.subarray(0, MAX_RELEASE_FILE).toString('utf8');
  } catch (err) {
    rethrowIfInternal(err);
    return undefined;
  }
}

function firstLine(text: string): string {
  return (text.split(/\r?\n/, 1)[0] ?? '').trim();
}

function fromOsRelease(text: string, path: string): Distro | undefined {
  const fields = parseOsRelease(text);
  const id = fields.get('ID')?.trim().toLowerCase();
  if (!id) return undefined;
  const opt = (key: string): string | undefined => {
    const v = fields.get(key)?.trim();
    return v ? v : undefined;
  };
  const distro: { -readonly [K in keyof Distro]: Distro[K] } = {
    id,
    idLike: (fields.get('ID_LIKE') ?? '')
      .toLowerCase()
      .split(/\s+/)
      .filter((s) => s.length > 0),
    foundIn: path,
  };
  const versionId = opt('VERSION_ID');
  const codename = opt('VERSION_CODENAME');
  const name = opt('NAME');
  const prettyName = opt('PRETTY_NAME');
  if (versionId) distro.versionId = versionId;
  if (codename) distro.versionCodename = codename;
  if (name) distro.name = name;
  if (prettyName) distro.prettyName = prettyName;
  return distro;
}

/** `12.5` → version 12 (os-release's VERSION_ID is the major); `trixie/sid` → no version. */
function fromDebianVersion(line: string, foundIn: string): Distro {
  const major = /^(\d+)(?:\.\d+)*$/.exec(line)?.[1];
  const codename = /^([a-z]+)\/sid$/.exec(line)?.[1];
  return {
    id: 'debian',
    idLike: [],
    name: 'Debian GNU/Linux',
    ...(major ? { versionId: major } : {}),
    ...(codename ? { versionCodename: codename } : {}),
    foundIn,
  };
}

/** Release-file product names → os-release ids, and whether os-release keeps only the major version. */
const REDHAT_PRODUCTS: readonly { prefix: RegExp; id: string; idLike: string[]; majorOnly: boolean }[] = [
  { prefix: /^Red Hat Enterprise Linux/i, id: 'rhel', idLike: ['fedora'], majorOnly: false },
  { prefix: /^CentOS Stream/i, id: 'centos', idLike: ['rhel', 'fedora'], majorOnly: true },
  { prefix: /^CentOS/i, id: 'centos', idLike: ['rhel', 'fedora'], majorOnly: true },
  { prefix: /^Rocky Linux/i, id: 'rocky', idLike: ['rhel', 'centos', 'fedora'], majorOnly: false },
  { prefix: /^AlmaLinux/i, id: 'almalinux', idLike: ['rhel', 'centos', 'fedora'], majorOnly: false },
  { prefix: /^Oracle Linux/i, id: 'ol', idLike: ['fedora'], majorOnly: false },
  { prefix: /^Fedora/i, id: 'fedora', idLike: [], majorOnly: true },
  { prefix: /^Amazon Linux/i, id: 'amzn', idLike: ['centos', 'rhel', 'fedora'], majorOnly: false },
];

/** `CentOS Linux release 7.9.2009 (Core)` → centos 7. */
function fromRedhatRelease(line: string, foundIn: string): Distro | undefined {
  const product = REDHAT_PRODUCTS.find((p) => p.prefix.test(line));
  if (!product) return undefined;
  const m = /\brelease\s+(\d+(?:\.\d+)*)/i.exec(line);
  const full = m?.[1];
  const versionId = full && product.majorOnly ? full.split('.')[0] : full;
  return {
    id: product.id,
    idLike: product.idLike,
    ...(versionId ? { versionId } : {}),
    prettyName: line,
    foundIn,
  };
}

function hasDistrolessStatus(view: FileView): boolean {
  if (view.stat(DISTROLESS_STATUS_DIR)?.type === 'dir') return true;
  const prefix = `${DISTROLESS_STATUS_DIR}/`;
  return view.files().some((f) => f.path.startsWith(prefix));
}
