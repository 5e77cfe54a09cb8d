/**
 * VEX documents (`--vex FILE…`): statements by a supplier or the team that a vulnerability does or does
 * not affect a product. Two JSON formats, recognised by content:
 *
 * - OpenVEX (`@context` https://openvex.dev/ns…): `statements[]` with `vulnerability` (`name`, `aliases`,
 *   or a plain string in v0.0.x), `products[]` (`@id` and/or `identifiers.purl`, `subcomponents[]`),
 *   `status`, `justification`, `impact_statement`, `timestamp`.
 * - CycloneDX VEX (`bomFormat: CycloneDX`): `vulnerabilities[]` with `id`, `references[].id`,
 *   `analysis.state` / `justification` / `detail`, and `affects[].ref` — a PURL, a component
 *   `bom-ref` of the same document (resolved to its PURL), a BOM-link (`urn:cdx:…#ref`), or one of our
 *   own package ids (Bulwark's CycloneDX SBOM uses them as bom-refs).
 *
 * Statuses are normalised to OpenVEX words: `not_affected` and `fixed` suppress; `affected` and
 * `under_investigation` keep the finding.
 */
import { InputError } from '../util/errors.js';
import { readJsonFile } from '../util/json-file.js';
import { pushAll } from '../util/arrays.js';

export type VexStatus = 'not_affected' | 'affected' | 'fixed' | 'under_investigation';

export interface VexStatement {
  /** `<file>#<index>` or `<file>#<statement id>`. */
  readonly source: string;
  /** Vulnerability id and aliases the statement names. */
  readonly ids: readonly string[];
  /** PURLs (or PURL-less refs, matched against package ids) of the packages it is about; empty = every package. */
  readonly products: readonly string[];
  readonly status: VexStatus;
  readonly justification?: string;
  readonly detail?: string;
  /** For ordering: a later statement about the same thing wins. */
  readonly timestamp?: string;
  readonly order: number;
}

const MAX_VEX_BYTES = 32 * 1024 * 1024;
const IMAGE_PURL = /^pkg:(oci|docker)\//i;

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Read and parse VEX files (paths relative to `cwd`). Throws a one-line InputError per bad file. */
export function loadVexFiles(files: readonly string[], cwd: string): VexStatement[] {
  const out: VexStatement[] = [];
  for (const file of files) {
    const { doc } = readJsonFile(file, cwd, {
      maxBytes: MAX_VEX_BYTES,
      tooLarge: () => new InputError('E_VEX', `${file}: VEX document larger than ${MAX_VEX_BYTES} bytes`),
      notJson: (detail) => new InputError('E_VEX', `${file}: not JSON: ${detail}`),
    });
    pushAll(out, parseVex(doc, file, out.length));
  }
  return out;
}

/** Parse one VEX document (already JSON-decoded). */
export function parseVex(doc: unknown, label: string, orderBase = 0): VexStatement[] {
  if (!isObj(doc)) throw new InputError('E_VEX', `${label}: not a VEX document (expected a JSON object)`);
  if (typeof doc['@context'] === 'string' && /openvex/i.test(doc['@context']))
    return parseOpenVex(doc, label, orderBase);
  if (doc.bomFormat === 'CycloneDX') return parseCycloneDxVex(doc, label, orderBase);
  throw new InputError(
    'E_VEX',
    `${label}: neither OpenVEX (@context openvex) nor CycloneDX (bomFormat) — unsupported VEX format`,
  );
}

const OPENVEX_STATUS: Record<string, VexStatus> = {
  not_affected: 'not_affected',
  affected: 'affected',
  fixed: 'fixed',
  under_investigation: 'under_investigation',
};

function openVexProducts(p: unknown): string[] {
  if (typeof p === 'string') return [p];
  if (!isObj(p)) return [];
  const ids = new Set<string>();
  const purl = isObj(p.identifiers) ? str(p.identifiers.purl) : undefined;
  const id = str(p['@id']);
  const subs = arr(p.subcomponents).flatMap(openVexProducts);
  // An image product with subcomponents is about those packages; on its own, about every package.
  if (subs.length > 0) return subs;
  if (purl) ids.add(purl);
  if (id) ids.add(id);
  return [...ids];
}

