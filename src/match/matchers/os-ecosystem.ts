/**
 * Which OSV advisory ecosystem an operating-system release maps to: every distribution the detector
 * recognises, one table (docs/scan.md lists it). A release with no OSV ecosystem — Amazon Linux,
 * Oracle Linux, CentOS, Fedora, a derivative such as Linux Mint or Kali — is a {@link Skip}: its
 * packages are reported as not evaluated, never silently as "no vulnerabilities". Derivatives are
 * never matched against their parent's data (`ID_LIKE`): their package versions differ.
 *
 * Some releases map to several candidate ecosystems (SUSE products whose packages live in modules,
 * Azure Linux written with or without the minor version); the matcher queries the candidates the
 * database has data for.
 */
import type { OsvAffected } from '../../db/types.js';
import { major, majorMinor, releaseLabel, type DistroRelease } from './distro.js';
import type { Skip } from './types.js';

/** The package-manager family a distro's OS packages belong to. */
export type OsFamily = 'deb' | 'apk' | 'rpm';

export interface OsEcosystems {
  /** Candidate ecosystems, most specific first; at least one. */
  readonly ecosystems: readonly string[];
  /** Which name the advisories are keyed by: the binary package's or its source package's. */
  readonly keyedBy: 'binary' | 'source';
  readonly accepts?: (entry: OsvAffected) => boolean;
  readonly scope?: string;
  /** Why the mapping is not exact (shown with matches), e.g. testing matched against its release. */
  readonly note?: string;
}

/**
 * Debian release codenames → numbers, for testing/unstable systems whose os-release has no
 * VERSION_ID (`PRETTY_NAME="Debian GNU/Linux trixie/sid"`): they are matched against the advisories
 * of the release being prepared. OSV has no ecosystem for unstable itself; its fixed versions are the
 * unstable uploads, so the testing data applies.
 */
export const DEBIAN_CODENAMES: Readonly<Record<string, number>> = {
  buster: 10,
  bullseye: 11,
  bookworm: 12,
  trixie: 13,
  forky: 14,
  duke: 15,
};

/** os-release ids with no advisory ecosystem in OSV, with their product names for messages. */
const NO_ECOSYSTEM: Readonly<Record<string, string>> = {
  amzn: 'Amazon Linux',
  ol: 'Oracle Linux',
  centos: 'CentOS',
  fedora: 'Fedora',
  rhcos: 'Red Hat CoreOS',
  'sles-micro': 'SUSE Linux Micro',
  arch: 'Arch Linux',
  gentoo: 'Gentoo',
  linuxmint: 'Linux Mint',
  pop: 'Pop!_OS',
  kali: 'Kali Linux',
  raspbian: 'Raspbian',
  devuan: 'Devuan',
  postmarketos: 'postmarketOS',
  openwrt: 'OpenWrt',
};

const FAMILY_OF: Readonly<Record<string, OsFamily>> = {
  debian: 'deb',
  ubuntu: 'deb',
  echo: 'deb',
  alpine: 'apk',
  wolfi: 'apk',
  chainguard: 'apk',
  minimos: 'apk',
  alpaquita: 'apk',
  'bellsoft-hardened-containers': 'apk',
  cleanstart: 'apk',
  clnstrt: 'apk',
  rhel: 'rpm',
  almalinux: 'rpm',
  rocky: 'rpm',
  'opensuse-leap': 'rpm',
  'opensuse-tumbleweed': 'rpm',
  'opensuse-leap-micro': 'rpm',
  sles: 'rpm',
  sled: 'rpm',
  sles_sap: 'rpm',
  'sle-micro': 'rpm',
  photon: 'rpm',
  mageia: 'rpm',
  openeuler: 'rpm',
  azurelinux: 'rpm',
  mariner: 'rpm',
};

function noEcosystem(d: DistroRelease, extra?: string): Skip {
  const product = NO_ECOSYSTEM[d.id];
  const label = releaseLabel(d);
  const text = `no advisory ecosystem for ${label}${product ? ` (${product})` : ''}${extra ? `: ${extra}` : ''}`;
  return { reason: 'no-advisory-ecosystem', detail: text, group: text };
}

