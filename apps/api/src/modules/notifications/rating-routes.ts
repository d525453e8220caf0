/**
 * The H5 rating page opened from the resolved SMS, without signing in (under /api/public):
 * GET the ticket's public view through the link, POST the rating once.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { SATISFACTIONS } from '@ys/shared';
import { categories, ratingLinkUses, stations, ticketEvents, tickets } from '@ys/shared/schema';
import { and, desc, eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Executor } from '../../db/client.ts';
import { AppError, notFound } from '../../errors.ts';
import { applyRating } from '../tickets/service.ts';
import { readRatingLink } from './rating-link.ts';

const tags = ['public'];
const TokenParam = Type.Object({ token: Type.String({ maxLength: 64 }) });
const linkId = (eventId: number) => `e${eventId}`;

const refused = (message: string) => new AppError('CONFLICT', message);

/** The link's ticket and resolution, or the reason it no longer opens. `lock` takes the ticket row for the rating. */
async function openLink(app: FastifyInstance, executor: Executor, token: string, lock = false) {
  const link = readRatingLink([app.config.jwtSecret, app.config.jwtPreviousSecret], token);
  if (!link) throw notFound('评价链接');
  const [event] = await executor
    .select({ id: ticketEvents.id, ticketId: ticketEvents.ticketId, type: ticketEvents.type, data: ticketEvents.data, createdAt: ticketEvents.createdAt })
    .from(ticketEvents)
    .where(eq(ticketEvents.id, link.eventId));
  if (event?.type !== 'resolved') throw notFound('评价链接');
  if (app.now() > link.expiresAt) throw refused('评价链接已过期（有效期 7 天），请登录“我的诉求”进行评价');
  const [used] = await executor
    .select({ at: ratingLinkUses.usedAt })
    .from(ratingLinkUses)
    .where(eq(ratingLinkUses.linkId, linkId(event.id)));
  if (used) throw refused('该评价链接已使用，感谢您的评价');
  const query = executor
    .select({
      id: tickets.id,
      no: tickets.no,
      title: tickets.title,
      status: tickets.status,
      reopenCount: tickets.reopenCount,
      accountId: tickets.accountId,
      categoryName: categories.name,
      stationName: stations.name,
      createdAt: tickets.createdAt,
      resolvedAt: tickets.resolvedAt,
    })
    .from(tickets)
    .leftJoin(categories, eq(categories.code, tickets.categoryCode))
    .leftJoin(stations, eq(stations.id, tickets.stationId))
    .where(eq(tickets.id, event.ticketId));
  const [ticket] = lock ? await query.for('update', { of: tickets }) : await query;
  const [latest] = await executor
    .select({ id: ticketEvents.id })
    .from(ticketEvents)
    .where(and(eq(ticketEvents.ticketId, event.ticketId), eq(ticketEvents.type, 'resolved')))
    .orderBy(desc(ticketEvents.id))
    .limit(1);
  if (ticket?.status !== 'resolved' || latest?.id !== event.id) throw refused('该诉求已评价或已重新办理，此评价链接已失效');
  return { link, event, ticket };
}

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/rating-links/:token',
    { config: { auth: 'public' }, schema: { tags, summary: '短信评价链接：诉求与办理结果', params: TokenParam } },
    async (req) => {
      const { link, event, ticket } = await openLink(app, app.db.db, req.params.token);
      return {
        no: ticket.no,
        title: ticket.title,
        categoryName: ticket.categoryName,
        stationName: ticket.stationName,
        status: ticket.status,
        createdAt: ticket.createdAt,
        resolvedAt: ticket.resolvedAt,
        result: (event.data.result as string | undefined) ?? null,
        legalBasis: (event.data.legalBasis as string | null | undefined) ?? null,
        expiresAt: link.expiresAt,
        canRate: true,
      };
    },
  );

  app.post(
    '/rating-links/:token',
    {
      config: { auth: 'public' },
      schema: {
        tags,
        summary: '短信评价链接：评价（一次有效）',
        params: TokenParam,
        body: Type.Object(
          { solved: Type.Boolean(), satisfaction: Type.Enum([...SATISFACTIONS]), comment: Type.Optional(Type.String({ maxLength: 500 })) },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      const now = app.now();
      const ticket = await app.db.db.transaction(async (tx) => {
        const { event, ticket } = await openLink(app, tx, req.params.token, true);
        const taken = await tx
          .insert(ratingLinkUses)
          .values({ linkId: linkId(event.id), ticketId: ticket.id, usedAt: now })
          .onConflictDoNothing()
          .returning({ linkId: ratingLinkUses.linkId });
        if (taken.length === 0) throw refused('该评价链接已使用，感谢您的评价');
        const actor = { kind: 'enterprise' as const, id: ticket.accountId ?? 'rating-link' };
        await applyRating(tx, ticket, req.body, 'online', actor, now, { link: true });
        return ticket;
      });
      const [after] = await app.db.db
        .select({ no: tickets.no, status: tickets.status, solved: tickets.solved, satisfaction: tickets.satisfaction, ratedAt: tickets.ratedAt })
        .from(tickets)
        .where(eq(tickets.id, ticket.id));
      return after;
    },
  );
};

export default routes;