function parseOpenVex(doc: Record<string, unknown>, label: string, orderBase: number): VexStatement[] {
  const statements = doc.statements;
  if (!Array.isArray(statements))
    throw new InputError('E_VEX', `${label}: OpenVEX document has no statements list`);
  const docTime = str(doc.last_updated) ?? str(doc.timestamp);
  const out: VexStatement[] = [];
  statements.forEach((s, i) => {
    if (!isObj(s)) throw new InputError('E_VEX', `${label}: statements[${i}] is not an object`);
    const v = s.vulnerability;
    const ids =
      typeof v === 'string'
        ? [v]
        : isObj(v)
          ? [str(v.name), str(v['@id']), ...arr(v.aliases).map(str)].filter((x): x is string => !!x)
          : [];
    const statusWord = str(s.status);
    const status = statusWord ? OPENVEX_STATUS[statusWord] : undefined;
    if (ids.length === 0) throw new InputError('E_VEX', `${label}: statements[${i}]: no vulnerability name`);
    if (!status)
      throw new InputError('E_VEX', `${label}: statements[${i}]: unknown status "${statusWord ?? ''}"`);
    const products = arr(s.products).flatMap(openVexProducts);
    const justification = str(s.justification);
    const detail = str(s.impact_statement) ?? str(s.status_notes) ?? str(s.action_statement);
    const timestamp = str(s.timestamp) ?? docTime;
    out.push(
      statement(
        {
          source: `${label}#${str(s['@id']) ?? `statements[${i}]`}`,
          ids,
          // The image itself (pkg:oci / pkg:docker) is the scanned target: such a product covers every package.
          products: products.filter((p) => !IMAGE_PURL.test(p)),
          status,
        },
        { justification, detail, timestamp },
        orderBase + i,
      ),
    );
  });
  return out;
}

/** A statement with its optional fields set only when present (the key order stays that of the type). */
function statement(
  fields: Pick<VexStatement, 'source' | 'ids' | 'products' | 'status'>,
  optional: { justification: string | undefined; detail: string | undefined; timestamp: string | undefined },
  order: number,
): VexStatement {
  const { justification, detail, timestamp } = optional;
  return {
    ...fields,
    ...(justification ? { justification } : {}),
    ...(detail ? { detail } : {}),
    ...(timestamp ? { timestamp } : {}),
    order,
  };
}

const CDX_STATE: Record<string, VexStatus> = {
  not_affected: 'not_affected',
  false_positive: 'not_affected',
  resolved: 'fixed',
  resolved_with_pedigree: 'fixed',
  exploitable: 'affected',
  in_triage: 'under_investigation',
};

function componentRefs(components: unknown[], into: Map<string, string>): void {
  for (const c of components) {
    if (!isObj(c)) continue;
    const ref = str(c['bom-ref']);
    const purl = str(c.purl);
    if (ref && purl) into.set(ref, purl);
    componentRefs(arr(c.components), into);
  }
}

function parseCycloneDxVex(doc: Record<string, unknown>, label: string, orderBase: number): VexStatement[] {
  const vulns = doc.vulnerabilities;
  if (!Array.isArray(vulns))
    throw new InputError('E_VEX', `${label}: CycloneDX document has no vulnerabilities list`);
  const refs = new Map<string, string>();
  componentRefs(arr(doc.components), refs);
  if (isObj(doc.metadata) && isObj(doc.metadata.component)) componentRefs([doc.metadata.component], refs);
  const docTime = isObj(doc.metadata) ? str(doc.metadata.timestamp) : undefined;
  const out: VexStatement[] = [];
  vulns.forEach((v, i) => {
    if (!isObj(v)) throw new InputError('E_VEX', `${label}: vulnerabilities[${i}] is not an object`);
    const analysis = isObj(v.analysis) ? v.analysis : undefined;
    const state = analysis ? str(analysis.state) : undefined;
    // A vulnerability without an analysis is a finding, not a VEX statement.
    if (!state) return;
    const status = CDX_STATE[state];
    if (!status)
      throw new InputError('E_VEX', `${label}: vulnerabilities[${i}]: unknown analysis state "${state}"`);
    const ids = [str(v.id), ...arr(v.references).map((r) => (isObj(r) ? str(r.id) : undefined))].filter(
      (x): x is string => !!x,
    );
    if (ids.length === 0) throw new InputError('E_VEX', `${label}: vulnerabilities[${i}]: no id`);
    const products = arr(v.affects).flatMap((a) => {
      const ref = isObj(a) ? str(a.ref) : undefined;
      if (!ref) return [];
      if (ref.startsWith('pkg:')) return [ref];
      const local =
        ref.startsWith('urn:cdx:') && ref.includes('#')
          ? decodeURIComponent(ref.slice(ref.indexOf('#') + 1))
          : ref;
      return [refs.get(local) ?? local];
    });
    const justification = analysis ? str(analysis.justification) : undefined;
    const detail = analysis ? str(analysis.detail) : undefined;
    const timestamp = (analysis ? str(analysis.lastUpdated) : undefined) ?? str(v.updated) ?? docTime;
    out.push(
      statement(
        { source: `${label}#${str(v['bom-ref']) ?? `vulnerabilities[${i}]`}`, ids, products, status },
        { justification, detail, timestamp },
        orderBase + i,
      ),
    );
  });
  return out;
}
