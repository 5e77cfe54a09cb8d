/**
 * Webhook routes (under /api/v1/projects/{project}/webhooks): create, list, change and delete a
 * project's webhooks, see their delivery history, retry a dead delivery, send a test ping. Managing
 * webhooks takes an admin, or an owner of the project (with a write- or admin-scope token). The secret is
 * returned once, when it is created or rotated; it is never shown again.
 */
import { z } from 'zod';
import { appendAudit, type Actor } from './audit.js';
import { randomId, randomSecret, type Principal } from './auth.js';
import { badRequest, forbidden, notFound, unauthorized } from './errors.js';
import { route, type RouteContext, type RouteDef } from './route.js';
import type { WebhookAttemptsTable, WebhookDeliveriesTable, WebhooksTable } from './store/schema.js';
import { EVENT_TYPES, recordEvents, SEVERITIES } from './webhooks/outbox.js';
import { webhookUrlProblem } from './webhooks/url.js';

const must = (p: Principal | undefined): Principal => {
  if (!p) throw unauthorized();
  return p;
};
const actorOf = (p: Principal): Actor => ({ id: p.userId, name: p.username });

/** Admins, and owners of the project. */
async function mustManage(ctx: RouteContext): Promise<Principal> {
  const p = must(ctx.principal);
  if (p.role === 'admin') return p;
  const owner = await ctx.services.store.db
    .selectFrom('project_members')
    .select('owner')
    .where('project_id', '=', ctx.project!.id)
    .where('user_id', '=', p.userId)
    .executeTakeFirst();
  if (owner?.owner !== 1) throw forbidden('managing webhooks needs an admin or an owner of the project');
  return p;
}

export const webhookView = (w: WebhooksTable) => ({
  id: w.id,
  url: w.url,
  description: w.description,
  events: JSON.parse(w.events) as string[],
  minSeverity: w.min_severity,
  kevOnly: w.kev_only === 1,
  enabled: w.enabled === 1,
  createdBy: w.created_by,
  createdAt: w.created_at,
  updatedAt: w.updated_at,
});

const deliveryView = (d: WebhookDeliveriesTable, attempts?: readonly WebhookAttemptsTable[]) => ({
  id: d.id,
  eventId: d.event_id,
  eventType: d.event_type,
  status: d.status,
  attempts: d.attempts,
  nextAttemptAt: d.status === 'pending' ? d.next_attempt_at : null,
  lastStatus: d.last_status,
  lastError: d.last_error,
  createdAt: d.created_at,
  deliveredAt: d.delivered_at,
  ...(attempts
    ? {
        history: attempts.map((a) => ({
          attempt: a.attempt,
          at: a.at,
          status: a.status,
          error: a.error,
          durationMs: a.duration_ms,
        })),
      }
    : {}),
});

const url = z.string().min(1).max(2000).describe('http(s) URL the events are POSTed to');
const secret = z
  .string()
  .min(24)
  .max(200)
  .describe('HMAC key; write-only (default: generated, returned once)');
const events = z.array(z.enum(EVENT_TYPES)).min(1).max(EVENT_TYPES.length);
const minSeverity = z.enum(SEVERITIES).nullable();

function checkUrl(ctx: RouteContext, raw: string): string {
  const problem = webhookUrlProblem(raw, ctx.services.config.webhooks.allowedHosts);
  if (problem) throw badRequest(`body.url: ${problem}`, 'E_VALIDATION');
  return new URL(raw).toString();
}

async function oneWebhook(ctx: RouteContext): Promise<WebhooksTable> {
  const w = await ctx.services.store.db
    .selectFrom('webhooks')
    .selectAll()
    .where('id', '=', ctx.params.webhook!)
    .where('project_id', '=', ctx.project!.id)
    .executeTakeFirst();
  if (!w) throw notFound('webhook');
  return w;
}

const newSecret = (): string => `whsec_${randomSecret()}`;

