/**
 * .NET applications: `*.deps.json` written next to every framework-dependent or self-contained
 * app. `libraries` entries of type `package` are NuGet packages; the `targets` section gives each
 * library's dependencies (depends-on relationships). The app's own `project` entry is the root.
 */
import { PackageURL } from 'packageurl-js';
import type { Cataloger, CatalogFile } from '../types.js';
import { catalogEachFile, type ResultBuilder, isRecord, locationOf, parseJson } from '../kit.js';

const ID = 'dotnet-deps';

export const dotnetDepsCataloger: Cataloger = {
  id: ID,
  version: 1,
  maxFileSize: 32 * 1024 * 1024,
  match: (path) => path.endsWith('.deps.json'),
  catalog: (view) => catalogEachFile(ID, view, catalogFile),
};

function splitKey(key: string): [string, string] | undefined {
  const i = key.lastIndexOf('/');
  if (i <= 0 || i === key.length - 1) return undefined;
  return [key.slice(0, i), key.slice(i + 1)];
}

function catalogFile(out: ResultBuilder, file: CatalogFile, buf: Buffer): void {
  const doc = parseJson(buf, 'deps.json');
  if (!isRecord(doc) || !isRecord(doc['libraries'])) throw new Error('deps.json has no libraries object');
  const libraries = doc['libraries'];
  // NuGet ids are case-insensitive: dependency names in targets may differ in case.
  const ids = new Map<string, string>();
  const projects = new Set<string>();
  for (const key of Object.keys(libraries).sort()) {
    const lib = libraries[key];
    const nv = splitKey(key);
    if (!isRecord(lib) || !nv) {
      out.unknown(file, `deps.json library ${JSON.stringify(key.slice(0, 80))} is malformed`);
      continue;
    }
    const [name, version] = nv;
    if (lib['type'] === 'project') projects.add(name.toLowerCase());
    if (lib['type'] !== 'package') continue;
    const metadata: Record<string, unknown> = {};
    if (typeof lib['sha512'] === 'string') metadata['sha512'] = lib['sha512'];
    if (typeof lib['path'] === 'string') metadata['path'] = lib['path'];
    const id = out.add({
      id: out.tempId(`${name}@${version}:${file.path}`),
      name,
      version,
      type: 'nuget',
      purl: new PackageURL('nuget', undefined, name, version).toString(),
      licenses: [],
      locations: [locationOf(file)],
      foundBy: ID,
      ...(file.layer ? { layer: file.layer } : {}),
      ...(Object.keys(metadata).length ? { metadata } : {}),
    }).id;
    ids.set(`${name.toLowerCase()}/${version.toLowerCase()}`, id);
    ids.set(name.toLowerCase(), ids.get(name.toLowerCase()) ?? id);
  }

  const targets = doc['targets'];
  if (!isRecord(targets)) return;
  for (const target of Object.values(targets)) {
    if (!isRecord(target)) continue;
    for (const [key, entry] of Object.entries(target)) {
      const nv = splitKey(key);
      if (!nv || !isRecord(entry) || !isRecord(entry['dependencies'])) continue;
      const from = ids.get(`${nv[0].toLowerCase()}/${nv[1].toLowerCase()}`);
      const isProject = projects.has(nv[0].toLowerCase());
      for (const [depName, depVersion] of Object.entries(entry['dependencies'])) {
        const to =
          ids.get(`${depName.toLowerCase()}/${String(depVersion).toLowerCase()}`) ??
          ids.get(depName.toLowerCase());
        if (!to) continue;
        if (from) out.relate(from, to, 'depends-on');
        // Dependencies of the application project itself are the direct ones.
        else if (isProject) {
          const pkg = out.packages.find((p) => p.id === to);
          if (pkg) pkg.direct = true;
        }
      }
    }
  }
}
