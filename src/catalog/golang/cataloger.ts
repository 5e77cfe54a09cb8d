/**
 * Go binaries: the toolchain (as the `stdlib` package), the main module and every dependency module
 * recorded in the binary's embedded build info. See docs/catalogers-installed.md for the path choice.
 */
import { PackageURL } from 'packageurl-js';
import type { Cataloger, CatalogFile, Package } from '../types.js';
import { executableCataloger } from '../binary/executable-cataloger.js';
import { ResultBuilder, locationOf } from '../kit.js';
import { BUILDINFO_MAGIC, readBuildInfo } from './buildinfo.js';
import { parseModInfo, type GoModule } from './modinfo.js';

const ID = 'go-binary';

/** `go1.22.3` → `1.22.3`; experiment suffixes (`go1.22.3 X:nocoverageredesign`) are dropped. */
export function stdlibVersion(goVersion: string): string {
  const v = goVersion.split(/\s+/)[0] ?? goVersion;
  return v.startsWith('go') ? v.slice(2) : v;
}

function goPurl(path: string, version: string): string {
  const i = path.lastIndexOf('/');
  const ns = i > 0 ? path.slice(0, i) : undefined;
  const name = i > 0 ? path.slice(i + 1) : path;
  return new PackageURL('golang', ns, name, version || undefined).toString();
}

export const goBinaryCataloger: Cataloger = executableCataloger({
  id: ID,
  version: 1,
  // Only executables carrying Go build information (its magic, or a section by that name holding
  // something else, which is then reported) are kept in memory.
  contentMarkers: [BUILDINFO_MAGIC, Buffer.from('.go.buildinfo'), Buffer.from('__go_buildinfo')],
  catalogBinary,
});

function catalogBinary(out: ResultBuilder, file: CatalogFile, buf: Buffer): void {
  const raw = readBuildInfo(buf);
  if (!raw) return; // an executable, just not a Go one
  const info = parseModInfo(raw.modinfo);
  const location = [locationOf(file)];
  const common = {
    licenses: [],
    locations: location,
    foundBy: ID,
    ...(file.layer ? { layer: file.layer } : {}),
  };

  const stdVersion = stdlibVersion(raw.goVersion);
  const stdlib = out.add({
    id: out.tempId(`stdlib@${stdVersion}:${file.path}`),
    name: 'stdlib',
    version: stdVersion,
    type: 'golang',
    purl: goPurl('stdlib', stdVersion),
    cpes: [`cpe:2.3:a:golang:go:${stdVersion.replace(/[^A-Za-z0-9._-]/g, '')}:*:*:*:*:*:*:*`],
    ...common,
    metadata: {
      goVersion: raw.goVersion,
      ...(Object.keys(info.settings).length ? { buildSettings: info.settings } : {}),
    },
  });

  // Binaries built without module support carry only the toolchain version.
  const main = info.main ? modulePackage(out, info.main, file, common, true) : undefined;
  if (main) {
    if (info.path) main.metadata = { ...main.metadata, mainPackage: info.path };
    out.relate(main.id, stdlib.id, 'depends-on');
  }
  for (const dep of info.deps) {
    const p = modulePackage(out, dep, file, common, false);
    if (main) out.relate(main.id, p.id, 'depends-on');
  }
}

function modulePackage(
  out: ResultBuilder,
  mod: GoModule,
  file: CatalogFile,
  common: Pick<Package, 'licenses' | 'locations' | 'foundBy' | 'layer'>,
  isMain: boolean,
): Package {
  // A module replacement (`=> path version`) is the code actually built; a local directory
  // replacement has no version, so the required module and version stay the identity.
  const rep = mod.replace;
  const useRep = rep && rep.version;
  const name = useRep ? rep.path : mod.path;
  const version = useRep ? rep.version : mod.version;
  const metadata: Record<string, unknown> = { main: isMain };
  if (mod.sum) metadata['h1Digest'] = mod.sum;
  if (rep)
    metadata['replace'] = {
      from: `${mod.path}${mod.version ? '@' + mod.version : ''}`,
      to: `${rep.path}${rep.version ? '@' + rep.version : ''}`,
    };
  return out.add({
    id: out.tempId(`${name}@${version}:${file.path}`),
    name,
    version,
    type: 'golang',
    // `(devel)` is kept as the version shown; it is not a real version, so the PURL omits it.
    purl: goPurl(name, version === '(devel)' ? '' : version),
    ...common,
    metadata,
  });
}
