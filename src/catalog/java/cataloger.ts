/**
 * Java archives (`.jar/.war/.ear/.jpi/.hpi`): one package per `META-INF/maven/<g>/<a>/pom.properties`
 * (shaded jars hold several), the manifest and file name as a fallback, and nested archives
 * (Spring Boot `BOOT-INF/lib`, WAR `WEB-INF/lib`, EAR modules) read recursively within limits.
 */
import { PackageURL } from 'packageurl-js';
import type { Cataloger, CatalogFile, Package } from '../types.js';
import { normalizeLicenses } from '../license.js';
import { ResultBuilder, baseName, locationOf } from '../kit.js';
import { listZip, readZipEntry, type ZipEntry } from '../../util/zip.js';
import { parseManifest, parseProperties } from './properties.js';
import { rethrowIfInternal } from '../../util/errors.js';

const ID = 'java-archive';

const ARCHIVE = /\.(?:jar|war|ear|jpi|hpi)$/i;
const POM_PROPERTIES = /^META-INF\/maven\/[^/]+\/[^/]+\/pom\.properties$/;
const MANIFEST = 'META-INF/MANIFEST.MF';
/** Text metadata inside a jar is small; a larger entry is not what we think it is. */
const MAX_TEXT_ENTRY = 1024 * 1024;

export interface JavaLimits {
  /** Nesting depth of archives read (the file itself is depth 0). */
  maxDepth: number;
  /** Entries per archive. */
  maxEntries: number;
  /** Bytes inflated for nested archives and metadata, per top-level file. */
  maxExpandedBytes: number;
}

export const DEFAULT_JAVA_LIMITS: JavaLimits = {
  maxDepth: 4,
  maxEntries: 200_000,
  maxExpandedBytes: 512 * 1024 * 1024,
};

interface Walk {
  out: ResultBuilder;
  file: CatalogFile;
  limits: JavaLimits;
  expanded: number;
  /** Set once the budget is spent: later nested archives are skipped without more reports. */
  exhausted: boolean;
}

/** Build the cataloger with custom limits (tests use small ones). */
export function createJavaArchiveCataloger(limits: Partial<JavaLimits> = {}): Cataloger {
  const l = { ...DEFAULT_JAVA_LIMITS, ...limits };
  return {
    id: ID,
    version: 1,
    // Fat jars and EARs routinely exceed the default per-file cap.
    maxFileSize: 1024 * 1024 * 1024,
    match: (path) => ARCHIVE.test(path),
    async catalog(view) {
      const out = new ResultBuilder(ID);
      for (const file of view.files()) {
        await out.guard(file, async () => {
          const walk: Walk = { out, file, limits: l, expanded: 0, exhausted: false };
          catalogArchive(walk, await file.read(), file.path, 0);
        });
      }
      return out.result();
    },
  };
}

export const javaArchiveCataloger = createJavaArchiveCataloger();

/** Catalog one archive; returns its primary package id (the artifact the file is), if any. */
function catalogArchive(w: Walk, buf: Buffer, path: string, depth: number): string | undefined {
  const entries = listZip(buf, w.limits.maxEntries);
  const text = (e: ZipEntry): string => {
    const data = extract(w, buf, e, MAX_TEXT_ENTRY);
    return data.toString('utf8');
  };
  const manifestEntry = entries.find((e) => e.name === MANIFEST);
  const manifest = manifestEntry ? parseManifest(text(manifestEntry)) : new Map<string, string>();
  const fromName = splitFileName(baseName(path));

  const poms: { group: string; artifact: string; version: string }[] = [];
  for (const e of entries
    .filter((x) => POM_PROPERTIES.test(x.name))
    .sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const props = parseProperties(text(e));
    const group = props.get('groupId')?.trim();
    const artifact = props.get('artifactId')?.trim();
    const version = props.get('version')?.trim();
    if (group && artifact && version) poms.push({ group, artifact, version });
    else w.out.unknown(w.file, `${e.name}: pom.properties lacks groupId, artifactId or version`, path);
  }

  const licenses = normalizeLicenses(manifestLicenses(manifest));
  const ids: { id: string; artifact: string }[] = poms.map((p) => ({
    id: addPackage(w, path, p.group, p.artifact, p.version, licenses, { source: 'pom.properties' }).id,
    artifact: p.artifact,
  }));

  // The archive's own artifact: the pom whose artifactId the file is named after, or the only pom.
  let primary =
    ids.find((x) => fromName && x.artifact === fromName.name)?.id ??
    (ids.length === 1 ? ids[0]!.id : undefined);
  if (ids.length === 0) {
    const guessed = fromManifest(manifest, fromName);
    if (guessed)
      primary = addPackage(w, path, guessed.group, guessed.artifact, guessed.version, licenses, {
        source: 'manifest',
        groupGuessed: guessed.groupGuessed,
      }).id;
  }
  if (primary) for (const x of ids) w.out.relate(primary, x.id, 'contains');

  for (const e of entries) {
    if (w.exhausted) break;
    if (!ARCHIVE.test(e.name) || e.name.endsWith('/')) continue;
    const inner = `${path}!/${e.name}`;
    if (depth + 1 > w.limits.maxDepth) {
      w.out.unknown(w.file, `archive nested deeper than ${w.limits.maxDepth} levels: not read`, inner);
      continue;
    }
    let innerId: string | undefined;
    try {
      innerId = catalogArchive(w, extract(w, buf, e, Number.MAX_SAFE_INTEGER), inner, depth + 1);
    } catch (err) {
      rethrowIfInternal(err);
      if (err instanceof BudgetError) {
        w.out.unknown(w.file, err.message, inner);
        w.exhausted = true; // the whole top-level file is out of budget
        break;
      }
      w.out.unknown(w.file, err instanceof Error ? err.message : String(err), inner);
      continue;
    }
    if (primary && innerId) w.out.relate(primary, innerId, 'contains');
  }
  return primary;
}

