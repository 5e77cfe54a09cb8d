/**
 * What the OS package-database catalogers (dpkg, apk, rpm) share: unknowns for a database file with a
 * cap on how many are reported, layer attribution of a text database, and the package fields that say
 * where a package was found and by whom.
 */
import { attributeLayers, type Attributed } from '../attribution.js';
import type { CatalogFile, Location, Package, Unknown } from '../types.js';
import { pushAll } from '../../util/arrays.js';
import { rethrowIfInternal } from '../../util/errors.js';

/** Problems reported per database file before summarising the rest. */
export const MAX_PROBLEMS = 10;

/** An unknown for a database file, credited to the cataloger `catalogerId`. */
export function databaseUnknown(catalogerId: string, file: CatalogFile, reason: string): Unknown {
  return { path: file.path, ...(file.layer ? { layer: file.layer } : {}), reason, cataloger: catalogerId };
}

/**
 * Unknowns for the problems found in one database file: the first {@link MAX_PROBLEMS} as they are,
 * then one line counting the rest, so that a badly damaged database cannot flood the report.
 * `rest` names what the rest are, e.g. `malformed paragraphs` (`40 more malformed paragraphs`).
 */
export function problemUnknowns(
  catalogerId: string,
  file: CatalogFile,
  problems: readonly string[],
  rest: string,
): Unknown[] {
  const out = problems.slice(0, MAX_PROBLEMS).map((reason) => databaseUnknown(catalogerId, file, reason));
  if (problems.length > MAX_PROBLEMS)
    out.push(databaseUnknown(catalogerId, file, `${problems.length - MAX_PROBLEMS} more ${rest}`));
  return out;
}

/** An entry of a text package database, identified for attribution by name, architecture and version. */
export interface DatabaseEntry {
  readonly name: string;
  readonly arch?: string;
  readonly version: string;
}

/** Entries parsed from one version of a text database, with the problems met on the way. */
export interface DatabaseParse<T> {
  readonly entries: T[];
  readonly problems: string[];
}

/**
 * Read every version of a text package database (dpkg status, apk installed) and credit each entry of
 * the final version to the layer that installed it (see attribution.ts). Only the final version's
 * problems are reported: older versions are read for attribution alone. A file whose versions cannot
 * be read yields one unknown and no entries.
 */
export async function attributeTextDatabase<T extends DatabaseEntry>(
  catalogerId: string,
  file: CatalogFile,
  parse: (text: string) => DatabaseParse<T>,
  rest: string,
): Promise<{ attributed: Attributed<T>[]; unknowns: Unknown[] }> {
  let versions;
  try {
    versions = await file.history();
  } catch (err) {
    rethrowIfInternal(err);
    const reason = `cannot read: ${err instanceof Error ? err.message : String(err)}`;
    return { attributed: [], unknowns: [databaseUnknown(catalogerId, file, reason)] };
  }
  const problems: string[] = [];
  const attributed = attributeLayers(versions, {
    parse: (content, latest) => {
      const parsed = parse(content.toString('utf8'));
      if (latest) pushAll(problems, parsed.problems);
      return parsed.entries;
    },
    key: (e) => `${e.name}|${e.arch ?? ''}|${e.version}`,
  });
  return { attributed, unknowns: problemUnknowns(catalogerId, file, problems, rest) };
}

/** `fields` without those a database entry does not have: undefined ones and empty lists. */
export function presentFields(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields))
    if (v !== undefined && !(Array.isArray(v) && v.length === 0)) out[k] = v;
  return out;
}

/** The fields of an OS package that come from its database entry. */
export interface OsPackageFields {
  readonly name: string;
  readonly version: string;
  readonly type: 'deb' | 'apk' | 'rpm';
  readonly purl: string;
  readonly licenses: string[];
  readonly sourceName: string;
  readonly sourceVersion: string;
  readonly arch?: string;
  readonly files: string[];
  readonly metadata: Record<string, unknown>;
}

/**
 * A package found in a database at `location` by `foundBy`; it is credited to the location's layer
 * (the one that installed it, from {@link attributeTextDatabase} or attributeLayers).
 */
export function osPackage(foundBy: string, location: Location, fields: OsPackageFields): Package {
  return {
    id: '',
    name: fields.name,
    version: fields.version,
    type: fields.type,
    purl: fields.purl,
    licenses: fields.licenses,
    sourceName: fields.sourceName,
    sourceVersion: fields.sourceVersion,
    ...(fields.arch ? { arch: fields.arch } : {}),
    locations: [location],
    ...(location.layer ? { layer: location.layer } : {}),
    foundBy,
    files: fields.files,
    metadata: fields.metadata,
  };
}
