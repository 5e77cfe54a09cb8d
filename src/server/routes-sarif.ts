/**
 * SARIF uploads (`POST /projects/{project}/sarif`): results of other tools (CodeQL, Semgrep, ZAP, …)
 * become findings of the register, with the same lifecycle (./sarif.ts).
 */
import { z } from 'zod';
import { oneLine } from '../util/errors.js';
import { type Actor } from './audit.js';
import { ApiError, badRequest } from './errors.js';
import { ingest } from './register.js';
import { route, type RouteDef } from './route.js';
import { sarifFindings, type SarifGroup } from './sarif.js';

export const SARIF_ROUTES: readonly RouteDef[] = [
  route({
    id: 'pushSarif',
    method: 'POST',
    path: '/projects/{project}/sarif',
    tag: 'scans',
    summary:
      'Upload a SARIF 2.1.0 log from another tool (CodeQL, Semgrep, ZAP, …): its results become findings',
    description:
      'Results are keyed by tool, category, rule and a stable location fingerprint (partialFingerprints when present). A newer upload of the same tool and category marks results it no longer has as fixed. Results suppressed in the log are left out.',
    rawBody: 'A SARIF 2.1.0 log (JSON).',
    access: { kind: 'project', perm: 'push' },
    status: 201,
    query: z.object({
      repository: z
        .string()
        .min(1)
        .max(500)
        .optional()
        .describe(
          'source repository, e.g. github.com/acme/web (default: the log’s versionControlProvenance)',
        ),
      category: z
        .string()
        .max(200)
        .optional()
        .describe('default: automationDetails.id up to its last "/" (GitHub’s convention), else none'),
    }),
    handler: async (ctx) => {
      const query = ctx.query as { repository?: string; category?: string };
      let groups: SarifGroup[];
      try {
        groups = sarifFindings(ctx.body, query.category);
      } catch (err) {
        if (err instanceof z.ZodError) {
          // The API's one-line 400, naming the field (as routes.ts does for declared bodies).
          const issue = err.issues[0];
          const path = ['body', ...(issue?.path ?? []).map(String)].join('.');
          throw new ApiError(400, 'E_VALIDATION', `${path}: ${issue?.message ?? 'invalid'}`);
        }
        throw badRequest(`body.${oneLine(err)}`, 'E_VALIDATION');
      }
      const actor: Actor = {
        id: ctx.principal?.userId ?? null,
        name: ctx.principal?.username ?? 'anonymous',
      };
      const uploads = [];
      for (const g of groups) {
        const repository = query.repository ?? g.repository;
        if (!repository)
          throw badRequest(
            'query.repository: name the source repository (the log has no versionControlProvenance)',
            'E_VALIDATION',
          );
        const r = await ingest(
          ctx.services.store,
          ctx.services.config,
          actor,
          {
            projectId: ctx.project!.id,
            image: {
              repository,
              tag: `sarif:${g.tool}${g.category ? `/${g.category}` : ''}`,
              environment: 'default',
            },
            kind: 'sarif',
            scope: { packageType: 'sarif', packagePurl: g.purl },
            sbomJson: '',
            packageCount: 0,
            findings: g.findings,
            findingsJson: JSON.stringify(g.findings),
          },
          ctx.services.now(),
        );
        uploads.push({ tool: g.tool, category: g.category, repository, ...r });
      }
      return { uploads };
    },
  }),
];