export const WEBHOOK_ROUTES: readonly RouteDef[] = [
  route({
    id: 'listWebhooks',
    method: 'GET',
    path: '/projects/{project}/webhooks',
    tag: 'webhooks',
    summary: "The project's webhooks (never their secret)",
    description: 'Admins and owners of the project only.',
    access: { kind: 'project', perm: 'triage' },
    handler: async (ctx) => {
      await mustManage(ctx);
      const rows = await ctx.services.store.db
        .selectFrom('webhooks')
        .selectAll()
        .where('project_id', '=', ctx.project!.id)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return { items: rows.map(webhookView) };
    },
  }),
  route({
    id: 'createWebhook',
    method: 'POST',
    path: '/projects/{project}/webhooks',
    tag: 'webhooks',
    summary: 'Add a webhook; the answer carries its signing secret, shown this once',
    description:
      'Events are POSTed as JSON signed with HMAC-SHA256 (header Bulwark-Signature: t=<unix time>,v1=<hex of HMAC(secret, "<t>.<body>")>), retried with exponential back-off. minSeverity and kevOnly filter the findings of finding events. Admins and owners of the project only; with webhook-allowed-hosts set, only those hosts.',
    access: { kind: 'project', perm: 'triage' },
    status: 201,
    body: z.object({
      url,
      secret: secret.optional(),
      description: z.string().max(1000).default(''),
      events: events.default([...EVENT_TYPES]),
      minSeverity: minSeverity.default(null),
      kevOnly: z.boolean().default(false),
      enabled: z.boolean().default(true),
    }),
    handler: async (ctx) => {
      const p = await mustManage(ctx);
      const { body } = ctx;
      const now = ctx.services.now();
      const row: WebhooksTable = {
        id: randomId(),
        project_id: ctx.project!.id,
        url: checkUrl(ctx, body.url),
        secret: body.secret ?? newSecret(),
        description: body.description,
        events: JSON.stringify([...new Set(body.events)].sort()),
        min_severity: body.minSeverity,
        kev_only: body.kevOnly ? 1 : 0,
        enabled: body.enabled ? 1 : 0,
        created_by: p.username,
        created_at: now,
        updated_at: now,
      };
      await ctx.services.store.write(async (tx) => {
        await tx.insertInto('webhooks').values(row).execute();
        await appendAudit(tx, actorOf(p), now, [
          {
            action: 'webhook.created',
            entityType: 'webhook',
            entityId: row.id,
            projectId: row.project_id,
            details: { ...webhookView(row) },
          },
        ]);
      });
      return { ...webhookView(row), ...(body.secret ? {} : { secret: row.secret }) };
    },
  }),
  route({
    id: 'getWebhook',
    method: 'GET',
    path: '/projects/{project}/webhooks/{webhook}',
    tag: 'webhooks',
    summary: 'One webhook with counts of its deliveries by status',
    description: 'Admins and owners of the project only.',
    access: { kind: 'project', perm: 'triage' },
    handler: async (ctx) => {
      await mustManage(ctx);
      const w = await oneWebhook(ctx);
      const counts = await ctx.services.store.db
        .selectFrom('webhook_deliveries')
        .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
        .where('webhook_id', '=', w.id)
        .groupBy('status')
        .execute();
      return {
        ...webhookView(w),
        deliveries: Object.fromEntries(
          ['pending', 'delivered', 'dead'].map((s) => [
            s,
            Number(counts.find((c) => c.status === s)?.n ?? 0),
          ]),
        ),
      };
    },
  }),
  route({
    id: 'updateWebhook',
    method: 'PATCH',
    path: '/projects/{project}/webhooks/{webhook}',
    tag: 'webhooks',
    summary: 'Change a webhook; rotateSecret returns a new secret (once), secret sets one (write-only)',
    description: 'Admins and owners of the project only.',
    access: { kind: 'project', perm: 'triage' },
    body: z.object({
      url: url.optional(),
      secret: secret.optional(),
      rotateSecret: z.boolean().optional(),
      description: z.string().max(1000).optional(),
      events: events.optional(),
      minSeverity: minSeverity.optional(),
      kevOnly: z.boolean().optional(),
      enabled: z.boolean().optional(),
    }),
    handler: async (ctx) => {
      const p = await mustManage(ctx);
      const w = await oneWebhook(ctx);
      const { body } = ctx;
      if (body.secret && body.rotateSecret)
        throw badRequest('give either secret or rotateSecret, not both', 'E_VALIDATION');
      const now = ctx.services.now();
      const set: Partial<WebhooksTable> = { updated_at: now };
      if (body.url !== undefined) set.url = checkUrl(ctx, body.url);
      if (body.secret !== undefined) set.secret = body.secret;
      if (body.rotateSecret) set.secret = newSecret();
      if (body.description !== undefined) set.description = body.description;
      if (body.events !== undefined) set.events = JSON.stringify([...new Set(body.events)].sort());
      if (body.minSeverity !== undefined) set.min_severity = body.minSeverity;
      if (body.kevOnly !== undefined) set.kev_only = body.kevOnly ? 1 : 0;
      if (body.enabled !== undefined) set.enabled = body.enabled ? 1 : 0;
      const next = { ...w, ...set };
      await ctx.services.store.write(async (tx) => {
        await tx.updateTable('webhooks').set(set).where('id', '=', w.id).execute();
        await appendAudit(tx, actorOf(p), now, [
          {
            action: 'webhook.updated',
            entityType: 'webhook',
            entityId: w.id,
            projectId: w.project_id,
            details: { ...webhookView(next), secretChanged: set.secret !== undefined },
          },
        ]);
      });
      return { ...webhookView(next), ...(body.rotateSecret ? { secret: set.secret } : {}) };
    },
  }),
  route({
    id: 'deleteWebhook',
    method: 'DELETE',
    path: '/projects/{project}/webhooks/{webhook}',
    tag: 'webhooks',
    summary: 'Delete a webhook and its delivery history',
    description: 'Admins and owners of the project only.',
    access: { kind: 'project', perm: 'triage' },
    handler: async (ctx) => {
      const p = await mustManage(ctx);
      const w = await oneWebhook(ctx);
      const now = ctx.services.now();
      await ctx.services.store.write(async (tx) => {
        await tx.deleteFrom('webhooks').where('id', '=', w.id).execute();
        await appendAudit(tx, actorOf(p), now, [
          {
            action: 'webhook.deleted',
            entityType: 'webhook',
            entityId: w.id,
            projectId: w.project_id,
            details: { url: w.url },
          },
        ]);
      });
      return { ok: true };
    },
  }),
  route({
    id: 'listWebhookDeliveries',
    method: 'GET',
    path: '/projects/{project}/webhooks/{webhook}/deliveries',
    tag: 'webhooks',
    summary: 'Delivery history of a webhook, newest first, with every attempt (status code, error, time)',
    description: 'Admins and owners of the project only.',
    access: { kind: 'project', perm: 'triage' },
    query: z.object({
      status: z.enum(['pending', 'delivered', 'dead']).optional(),
      limit: z.coerce.number().int().min(1).max(500).default(50),
      offset: z.coerce.number().int().min(0).default(0),
    }),
    handler: async (ctx) => {
      await mustManage(ctx);
      const w = await oneWebhook(ctx);
      const db = ctx.services.store.db;
      let q = db.selectFrom('webhook_deliveries').selectAll().where('webhook_id', '=', w.id);
      if (ctx.query.status) q = q.where('status', '=', ctx.query.status);
      const rows = await q
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .limit(ctx.query.limit)
        .offset(ctx.query.offset)
        .execute();
      const attempts = rows.length
        ? await db
            .selectFrom('webhook_attempts')
            .selectAll()
            .where(
              'delivery_id',
              'in',
              rows.map((r) => r.id),
            )
            .orderBy('attempt')
            .execute()
        : [];
      return {
        items: rows.map((r) =>
          deliveryView(
            r,
            attempts.filter((a) => a.delivery_id === r.id),
          ),
        ),
      };
    },
  }),
  route({
    id: 'retryWebhookDelivery',
    method: 'POST',
    path: '/projects/{project}/webhooks/{webhook}/deliveries/{delivery}/retry',
    tag: 'webhooks',
    summary:
      'Send a delivery again (e.g. a dead one after the receiver was fixed): due now, attempts restart',
    description: 'Admins and owners of the project only.',
    access: { kind: 'project', perm: 'triage' },
    handler: async (ctx) => {
      await mustManage(ctx);
      const w = await oneWebhook(ctx);
      const db = ctx.services.store.db;
      const d = await db
        .selectFrom('webhook_deliveries')
        .selectAll()
        .where('id', '=', ctx.params.delivery!)
        .where('webhook_id', '=', w.id)
        .executeTakeFirst();
      if (!d) throw notFound('delivery');
      const now = ctx.services.now();
      const set = {
        status: 'pending' as const,
        attempts: 0,
        next_attempt_at: now,
        lease_owner: null,
        lease_until: null,
      };
      await db.updateTable('webhook_deliveries').set(set).where('id', '=', d.id).execute();
      return deliveryView({ ...d, ...set });
    },
  }),
  route({
    id: 'pingWebhook',
    method: 'POST',
    path: '/projects/{project}/webhooks/{webhook}/ping',
    tag: 'webhooks',
    summary: 'Queue a test event (type ping) for this webhook, to check the receiver and its signature check',
    description: 'Admins and owners of the project only.',
    access: { kind: 'project', perm: 'triage' },
    status: 202,
    handler: async (ctx) => {
      const p = await mustManage(ctx);
      const w = await oneWebhook(ctx);
      const now = ctx.services.now();
      const [d] = await ctx.services.store.write((tx) =>
        recordEvents(
          tx,
          now,
          [{ type: 'ping', projectId: w.project_id, actor: p.username, data: { message: 'ping' } }],
          [w],
        ),
      );
      return deliveryView(d!);
    },
  }),
];
