/** CISA Known Exploited Vulnerabilities catalog (JSON feed), validated at the boundary. */
import { z } from 'zod';
import { InputError } from '../util/errors.js';
import type { KevEntry } from './types.js';

const CVE = /^CVE-\d{4}-\d{4,}$/;
const optText = z
  .unknown()
  .optional()
  .transform((v) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined));

const entrySchema = z
  .object({
    cveID: z.string().trim().toUpperCase().regex(CVE),
    vendorProject: optText,
    product: optText,
    vulnerabilityName: optText,
    dateAdded: z.string().regex(/^\d{4}-\d{2}-\d{2}/),
    dueDate: optText,
    knownRansomwareCampaignUse: optText,
    requiredAction: optText,
    shortDescription: optText,
    notes: optText,
  })
  .transform((e): KevEntry => {
    const out: { -readonly [K in keyof KevEntry]: KevEntry[K] } = {
      cve: e.cveID,
      dateAdded: e.dateAdded.slice(0, 10),
      ransomware: e.knownRansomwareCampaignUse?.toLowerCase() === 'known',
    };
    if (e.vendorProject) out.vendor = e.vendorProject;
    if (e.product) out.product = e.product;
    if (e.vulnerabilityName) out.name = e.vulnerabilityName;
    if (e.dueDate) out.dueDate = e.dueDate;
    if (e.requiredAction) out.requiredAction = e.requiredAction;
    if (e.shortDescription) out.shortDescription = e.shortDescription;
    if (e.notes) out.notes = e.notes;
    return out;
  });

export interface KevParseResult {
  readonly entries: KevEntry[];
  readonly catalogVersion?: string;
  readonly rejected: number;
}

/** True when a decoded JSON document looks like the KEV catalog. */
export function isKevDocument(data: unknown): boolean {
  return (
    data !== null &&
    typeof data === 'object' &&
    Array.isArray((data as { vulnerabilities?: unknown }).vulnerabilities) &&
    ('catalogVersion' in data || 'dateReleased' in data)
  );
}

/** Parse the KEV catalog; malformed entries are dropped and counted. `label` names the input in errors. */
export function parseKev(data: unknown, label: string): KevParseResult {
  if (!isKevDocument(data)) {
    throw new InputError(
      'E_KEV',
      `${label}: not a CISA KEV catalog (expected "catalogVersion" and "vulnerabilities")`,
    );
  }
  const doc = data as { vulnerabilities: unknown[]; catalogVersion?: unknown };
  const byCve = new Map<string, KevEntry>();
  let rejected = 0;
  for (const item of doc.vulnerabilities) {
    const r = entrySchema.safeParse(item);
    if (r.success) byCve.set(r.data.cve, r.data);
    else rejected++;
  }
  const entries = [...byCve.values()].sort((a, b) => (a.cve < b.cve ? -1 : a.cve > b.cve ? 1 : 0));
  return typeof doc.catalogVersion === 'string'
    ? { entries, rejected, catalogVersion: doc.catalogVersion }
    : { entries, rejected };
}
