/** Platforms (`os/arch[/variant]`) and the choice of one manifest from an index. */
import { UsageError } from '../../util/errors.js';
import type { Platform } from '../types.js';

export function parsePlatform(text: string): Platform {
  const parts = text.trim().split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !/^[a-z0-9._-]+$/i.test(p))) {
    throw new UsageError(`invalid platform "${text}": expected os/arch[/variant], e.g. linux/arm64`);
  }
  const [os, architecture, variant] = parts as [string, string, string | undefined];
  return {
    os: os.toLowerCase(),
    architecture: normalizeArch(architecture.toLowerCase()),
    ...(variant ? { variant } : {}),
  };
}

export function formatPlatform(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}

function normalizeArch(arch: string): string {
  switch (arch) {
    case 'x86_64':
    case 'x86-64':
      return 'amd64';
    case 'aarch64':
      return 'arm64';
    case 'i386':
    case 'i686':
      return '386';
    default:
      return arch;
  }
}

/** The platform of the machine running Bulwark, in OCI terms. */
export function hostPlatform(): Platform {
  const arch = (
    {
      x64: 'amd64',
      arm64: 'arm64',
      arm: 'arm',
      ia32: '386',
      ppc64: 'ppc64le',
      s390x: 's390x',
      riscv64: 'riscv64',
      loong64: 'loong64',
      mips64el: 'mips64le',
    } as Record<string, string>
  )[process.arch];
  const variant =
    process.arch === 'arm'
      ? `v${String((process.config.variables as Record<string, unknown>)['arm_version'] ?? '7')}`
      : undefined;
  return { os: 'linux', architecture: arch ?? process.arch, ...(variant ? { variant } : {}) };
}

function matches(candidate: Platform, wanted: Platform): boolean {
  if (candidate.os !== wanted.os || candidate.architecture !== wanted.architecture) return false;
  if (!wanted.variant) return true;
  // arm64 images often omit the v8 variant.
  return (candidate.variant ?? (candidate.architecture === 'arm64' ? 'v8' : undefined)) === wanted.variant;
}

/**
 * Pick the index entry for `wanted`, or by default the host platform, then linux/amd64; with a single
 * real image, that one. Attestation manifests (platform unknown/unknown) are never chosen.
 */
export function selectPlatform<T extends { platform?: Platform }>(
  entries: readonly T[],
  wanted: Platform | undefined,
  where: string,
): T {
  const real = entries.filter(
    (e) => !(e.platform?.os === 'unknown' && e.platform?.architecture === 'unknown'),
  );
  const list = real.length > 0 ? real : entries;
  const available = list.map((e) => (e.platform ? formatPlatform(e.platform) : 'unspecified'));
  if (wanted) {
    const hit = list.find((e) => e.platform && matches(e.platform, wanted));
    if (!hit) {
      throw new UsageError(
        `${where}: no image for platform ${formatPlatform(wanted)}; available: ${[...new Set(available)].sort().join(', ')}`,
      );
    }
    return hit;
  }
  if (list.length === 1) return list[0]!;
  const host = hostPlatform();
  const byHost = list.find(
    (e) => e.platform && matches(e.platform, { os: host.os, architecture: host.architecture }),
  );
  if (byHost) return byHost;
  const amd64 = list.find((e) => e.platform && matches(e.platform, { os: 'linux', architecture: 'amd64' }));
  if (amd64) return amd64;
  throw new UsageError(
    `${where}: several platforms and none matches this machine; choose one with --platform (available: ${[...new Set(available)].sort().join(', ')})`,
  );
}