/** `8.9` / `8` → `8`; undefined when not a number. */
function numericMajor(v: string | undefined): string | undefined {
  const m = v ? /^(\d+)/.exec(v) : null;
  return m ? m[1] : undefined;
}

/**
 * The Enterprise Linux major release an rpm version was built for, from its dist tag: `.el8`,
 * `.el9_4`, `.module+el8.9.0+…`, `.module_el8.6.0+…`, `.el10_0`.
 */
export function elMajor(version: string): string | undefined {
  return /(?:^|[.+_-])(?:module[+_])?el(\d+)(?=$|[._+-])/.exec(version)?.[1];
}

/**
 * Keeps entries whose range events name no other Enterprise Linux release than `wanted` (an el8
 * package never takes an el9 fix or range, whatever ecosystem the advisory filed it under).
 */
function sameElRelease(wanted: string): (entry: OsvAffected) => boolean {
  return (entry) =>
    entry.ranges.every((r) =>
      r.events.every((e) => {
        if (e.version === '0') return true;
        const m = elMajor(e.version);
        return m === undefined || m === wanted;
      }),
    );
}

/**
 * Red Hat's OSV ecosystems name a product stream as a CPE without its prefix:
 * `Red Hat:enterprise_linux:9::appstream`, `Red Hat:rhel_eus:9.2::baseos`, `Red Hat:openshift:4.14::el9`.
 * A RHEL system takes the main `enterprise_linux:<major>` streams (every repository: baseos,
 * appstream, crb, …); extended-support streams (EUS/AUS/E4S/TUS) and layered products are other
 * streams with other fix versions and are not mixed in.
 */
export function redHatStream(ecosystem: string): { product: string; version: string } | undefined {
  const m = /^Red Hat:([^:]+):([^:]*)/i.exec(ecosystem.trim());
  return m ? { product: m[1]!.toLowerCase(), version: m[2]! } : undefined;
}

/** `name:stream` of an rpm modularity label (`nodejs:18:8090020231019152822:a75119d5` → `nodejs:18`). */
function moduleStream(label: string | undefined): string | undefined {
  const m = label ? /^([^:\s]+):([^:\s]+)/.exec(label) : null;
  return m ? `${m[1]}:${m[2]}` : undefined;
}

/** The module stream an advisory entry is for: the `rpmmod` qualifier of its PURL, if any. */
export function entryModuleStream(entry: OsvAffected): string | undefined {
  const purl = entry.package?.purl;
  const q = purl?.indexOf('?') ?? -1;
  if (!purl || q < 0) return undefined;
  for (const part of purl
    .slice(q + 1)
    .split('#')[0]!
    .split('&')) {
    const [k, v] = part.split('=', 2);
    if (k === 'rpmmod' && v) return moduleStream(decodeURIComponent(v));
  }
  return undefined;
}

function redHat(d: DistroRelease, pkg: OsPackageFacts): OsEcosystems | Skip {
  const wanted = numericMajor(d.versionId) ?? elMajor(pkg.version);
  if (!wanted) return noEcosystem(d, 'the Red Hat Enterprise Linux release is unknown');
  const el = sameElRelease(wanted);
  const installedStream = moduleStream(pkg.modularityLabel);
  return {
    ecosystems: ['Red Hat'],
    keyedBy: 'binary',
    scope: `enterprise_linux:${wanted}${installedStream ? ` module ${installedStream}` : ''}`,
    accepts: (entry) => {
      const stream = entry.package ? redHatStream(entry.package.ecosystem) : undefined;
      // A bare `Red Hat` entry names no stream: only its dist tags can place it.
      if (stream && (stream.product !== 'enterprise_linux' || numericMajor(stream.version) !== wanted))
        return false;
      // An entry for a module stream (`rpmmod=nodejs:18:…`) applies to packages of that stream only.
      const module = entryModuleStream(entry);
      if (module !== undefined && module !== installedStream) return false;
      return el(entry);
    },
  };
}

