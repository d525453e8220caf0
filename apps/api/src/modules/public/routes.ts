import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { SATISFACTIONS } from '@ys/shared';
import { attachments, categories, districts, stations, tickets } from '@ys/shared/schema';
import { and, asc, count, desc, eq } from 'drizzle-orm';
import { Type } from 'typebox';
import { notFound, validation } from '../../errors.ts';
import { PagingQuery, pageOf } from '../../lib/paging.ts';
import { isUniqueViolation } from '../../lib/pg-errors.ts';
import { enterpriseOf } from '../../plugins/auth.ts';
import { sendAttachment, Uploaded } from '../attachments/routes.ts';
import { saveUpload } from '../attachments/service.ts';
import { businessMaySee, holder } from '../tickets/repo.ts';
import { EnterpriseFields } from '../tickets/schemas.ts';
import { submitPublicTicket } from '../tickets/submit-batch.ts';
import * as svc from './service.ts';

const tags = ['public'];
const ent = { auth: 'enterprise' as const };
const NoParam = Type.Object({ no: Type.String({ pattern: '^[Yy][Ss]\\d{14}$' }) });
const Phone = Type.String({ minLength: 1, maxLength: 20 });
const Time = Type.Unsafe<Date | string>({ type: 'string', format: 'date-time' });
const Session = Type.Object({ token: Type.String(), expiresAt: Time, phone: Type.Union([Type.String(), Type.Null()]) });

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/entry/:stationCode',
    { config: { auth: 'public' }, schema: { tags, summary: '扫码入口：站点与诉求类别', params: Type.Object({ stationCode: Type.String({ maxLength: 64 }) }) } },
    async (req) => {
      const [station] = await app.db.db
        .select({
          code: stations.code,
          name: stations.name,
          type: stations.type,
          agencyName: stations.agencyName,
          districtCode: stations.districtCode,
          address: stations.address,
          phone: stations.phone,
          active: stations.active,
        })
        .from(stations)
        .where(eq(stations.code, req.params.stationCode));
      if (!station?.active) throw notFound('站点');
      const [d, c] = await Promise.all([
        app.db.db.select({ code: districts.code, name: districts.name }).from(districts).where(eq(districts.active, true)).orderBy(asc(districts.code)),
        app.db.db
          .select({
            code: categories.code,
            name: categories.name,
            stationType: categories.stationType,
            claimHours: categories.claimHours,
            resolveDays: categories.resolveDays,
          })
          .from(categories)
          .where(eq(categories.active, true))
          .orderBy(asc(categories.sortOrder), asc(categories.code)),
      ]);
      const { active: _a, ...s } = station;
      return { station: s, districts: d, categories: c };
    },
  );

  app.post(
    '/otp',
    { config: { auth: 'public' }, schema: { tags, summary: '发送短信验证码', body: Type.Object({ phone: Phone }, { additionalProperties: false }) } },
    async (req, res) => {
      const code = await svc.sendOtp(app, req, req.body.phone);
      // A developer (and a black-box test) can sign in without a phone: never in production.
      if (app.sms.name === 'log' && app.config.env !== 'production') return res.status(200).send({ devCode: code });
      return res.status(204).send();
    },
  );

  app.post(
    '/session',
    {
      config: { auth: 'public' },
      schema: {
        tags,
        summary: '短信验证码登录',
        body: Type.Object(
          { phone: Phone, code: Type.String({ pattern: '^\\d{6}$' }), channel: Type.Optional(Type.Enum(['qr', 'h5'])) },
          { additionalProperties: false },
        ),
        response: { 200: Session },
      },
    },
    (req) => svc.verifyOtp(app, req, req.body.phone, req.body.code, req.body.channel ?? 'qr'),
  );

  app.post(
    '/mp/session',
    {
      config: { auth: 'public' },
      schema: {
        tags,
        summary: '小程序登录（code2session）',
        body: Type.Object({ code: Type.String({ minLength: 1, maxLength: 128 }) }, { additionalProperties: false }),
        response: { 200: Session },
      },
    },
    (req) => svc.wechatSession(app, req, req.body.code),
  );

  app.post(
    '/uploads',
    { config: ent, schema: { tags, summary: '上传附件（multipart 字段 file，≤ 10 MB）', consumes: ['multipart/form-data'], response: { 201: Uploaded } } },
    async (req, res) => res.status(201).send(await saveUpload(app, await req.file(), { kind: 'enterprise', id: enterpriseOf(req).accountId })),
  );

  app.post(
    '/tickets',
    {
      config: ent,
      schema: {
        tags,
        summary: '提交诉求（可带 Idempotency-Key 头）',
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 100 })) }),
        body: Type.Object(
          {
            ...EnterpriseFields,
            stationCode: Type.Optional(Type.String({ maxLength: 32 })),
            contactPhone: Type.Optional(Type.String({ pattern: '^1[3-9]\\d{9}$' })),
            consent: Type.Boolean(),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, res) => {
      const e = enterpriseOf(req);
      if (req.body.consent !== true) throw validation('请阅读并同意隐私说明后提交');
      const contactPhone = e.phone ?? req.body.contactPhone;
      if (!contactPhone) throw validation('请填写联系电话');
      const key = req.headers['idempotency-key'] ?? null;
      const replay = async () => {
        if (!key) return null;
        const [first] = await app.db.db
          .select({ no: tickets.no })
          .from(tickets)
          .where(and(eq(tickets.accountId, e.accountId), eq(tickets.idempotencyKey, key)));
        return first
          ? res
              .status(201)
              .header('idempotent-replayed', 'true')
              .send(await svc.publicTicket(app, e, first.no))
          : null;
      };
      const replayed = await replay();
      if (replayed) return replayed;
      const { consent: _c, ...input } = req.body;
      try {
        // Batched with the submissions arriving at the same time into one statement that commits before any
        // answer (tickets/submit-batch.ts); the answer is made from what it wrote, not read back.
        const ticket = await submitPublicTicket(
          app.db.db,
          { ...input, contactPhone, accountId: e.accountId, channel: e.channel === 'mp' ? 'mp' : input.stationCode ? 'qr' : 'h5' },
          { kind: 'enterprise', id: e.accountId },
          { kind: 'enterprise', id: e.accountId },
          app.now(),
          key,
        );
        const submitted = { ...ticket.event, actorKind: 'enterprise', actorStationName: null };
        const answer = svc.publicTicketOf(
          {
            ...ticket,
            stationName: null,
            resolvedAt: null,
            closedAt: null,
            awaitingSupplement: false,
            solved: null,
            satisfaction: null,
            ratingComment: null,
            ratedAt: null,
          },
          [submitted],
          ticket.attachments,
        );
        return res.status(201).send(answer);
      } catch (err) {
        // The same key submitted twice at once: the loser answers with the winner's ticket.
        if (key && isUniqueViolation(err)) {
          const again = await replay();
          if (again) return again;
        }
        throw err;
      }
    },
  );

  app.get('/tickets', { config: ent, schema: { tags, summary: '我的诉求', querystring: Type.Object({ ...PagingQuery }) } }, async (req) => {
    const e = enterpriseOf(req);
    const p = pageOf(req.query);
    const where = eq(tickets.accountId, e.accountId);
    const [items, [total]] = await Promise.all([
      app.db.db
        .select({
          no: tickets.no,
          status: tickets.status,
          title: tickets.title,
          categoryCode: tickets.categoryCode,
          createdAt: tickets.createdAt,
          resolveDueAt: tickets.resolveDueAt,
          stationName: holder.name,
          awaitingSupplement: tickets.awaitingSupplement,
        })
        .from(tickets)
        .leftJoin(holder, eq(holder.id, tickets.stationId))
        .where(where)
        .orderBy(desc(tickets.createdAt))
        .limit(p.limit)
        .offset(p.offset),
      app.db.db.select({ n: count() }).from(tickets).where(where),
    ]);
    return { items, total: Number(total?.n ?? 0), page: p.page, pageSize: p.pageSize };
  });

  app.get('/tickets/:no', { config: ent, schema: { tags, summary: '我的诉求详情（公开时间线）', params: NoParam } }, (req) =>
    svc.publicTicket(app, enterpriseOf(req), req.params.no),
  );

  const Text = (max: number) => Type.String({ minLength: 1, maxLength: max, pattern: '\\S' });
  app.post(
    '/tickets/:no/supplements',
    {
      config: ent,
      schema: {
        tags,
        summary: '补充材料',
        params: NoParam,
        body: Type.Object({ content: Text(2000), attachmentIds: EnterpriseFields.attachmentIds }, { additionalProperties: false }),
      },
    },
    (req) => svc.supplement(app, enterpriseOf(req), req.params.no, req.body),
  );
  app.post(
    '/tickets/:no/withdraw',
    { config: ent, schema: { tags, summary: '撤回诉求', params: NoParam, body: Type.Object({ reason: Text(500) }, { additionalProperties: false }) } },
    (req) => svc.withdraw(app, enterpriseOf(req), req.params.no, req.body.reason),
  );
  app.post(
    '/tickets/:no/rating',
    {
      config: ent,
      schema: {
        tags,
        summary: '评价办理结果',
        params: NoParam,
        body: Type.Object(
          { solved: Type.Boolean(), satisfaction: Type.Enum([...SATISFACTIONS]), comment: Type.Optional(Type.String({ maxLength: 500 })) },
          { additionalProperties: false },
        ),
      },
    },
    (req) => svc.rate(app, enterpriseOf(req), req.params.no, req.body),
  );

  app.get(
    '/attachments/:id',
    {
      config: ent,
      schema: {
        tags,
        summary: '下载本人诉求的附件',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        querystring: Type.Object({ download: Type.Optional(Type.Boolean()) }),
      },
    },
    async (req, res) => {
      const e = enterpriseOf(req);
      const [row] = await app.db.db.select().from(attachments).where(eq(attachments.id, req.params.id));
      if (!row) throw notFound('附件');
      if (row.ticketId) {
        // Attachments of internal staff messages are not the business's to read.
        if (!(await businessMaySee(app.db.db, e.accountId, row.ticketId, row.eventId))) throw notFound('附件');
      } else if (row.ownerKind !== 'enterprise' || row.ownerId !== e.accountId) {
        throw notFound('附件');
      }
      return sendAttachment(app, res, row, req.query.download, req.headers.range);
    },
  );
};

export default routes;
