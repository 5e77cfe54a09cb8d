/**
 * Routes that hand the register's decisions to other tools: the decisions of an image repository for
 * `bulwark scan --server` (by repository, or by an image digest the register has seen), and an image's
 * decisions as CycloneDX VEX.
 */
import { z } from 'zod';
import { decisionsFor } from './decisions.js';
import { badRequest, notFound } from './errors.js';
import { expireAcceptances } from './register.js';
import { route, type RouteDef } from './route.js';
import { cycloneDxVexForImage } from './vex-cyclonedx.js';

export const DECISION_ROUTES: readonly RouteDef[] = [
  route({
    id: 'listDecisions',
    method: 'GET',
    path: '/projects/{project}/decisions',
    tag: 'images',
    summary:
      "The register's decisions for an image repository (risk accepted, not affected, false positive), as bulwark scan --server applies them",
    description:
      'Name the repository, or an image digest the register has seen in this project (its repository is used). Findings are per repository, so decisions are too.',
    access: { kind: 'project', perm: 'read' },
    query: z.object({
      repository: z.string().min(1).max(500).optional(),
      digest: z
        .string()
        .regex(/^[a-z0-9]+:[a-f0-9]{32,128}$/)
        .optional(),
      tag: z.string().max(200).optional().describe('ignored (decisions are per repository)'),
      environment: z.string().max(100).optional().describe('ignored (decisions are per repository)'),
    }),
    handler: async (ctx) => {
      const { store } = ctx.services;
      const now = ctx.services.now();
      let repository = ctx.query.repository;
      if (!repository) {
        if (!ctx.query.digest) throw badRequest('query: name a repository or a digest', 'E_VALIDATION');
        const img = await store.db
          .selectFrom('images')
          .select('repository')
          .where('project_id', '=', ctx.project!.id)
          .where('digest', '=', ctx.query.digest)
          .orderBy('last_scan_at', 'desc')
          .executeTakeFirst();
        if (!img) throw notFound(`image with digest ${ctx.query.digest}`);
        repository = img.repository;
      }
      await expireAcceptances(store, now);
      return decisionsFor(store, ctx.project!, repository, now);
    },
  }),
  route({
    id: 'imageCycloneDxVex',
    method: 'GET',
    path: '/projects/{project}/images/{image}/vex/cyclonedx',
    tag: 'images',
    summary: "The register's decisions for an image as a CycloneDX 1.6 VEX document (for bulwark scan --vex)",
    access: { kind: 'project', perm: 'read' },
    handler: async (ctx) => {
      const img = await ctx.services.store.db
        .selectFrom('images')
        .selectAll()
        .where('id', '=', ctx.params.image!)
        .where('project_id', '=', ctx.project!.id)
        .executeTakeFirst();
      if (!img) throw notFound('image');
      const now = ctx.services.now();
      await expireAcceptances(ctx.services.store, now);
      ctx.reply.type('application/vnd.cyclonedx+json; version=1.6');
      return JSON.stringify(await cycloneDxVexForImage(ctx.services.store, ctx.project!, img, now));
    },
  }),
];