/** `SUSE Linux Enterprise Server 15 SP5` → product and service pack, for SUSE's per-module ecosystems. */
function suse(d: DistroRelease): OsEcosystems | Skip {
  const pretty = d.name?.trim();
  if (!pretty || !/^SUSE\s/i.test(pretty)) return noEcosystem(d, 'no product name (PRETTY_NAME)');
  const product = pretty.replace(/^SUSE\s+/i, '');
  const ecosystems = [`SUSE:${product}`];
  // SLE 15 ships its base packages from modules, and advisories are filed per module.
  const sp = /^Linux Enterprise (?:Server|Desktop|Server for SAP Applications) (\d+)( SP\d+)?$/i.exec(
    product,
  );
  if (sp && Number(sp[1]) >= 15) {
    const rel = `${sp[1]}${sp[2] ?? ''}`;
    for (const module of ['Basesystem', 'Server Applications', 'Desktop Applications', 'Development Tools'])
      ecosystems.push(`SUSE:Linux Enterprise Module for ${module} ${rel}`);
  }
  if (/^Linux Enterprise Server \d+/i.test(product)) ecosystems.push(`SUSE:${product}-LTSS`);
  return { ecosystems, keyedBy: 'source' };
}

/** `openEuler 22.03 (LTS-SP3)` → `openEuler:22.03-LTS-SP3`. */
function openEuler(d: DistroRelease): OsEcosystems | Skip {
  const pretty = /(\d+\.\d+)\s*(?:\(([\w-]+)\))?/.exec(d.name ?? '');
  const version = pretty?.[1] ?? (d.versionId ? majorMinor(d.versionId) : undefined);
  if (!version) return noEcosystem(d, 'no release version');
  const qualifier = pretty?.[1] === version ? pretty[2] : undefined;
  return { ecosystems: [`openEuler:${version}${qualifier ? `-${qualifier}` : ''}`], keyedBy: 'source' };
}

function debian(d: DistroRelease): OsEcosystems | Skip {
  const n = numericMajor(d.versionId);
  if (n) return { ecosystems: [`Debian:${n}`], keyedBy: 'source' };
  // Testing/unstable: no VERSION_ID, a codename (os-release VERSION_CODENAME, or `trixie/sid`).
  const codename = (d.codename ?? /\b([a-z]+)\/sid\b/.exec(d.name ?? '')?.[1])?.toLowerCase();
  const number = codename ? DEBIAN_CODENAMES[codename] : undefined;
  if (!number)
    return noEcosystem(
      d,
      codename ? `unknown release codename "${codename}"` : 'testing/unstable without a release codename',
    );
  return {
    ecosystems: [`Debian:${number}`],
    keyedBy: 'source',
    note: `testing/unstable (${codename}) matched against Debian ${number}`,
  };
}

/**
 * Ubuntu: `Ubuntu:<YY.MM>[:LTS]`. A package installed from Ubuntu Pro (Expanded Security Maintenance:
 * its version carries `+esm`) is also looked up in `Ubuntu:Pro:<YY.MM>:LTS`, where the fixes that
 * landed only in Pro are filed.
 */
function ubuntu(d: DistroRelease, pkgVersion: string): OsEcosystems | Skip {
  const release = d.versionId ? /^\d+\.\d+/.exec(d.versionId)?.[0] : undefined;
  if (!release) return noEcosystem(d, 'no release version');
  // LTS releases are the even-year April ones; os-release also says so in PRETTY_NAME.
  const lts = /\bLTS\b/.test(d.name ?? '') || /^\d*[02468]\.04$/.test(release);
  const ecosystems = [`Ubuntu:${release}${lts ? ':LTS' : ''}`];
  if (lts && /\+esm\d*/.test(pkgVersion)) ecosystems.push(`Ubuntu:Pro:${release}:LTS`);
  return { ecosystems, keyedBy: 'source' };
}

/** What some releases need to know about the installed package. */
export interface OsPackageFacts {
  readonly version: string;
  /** rpm MODULARITYLABEL (`name:stream:version:context`) of a package from a module stream. */
  readonly modularityLabel?: string;
}