class BudgetError extends Error {}

/** Extract an entry, charging it to the top-level file's expansion budget (zip-bomb guard). */
function extract(w: Walk, buf: Buffer, e: ZipEntry, cap: number): Buffer {
  const remaining = w.limits.maxExpandedBytes - w.expanded;
  if (e.size > remaining) {
    throw new BudgetError(
      `archive expands beyond ${w.limits.maxExpandedBytes} bytes (possible zip bomb): rest skipped`,
    );
  }
  w.expanded += e.size;
  return readZipEntry(buf, e, Math.min(cap, remaining));
}

function addPackage(
  w: Walk,
  path: string,
  group: string,
  artifact: string,
  version: string,
  licenses: string[],
  extra: Record<string, unknown>,
): Package {
  const name = `${group}:${artifact}`;
  return w.out.add({
    id: w.out.tempId(`${name}@${version}:${path}`),
    name,
    version,
    type: 'maven',
    purl: new PackageURL('maven', group, artifact, version || undefined).toString(),
    licenses,
    locations: [locationOf(w.file, path)],
    foundBy: ID,
    ...(w.file.layer ? { layer: w.file.layer } : {}),
    metadata: { groupId: group, artifactId: artifact, ...extra },
  });
}

/** `log4j-core-2.19.0.jar` → name `log4j-core`, version `2.19.0`; the version starts at `-<digit>`. */
export function splitFileName(file: string): { name: string; version?: string } | undefined {
  const stem = file.replace(ARCHIVE, '');
  if (!stem) return undefined;
  const m = /^(.+?)-(\d[^-]*(?:-.*)?)$/.exec(stem);
  return m ? { name: m[1]!, version: m[2]! } : { name: stem };
}

/** Identity from manifest attributes and the file name when the jar has no pom.properties. */
function fromManifest(
  mf: Map<string, string>,
  fromName: { name: string; version?: string } | undefined,
): { group: string; artifact: string; version: string; groupGuessed: boolean } | undefined {
  const symbolic = mf.get('Bundle-SymbolicName')?.split(';')[0]?.trim();
  const artifact = fromName?.name ?? mf.get('Implementation-Title') ?? symbolic ?? mf.get('Bundle-Name');
  if (!artifact) return undefined;
  const version =
    mf.get('Implementation-Version') ??
    mf.get('Bundle-Version') ??
    fromName?.version ??
    mf.get('Specification-Version') ??
    '';
  const vendorId = mf.get('Implementation-Vendor-Id');
  const moduleName = symbolic ?? mf.get('Automatic-Module-Name');
  let group = vendorId && /^[\w-]+(\.[\w-]+)+$/.test(vendorId) ? vendorId : undefined;
  if (!group && moduleName && moduleName.includes('.'))
    group = moduleName.slice(0, moduleName.lastIndexOf('.'));
  // Maven PURLs need a group; when none can be derived the artifact name stands in (flagged as a guess).
  return { group: group ?? artifact, artifact, version: version.trim(), groupGuessed: true };
}

/** Licence URLs that identify exactly one licence (Bundle-License often holds only a URL). */
const LICENSE_URLS: [RegExp, string][] = [
  [/apache\.org\/licenses\/LICENSE-2\.0/i, 'Apache-2.0'],
  [/opensource\.org\/licenses\/MIT/i, 'MIT'],
  [/eclipse\.org\/legal\/epl-2\.0/i, 'EPL-2.0'],
  [/eclipse\.org\/legal\/epl-v10/i, 'EPL-1.0'],
];

function manifestLicenses(mf: Map<string, string>): string[] {
  const v = mf.get('Bundle-License');
  if (!v) return [];
  // `Bundle-License: Apache-2.0;link="…"`, a list, or just a URL.
  return v
    .split(',')
    .map((x) => x.split(';')[0]!.trim())
    .map((x) => (/^https?:/.test(x) ? (LICENSE_URLS.find(([re]) => re.test(x))?.[1] ?? '') : x))
    .filter(Boolean);
}
