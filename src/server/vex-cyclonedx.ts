/**
 * The register's decisions about one image as a CycloneDX 1.6 VEX document (alongside the OpenVEX of
 * ./vex.ts), for tools that read CycloneDX — Dependency-Track among them — and for `bulwark scan --vex`:
 *
 * - `not-affected` → `not_affected` with the CycloneDX justification closest to the OpenVEX one;
 * - `false-positive` → `false_positive`;
 * - `risk-accepted` → `exploitable` with response `will_not_fix`, the detail naming the acceptance and
 *   its expiry (an accepted risk is still a risk; claiming "not affected" would be false);
 * - `fixed` → `resolved`.
 *
 * The image is the metadata component; each package (its versionless PURL) is a component that the
 * vulnerabilities' `affects` point to. Output is sorted, and the serial number derives from the content.
 */
import { createHash } from 'node:crypto';
import { BULWARK_VERSION } from '../util/tool-version.js';
import type { Store } from './store/connect.js';
import type { FindingsTable, ImagesTable, ProjectsTable } from './store/schema.js';
import { imagePurl } from './vex.js';

const DECIDED: readonly FindingsTable['state'][] = [
  'not-affected',
  'false-positive',
  'risk-accepted',
  'fixed',
];

/** OpenVEX (CISA) justification → CycloneDX `analysis.justification`. */
const JUSTIFICATION: Readonly<Record<string, string>> = {
  component_not_present: 'code_not_present',
  vulnerable_code_not_present: 'code_not_present',
  vulnerable_code_not_in_execute_path: 'code_not_reachable',
  vulnerable_code_cannot_be_controlled_by_adversary: 'requires_environment',
  inline_mitigations_already_exist: 'protected_by_mitigating_control',
};

const SOURCES: readonly [RegExp, string, string][] = [
  [/^CVE-/, 'NVD', 'https://nvd.nist.gov/vuln/detail/'],
  [/^GHSA-/, 'GitHub', 'https://github.com/advisories/'],
];

function source(id: string): { name: string; url: string } | undefined {
  const s = SOURCES.find(([re]) => re.test(id));
  return s ? { name: s[1], url: `${s[2]}${id}` } : undefined;
}

/** A UUID-shaped serial number from a hash (version 5-like layout; deterministic for one content). */
function serialOf(hash: string): string {
  const h = hash.slice(0, 32).split('');
  h[12] = '5';
  h[16] = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  const s = h.join('');
  return `urn:uuid:${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20, 32)}`;
}

export async function cycloneDxVexForImage(
  store: Store,
  project: ProjectsTable,
  img: ImagesTable,
  now: string,
): Promise<Record<string, unknown>> {
  const rows = await store.db
    .selectFrom('findings')
    .selectAll()
    .where('project_id', '=', project.id)
    .where('repository', '=', img.repository)
    .where('state', 'in', DECIDED)
    .where('package_type', '!=', 'sarif')
    .orderBy('vulnerability_id')
    .orderBy('package_purl')
    .orderBy('location')
    .orderBy('id')
    .execute();
  const ids = [...new Set(rows.map((r) => r.acceptance_id).filter((a): a is string => a !== null))];
  const acceptances = new Map(
    (ids.length
      ? await store.db
          .selectFrom('risk_acceptances')
          .select(['id', 'expires_at', 'reason'])
          .where('id', 'in', ids)
          .execute()
      : []
    ).map((a) => [a.id, a]),
  );
  const product = imagePurl(img);
  const components = new Map<string, { type: string; name: string; purl: string; 'bom-ref': string }>();
  for (const f of rows)
    if (!components.has(f.package_purl))
      components.set(f.package_purl, {
        type: 'library',
        name: f.package_name,
        purl: f.package_purl,
        'bom-ref': f.package_purl,
      });
  const vulnerabilities = rows.map((f, i) => {
    const aliases = (JSON.parse(f.aliases) as string[]).filter((a) => a !== f.vulnerability_id).sort();
    const src = source(f.vulnerability_id);
    let analysis: Record<string, unknown>;
    switch (f.state) {
      case 'not-affected':
        analysis = {
          state: 'not_affected',
          justification: JUSTIFICATION[f.justification ?? ''] ?? 'code_not_present',
          detail: f.state_reason ?? '',
        };
        break;
      case 'false-positive':
        analysis = { state: 'false_positive', detail: f.state_reason ?? '' };
        break;
      case 'fixed':
        analysis = { state: 'resolved', detail: f.state_reason ?? 'no longer found by a newer scan' };
        break;
      default: {
        const a = f.acceptance_id ? acceptances.get(f.acceptance_id) : undefined;
        analysis = {
          state: 'exploitable',
          response: ['will_not_fix'],
          detail: a
            ? `risk accepted until ${a.expires_at} (acceptance ${a.id}): ${a.reason}`
            : `risk accepted: ${f.state_reason ?? ''}`,
        };
      }
    }
    return {
      'bom-ref': `vuln-${i + 1}`,
      id: f.vulnerability_id,
      ...(src ? { source: src } : {}),
      ...(aliases.length
        ? { references: aliases.map((id) => ({ id, source: source(id) ?? { name: 'OSV' } })) }
        : {}),
      analysis: { ...analysis, firstIssued: f.first_seen_at, lastUpdated: f.updated_at },
      affects: [{ ref: f.package_purl }],
    };
  });
  const body = JSON.stringify([product, vulnerabilities]);
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: serialOf(createHash('sha256').update(body).digest('hex')),
    version: 1,
    metadata: {
      timestamp: now,
      tools: { components: [{ type: 'application', name: 'bulwark', version: BULWARK_VERSION }] },
      component: {
        type: 'container',
        name: img.repository,
        version: img.digest ?? img.tag,
        purl: product,
        'bom-ref': product,
      },
      properties: [{ name: 'bulwark:project', value: project.name }],
    },
    components: [...components.values()],
    vulnerabilities,
  };
}
