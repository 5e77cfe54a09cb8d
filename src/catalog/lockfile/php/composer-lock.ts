/**
 * composer.lock (JSON): `packages` (production) and `packages-dev` (dev), each with name, version,
 * source/dist references, licence and `require`. Platform requirements (`php`, `ext-*`, `lib-*`,
 * `composer-*`) are not packages. Direct dependencies come from the composer.json beside the lock
 * when the scan has it.
 */
import { normalizeLicenses } from '../../license.js';
import type { DependencyScope, Package } from '../../types.js';
import {
  defineLockCataloger,
  entries,
  inFolder,
  isRecord,
  lockError,
  parseJson,
  redactUrl,
  siblingPath,
  str,
  type JsonRecord,
  type LockBuilder,
  type LockFileInput,
} from '../common.js';
import { rethrowIfInternal } from '../../../util/errors.js';

/** Requirements that name the PHP platform rather than a package. */
function isPlatform(name: string): boolean {
  return !name.includes('/') || /^(php|ext-|lib-|composer-)/.test(name);
}

async function parseComposerLock(input: LockFileInput, out: LockBuilder): Promise<void> {
  const doc = parseJson(input.text, 'composer.lock');
  if (!isRecord(doc) || !Array.isArray(doc.packages)) throw lockError('composer.lock: no "packages" array');
  const byName = new Map<string, Package>();
  const bodies: [Package, JsonRecord][] = [];
  const sections: [string, DependencyScope][] = [
    ['packages', 'prod'],
    ['packages-dev', 'dev'],
  ];
  for (const [section, scope] of sections) {
    const list = doc[section];
    if (list === undefined) continue;
    if (!Array.isArray(list)) {
      out.problem(`"${section}" is not an array`);
      continue;
    }
    list.forEach((raw: unknown, i: number) => {
      const name = isRecord(raw) ? str(raw.name) : undefined;
      const version = isRecord(raw) ? str(raw.version) : undefined;
      if (!isRecord(raw) || !name || !version) {
        out.problem(`${section}[${i}]${name ? ` (${name})` : ''}: ${name ? 'no version' : 'no name'}`);
        return;
      }
      const dist = isRecord(raw.dist) ? raw.dist : {};
      const source = isRecord(raw.source) ? raw.source : {};
      const licenses = Array.isArray(raw.license)
        ? raw.license.filter((l): l is string => typeof l === 'string')
        : [];
      const pkg = out.add({
        name,
        version,
        type: 'composer',
        scope,
        licenses: normalizeLicenses(licenses),
        metadata: {
          dist: str(dist.url) ? redactUrl(str(dist.url)!) : undefined,
          shasum: str(dist.shasum),
          reference: str(dist.reference) ?? str(source.reference),
          sourceUrl: str(source.url) ? redactUrl(str(source.url)!) : undefined,
        },
      });
      byName.set(name.toLowerCase(), pkg);
      bodies.push([pkg, raw]);
    });
  }
  for (const [pkg, raw] of bodies) {
    for (const [dep] of entries(raw.require)) {
      if (!isPlatform(dep)) out.dependsOn(pkg, byName.get(dep.toLowerCase()));
    }
  }
  const manifestText = await input.companion(siblingPath(input.file.path, 'composer.json'));
  let manifest: unknown;
  try {
    manifest = manifestText === undefined ? undefined : JSON.parse(manifestText);
  } catch (err) {
    rethrowIfInternal(err);
    manifest = undefined; // only costs us the direct information
  }
  if (isRecord(manifest)) {
    for (const p of out.all()) p.direct = false;
    for (const field of ['require', 'require-dev']) {
      for (const [dep] of entries(manifest[field])) {
        const p = byName.get(dep.toLowerCase());
        if (p) p.direct = true;
      }
    }
  }
}

/** composer.lock (+ composer.json for direct dependencies). */
export const composerLockCataloger = defineLockCataloger({
  id: 'composer-lock',
  version: 3,
  primary: (base) => base === 'composer.lock',
  companions: (base, path) => base === 'composer.json' && !inFolder(path, 'vendor'),
  parse: parseComposerLock,
});
