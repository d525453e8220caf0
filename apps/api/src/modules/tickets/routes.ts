import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { stations, users } from '@ys/shared/schema';
import { and, asc, eq, inArray } from 'drizzle-orm';
import { Type } from 'typebox';
import { notFound, validation } from '../../errors.ts';
import { pageOf } from '../../lib/paging.ts';
import { staffOf } from '../../plugins/auth.ts';
import { writeAudit } from '../audit/service.ts';
import { ListQuery, listPlan } from './list.ts';
import { listTickets } from './repo.ts';
import * as S from './schemas.ts';
import { isStationRole, staffContext } from './scope.ts';
import * as svc from './service.ts';
import { slip } from './slips.ts';
import { submitTicket } from './submit.ts';

const tags = ['tickets'];
const STATION = ['staff', 'station_lead'] as const;
const DISPATCH = ['dispatcher'] as const;
const ACTORS = ['staff', 'station_lead', 'dispatcher'] as const;

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/tickets',
    {
      schema: {
        tags,
        summary: '诉求列表（pool 待签收/待分派、mine 我的、all 全部；page 翻页，或 cursor 接着上一页的 nextCursor）',
        querystring: ListQuery,
        response: {
          // The answer's JSON text, written by the handler (its items come written by the database): this object's shape.
          200: Type.Unsafe<string>(
            Type.Object({
              items: Type.Array(S.TicketSummary),
              /** null on a cursor page (counted on the first page only) */
              total: Type.Union([Type.Integer(), Type.Null()]),
              page: Type.Integer(),
              pageSize: Type.Integer(),
              nextCursor: Type.Union([Type.String(), Type.Null()]),
            }),
          ),
        },
      },
    },
    async (req, reply) => {
      const ctx = await staffContext(app.db.db, staffOf(req));
      const now = app.now();
      const p = pageOf(req.query);
      const { itemsJson, total, nextCursor } = await listTickets(app.db.db, now, {
        ...listPlan(req.query, ctx, now),
        sort: req.query.sort,
        limit: p.limit,
        offset: p.offset,
        cursor: req.query.cursor,
      });
      // A string with a JSON content type is sent as it is, past the serialiser.
      return reply
        .type('application/json; charset=utf-8')
        .send(`{"items":${itemsJson},"total":${total},"page":${p.page},"pageSize":${p.pageSize},"nextCursor":${JSON.stringify(nextCursor)}}`);
    },
  );

  app.get(
    '/tickets/:id',
    { schema: { tags, summary: '诉求详情（含完整时间线与可执行操作）', params: S.IdParam, response: { 200: S.TicketDetail } } },
    async (req) => svc.ticketDetail(app, await staffContext(app.db.db, staffOf(req)), req.params.id),
  );

  app.get(
    '/tickets/:id/slips/:kind',
    { schema: { tags, summary: '转办单 / 反馈单 / 回访单', params: Type.Object({ id: S.Uuid, kind: Type.Enum(['transfer', 'feedback', 'visit']) }) } },
    async (req) => slip(app, await staffContext(app.db.db, staffOf(req)), req.params.id, req.params.kind),
  );

  app.post(
    '/tickets',
    { config: { roles: DISPATCH }, schema: { tags, summary: '代录（调度员代企业提交）', body: S.ProxySubmitBody, response: { 201: S.TicketDetail } } },
    async (req, res) => {
      const ctx = await staffContext(app.db.db, staffOf(req));
      // A district dispatcher files for its own district: anything else would land outside its scope.
      if (ctx.districtCode && req.body.districtCode !== ctx.districtCode) throw validation('只能代录本旗县区企业的诉求');
      const now = app.now();
      const ticket = await app.db.db.transaction(async (tx) => {
        const filed = await submitTicket(app.db.db, { ...req.body, channel: 'proxy' }, svc.staffActor(ctx), { kind: 'staff', id: ctx.id }, now, null, tx);
        await writeAudit(tx, req, {
          action: 'ticket.proxy_submit',
          targetType: 'ticket',
          targetId: filed.id,
          detail: {
            no: filed.no,
            proxySource: filed.proxySource,
            enterpriseName: filed.enterpriseName,
            categoryCode: filed.categoryCode,
            status: filed.status,
          },
        });
        return filed;
      });
      return res.status(201).send(await svc.ticketDetail(app, ctx, ticket.id));
    },
  );

  const action = { tags };
  app.post(
    '/tickets/:id/claim',
    { config: { roles: STATION }, schema: { ...action, summary: '签收', params: S.IdParam, response: { 200: S.TicketDetail } } },
    (req) => svc.claim(app, staffOf(req), req.params.id),
  );
  app.post(
    '/tickets/:id/reassign',
    {
      config: { roles: ['station_lead'] },
      schema: { ...action, summary: '改派（站长）', params: S.IdParam, body: S.ReassignBody, response: { 200: S.TicketDetail } },
    },
    (req) => svc.reassign(app, staffOf(req), req.params.id, req.body.assigneeId),
  );
  app.post(
    '/tickets/:id/transfer',
    {
      config: { roles: ACTORS },
      schema: { ...action, summary: '转办（到站点或站点池）', params: S.IdParam, body: S.Destination, response: { 200: S.TicketDetail } },
    },
    (req) => {
      const { reason, note: _n, ...dest } = req.body;
      return svc.transfer(app, staffOf(req), req.params.id, dest as svc.Destination, reason ?? '');
    },
  );
  app.post(
    '/tickets/:id/return',
    { config: { roles: STATION }, schema: { ...action, summary: '退回中心', params: S.IdParam, body: S.Reason, response: { 200: S.TicketDetail } } },
    (req) => svc.returnToCentre(app, staffOf(req), req.params.id, req.body.reason),
  );
  app.post(
    '/tickets/:id/messages',
    {
      config: { roles: ACTORS },
      schema: { ...action, summary: '留言（公开或内部）', params: S.IdParam, body: S.MessageBody, response: { 200: S.TicketDetail } },
    },
    (req) => svc.message(app, staffOf(req), req.params.id, req.body),
  );
  app.post(
    '/tickets/:id/request-supplement',
    {
      config: { roles: STATION },
      schema: { ...action, summary: '请求企业补充材料', params: S.IdParam, body: S.ContentBody, response: { 200: S.TicketDetail } },
    },
    (req) => svc.requestSupplement(app, staffOf(req), req.params.id, req.body.content),
  );
  app.post(
    '/tickets/:id/extension',
    { config: { roles: STATION }, schema: { ...action, summary: '申请延期', params: S.IdParam, body: S.ExtensionBody, response: { 200: S.TicketDetail } } },
    (req) => svc.requestExtension(app, staffOf(req), req.params.id, req.body.days, req.body.reason),
  );
  app.post(
    '/tickets/:id/extension/decision',
    { config: { roles: DISPATCH }, schema: { ...action, summary: '延期审批', params: S.IdParam, body: S.DecisionBody, response: { 200: S.TicketDetail } } },
    (req) => svc.decideExtension(app, staffOf(req), req.params.id, req.body.approve, req.body.note),
  );
  app.post(
    '/tickets/:id/resolve',
    { config: { roles: STATION }, schema: { ...action, summary: '办结（反馈单）', params: S.IdParam, body: S.ResolveBody, response: { 200: S.TicketDetail } } },
    (req) => svc.resolve(app, staffOf(req), req.params.id, req.body),
  );
  app.post(
    '/tickets/:id/visit',
    { config: { roles: DISPATCH }, schema: { ...action, summary: '回访（回访单）', params: S.IdParam, body: S.VisitBody, response: { 200: S.TicketDetail } } },
    (req) => svc.visit(app, staffOf(req), req.params.id, req.body),
  );
  app.post(
    '/tickets/:id/supervise',
    {
      config: { roles: ['dispatcher', 'leader'] },
      schema: { ...action, summary: '督办', params: S.IdParam, body: S.NoteBody, response: { 200: S.TicketDetail } },
    },
    (req) => svc.supervise(app, staffOf(req), req.params.id, req.body.note),
  );
  app.post(
    '/tickets/:id/dispatch',
    { config: { roles: DISPATCH }, schema: { ...action, summary: '分派', params: S.IdParam, body: S.Destination, response: { 200: S.TicketDetail } } },
    (req) => {
      const { reason, note, ...dest } = req.body;
      return svc.dispatch(app, staffOf(req), req.params.id, dest as svc.Destination, note ?? reason);
    },
  );
  app.post(
    '/tickets/:id/invalidate',
    { config: { roles: DISPATCH }, schema: { ...action, summary: '作废', params: S.IdParam, body: S.Reason, response: { 200: S.TicketDetail } } },
    (req) => svc.invalidate(app, staffOf(req), req.params.id, req.body.reason),
  );
  app.post(
    '/tickets/:id/merge',
    { config: { roles: DISPATCH }, schema: { ...action, summary: '合并重复诉求', params: S.IdParam, body: S.MergeBody, response: { 200: S.TicketDetail } } },
    (req) => svc.merge(app, staffOf(req), req.params.id, req.body.intoId),
  );

  app.get(
    '/stations/:id/members',
    {
      schema: {
        tags,
        summary: '站点在岗人员（改派候选）',
        params: S.IdParam,
        response: { 200: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), username: Type.String(), role: Type.String() })) },
      },
    },
    async (req) => {
      const ctx = await staffContext(app.db.db, staffOf(req));
      // Station users see their own station only; the centre any station in its district or city. Another is not found.
      const [station] = await app.db.db.select().from(stations).where(eq(stations.id, req.params.id));
      const outside = isStationRole(ctx.role) ? ctx.station?.id !== req.params.id : ctx.districtCode && station?.districtCode !== ctx.districtCode;
      if (!station || outside) throw notFound('站点');
      return app.db.db
        .select({ id: users.id, name: users.name, username: users.username, role: users.role })
        .from(users)
        .where(and(eq(users.stationId, req.params.id), eq(users.active, true), inArray(users.role, ['staff', 'station_lead'])))
        .orderBy(asc(users.name));
    },
  );
};

export default routes;
