/** Staff in-app notifications: my list with the unread count, mark one or all read. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { notifications, tickets } from '@ys/shared/schema';
import { and, count, desc, eq, isNull } from 'drizzle-orm';
import { Type } from 'typebox';
import { notFound } from '../../errors.ts';
import { PagingQuery, pageOf } from '../../lib/paging.ts';
import { staffOf } from '../../plugins/auth.ts';
import { NOTIFICATION_KINDS } from './recipients.ts';

const tags = ['notifications'];
const Time = Type.Unsafe<Date | string>({ type: 'string', format: 'date-time' });
const Notification = Type.Object({
  id: Type.Integer(),
  kind: Type.Enum([...NOTIFICATION_KINDS]),
  title: Type.String(),
  ticketId: Type.Union([Type.String(), Type.Null()]),
  ticketNo: Type.Union([Type.String(), Type.Null()]),
  readAt: Type.Union([Time, Type.Null()]),
  createdAt: Time,
});

const routes: FastifyPluginAsyncTypebox = async (app) => {
  const unreadOf = async (userId: string) => {
    const [row] = await app.db.db
      .select({ n: count() })
      .from(notifications)
      .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)));
    return Number(row?.n ?? 0);
  };

  app.get(
    '/',
    {
      schema: {
        tags,
        summary: '我的通知（含未读数）',
        querystring: Type.Object({ ...PagingQuery, unread: Type.Optional(Type.Boolean()) }),
        response: {
          200: Type.Object({ items: Type.Array(Notification), total: Type.Integer(), unread: Type.Integer(), page: Type.Integer(), pageSize: Type.Integer() }),
        },
      },
    },
    async (req) => {
      const me = staffOf(req);
      const p = pageOf(req.query);
      const where = and(eq(notifications.userId, me.id), req.query.unread ? isNull(notifications.readAt) : undefined);
      const [items, [total], unread] = await Promise.all([
        app.db.db
          .select({
            id: notifications.id,
            kind: notifications.kind,
            title: notifications.title,
            ticketId: notifications.ticketId,
            ticketNo: tickets.no,
            readAt: notifications.readAt,
            createdAt: notifications.createdAt,
          })
          .from(notifications)
          .leftJoin(tickets, eq(tickets.id, notifications.ticketId))
          .where(where)
          .orderBy(desc(notifications.id))
          .limit(p.limit)
          .offset(p.offset),
        app.db.db.select({ n: count() }).from(notifications).where(where),
        unreadOf(me.id),
      ]);
      return { items: items as never, total: Number(total?.n ?? 0), unread, page: p.page, pageSize: p.pageSize };
    },
  );

  app.get('/unread-count', { schema: { tags, summary: '未读通知数', response: { 200: Type.Object({ unread: Type.Integer() }) } } }, async (req) => ({
    unread: await unreadOf(staffOf(req).id),
  }));

  app.post(
    '/:id/read',
    {
      schema: {
        tags,
        summary: '标记为已读',
        params: Type.Object({ id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) }),
        response: { 200: Type.Object({ unread: Type.Integer() }) },
      },
    },
    async (req) => {
      const me = staffOf(req);
      const [row] = await app.db.db
        .select({ id: notifications.id, readAt: notifications.readAt })
        .from(notifications)
        .where(and(eq(notifications.id, req.params.id), eq(notifications.userId, me.id)));
      if (!row) throw notFound('通知');
      if (!row.readAt) {
        await app.db.db
          .update(notifications)
          .set({ readAt: app.now() })
          .where(and(eq(notifications.id, row.id), isNull(notifications.readAt)));
      }
      return { unread: await unreadOf(me.id) };
    },
  );

  app.post(
    '/read-all',
    { schema: { tags, summary: '全部标记为已读', response: { 200: Type.Object({ updated: Type.Integer(), unread: Type.Integer() }) } } },
    async (req) => {
      const me = staffOf(req);
      const updated = await app.db.db
        .update(notifications)
        .set({ readAt: app.now() })
        .where(and(eq(notifications.userId, me.id), isNull(notifications.readAt)))
        .returning({ id: notifications.id });
      return { updated: updated.length, unread: await unreadOf(me.id) };
    },
  );
};

export default routes;