/**
 * The advisory ecosystems for an OS package of `family` on release `d` (package facts given for
 * releases that need them), or why there are none.
 */
export function osEcosystems(
  d: DistroRelease | undefined,
  family: OsFamily,
  pkg: OsPackageFacts | string,
): OsEcosystems | Skip {
  const facts: OsPackageFacts = typeof pkg === 'string' ? { version: pkg } : pkg;
  const pkgVersion = facts.version;
  if (!d) {
    const text = `operating system not recognised: no advisory ecosystem for ${family} packages`;
    return { reason: 'unknown-os', detail: text, group: text };
  }
  const id = d.id.toLowerCase();
  const own = FAMILY_OF[id];
  if (own && own !== family) return noEcosystem(d, `${family} packages are not its own`);
  const v = d.versionId;
  switch (id) {
    case 'debian':
      return debian(d);
    case 'ubuntu':
      return ubuntu(d, pkgVersion);
    case 'echo':
      return { ecosystems: ['Echo'], keyedBy: 'source' };
    case 'alpine':
      return v
        ? { ecosystems: [`Alpine:v${majorMinor(v)}`], keyedBy: 'source' }
        : noEcosystem(d, 'no release');
    case 'wolfi':
      return { ecosystems: ['Wolfi'], keyedBy: 'source' };
    case 'chainguard':
      return { ecosystems: ['Chainguard'], keyedBy: 'source' };
    case 'minimos':
      return { ecosystems: ['MinimOS'], keyedBy: 'source' };
    case 'cleanstart':
    case 'clnstrt':
      return { ecosystems: ['CleanStart'], keyedBy: 'source' };
    case 'alpaquita':
      return v ? { ecosystems: [`Alpaquita:${v}`], keyedBy: 'source' } : noEcosystem(d, 'no release');
    case 'bellsoft-hardened-containers':
      return v
        ? { ecosystems: [`BellSoft Hardened Containers:${v}`], keyedBy: 'source' }
        : noEcosystem(d, 'no release');
    case 'rhel':
      return redHat(d, facts);
    case 'almalinux':
    case 'rocky': {
      const n = numericMajor(v);
      if (!n) return noEcosystem(d, 'no release');
      return {
        ecosystems: [`${id === 'rocky' ? 'Rocky Linux' : 'AlmaLinux'}:${n}`],
        keyedBy: 'binary',
        accepts: sameElRelease(n),
      };
    }
    case 'opensuse-leap':
      return v ? { ecosystems: [`openSUSE:Leap ${v}`], keyedBy: 'source' } : noEcosystem(d, 'no release');
    case 'opensuse-leap-micro':
      return v
        ? { ecosystems: [`openSUSE:Leap Micro ${v}`], keyedBy: 'source' }
        : noEcosystem(d, 'no release');
    case 'opensuse-tumbleweed':
      return { ecosystems: ['openSUSE:Tumbleweed'], keyedBy: 'source' };
    case 'sles':
    case 'sled':
    case 'sles_sap':
    case 'sle-micro':
      return suse(d);
    case 'photon':
      return v
        ? { ecosystems: [`Photon OS:${majorMinor(v)}`], keyedBy: 'binary' }
        : noEcosystem(d, 'no release');
    case 'mageia':
      return v ? { ecosystems: [`Mageia:${major(v)}`], keyedBy: 'source' } : noEcosystem(d, 'no release');
    case 'openeuler':
      return openEuler(d);
    case 'azurelinux':
    case 'mariner': {
      const n = numericMajor(v);
      if (!n || !v) return noEcosystem(d, 'no release');
      // Azure Linux data names the release by its major (`Azure Linux:3`); `3.0` is accepted too.
      return {
        ecosystems: [...new Set([`Azure Linux:${n}`, `Azure Linux:${majorMinor(v)}`])],
        keyedBy: 'binary',
      };
    }
    default:
      return noEcosystem(d);
  }
}

/** True for a {@link Skip}. */
export function isSkip(x: OsEcosystems | Skip): x is Skip {
  return 'reason' in x;
}
