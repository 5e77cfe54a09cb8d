/**
 * The register's decisions about one image as an OpenVEX 0.2.0 document, so `bulwark scan --vex FILE`
 * (and CI) apply exactly what the register decided:
 *
 * - `not-affected` → `not_affected` with the finding's VEX justification;
 * - `false-positive` → `not_affected`, justification `vulnerable_code_not_present`, the reason as impact;
 * - `risk-accepted` → `affected` with an action statement naming the acceptance and its expiry — OpenVEX
 *   has no "accepted" status and claiming `not_affected` would be false;
 * - `fixed` → `fixed`.
 *
 * The product is the image (`pkg:oci/<name>@<digest>` when the digest is known) with each package as a
 * subcomponent (its versionless PURL). Statements are sorted, the document id is derived from its content.
 */
import { createHash } from 'node:crypto';
import type { Store } from './store/connect.js';
import type { FindingsTable, ImagesTable, ProjectsTable } from './store/schema.js';

const DECIDED: readonly FindingsTable['state'][] = [
  'not-affected',
  'false-positive',
  'risk-accepted',
  'fixed',
];

export function imagePurl(img: ImagesTable): string {
  const name = img.repository.slice(img.repository.lastIndexOf('/') + 1).toLowerCase();
  const qualifiers = `repository_url=${encodeURIComponent(img.repository)}&tag=${encodeURIComponent(img.tag)}`;
  return img.digest
    ? `pkg:oci/${name}@${encodeURIComponent(img.digest)}?${qualifiers}`
    : `pkg:oci/${name}?${qualifiers}`;
}

export async function openVexForImage(store: Store, project: ProjectsTable, img: ImagesTable, now: string) {
  const rows = await store.db
    .selectFrom('findings')
    .selectAll()
    .where('project_id', '=', project.id)
    .where('repository', '=', img.repository)
    .where('state', 'in', DECIDED)
    .orderBy('vulnerability_id')
    .orderBy('package_purl')
    .orderBy('id')
    .execute();
  const acceptances = new Map(
    (
      await store.db
        .selectFrom('risk_acceptances')
        .select(['id', 'expires_at', 'reason'])
        .where('id', 'in', [
          ...new Set(rows.map((r) => r.acceptance_id).filter((a): a is string => a !== null)),
          '',
        ])
        .execute()
    ).map((a) => [a.id, a]),
  );
  const product = imagePurl(img);
  const statements = rows.map((f) => {
    const base = {
      vulnerability: {
        name: f.vulnerability_id,
        aliases: (JSON.parse(f.aliases) as string[]).filter((a) => a !== f.vulnerability_id),
      },
      products: [{ '@id': product, subcomponents: [{ '@id': f.package_purl }] }],
      timestamp: f.updated_at,
    };
    switch (f.state) {
      case 'not-affected':
        return {
          ...base,
          status: 'not_affected',
          justification: f.justification ?? 'vulnerable_code_not_present',
          impact_statement: f.state_reason ?? undefined,
        };
      case 'false-positive':
        return {
          ...base,
          status: 'not_affected',
          justification: 'vulnerable_code_not_present',
          impact_statement: `false positive: ${f.state_reason ?? ''}`.trim(),
        };
      case 'fixed':
        return { ...base, status: 'fixed' };
      default: {
        const a = f.acceptance_id ? acceptances.get(f.acceptance_id) : undefined;
        return {
          ...base,
          status: 'affected',
          action_statement: a
            ? `risk accepted until ${a.expires_at} (acceptance ${a.id}): ${a.reason}`
            : `risk accepted: ${f.state_reason ?? ''}`,
        };
      }
    }
  });
  const body = JSON.stringify(statements);
  return {
    '@context': 'https://openvex.dev/ns/v0.2.0',
    '@id': `urn:bulwark:vex:${createHash('sha256')
      .update(product + body)
      .digest('hex')
      .slice(0, 32)}`,
    author: `Bulwark register, project ${project.name}`,
    timestamp: now,
    version: 1,
    statements,
  };
}
