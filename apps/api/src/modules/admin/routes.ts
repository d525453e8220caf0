import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { auditLogs } from '@ys/shared/schema';
import { count, desc } from 'drizzle-orm';
import { Type } from 'typebox';
import { PageOf, PagingQuery, pageOf } from '../../lib/paging.ts';
import * as S from './schemas.ts';
import * as svc from './service.ts';

/** The QR code library, loaded with the first code drawn rather than at every start. */
const qrcode = async () => (await import('qrcode')).default;

const admin = { roles: ['admin'] as const };
const tags = ['admin'];
const CodeParam = Type.Object({ code: Type.String({ maxLength: 32 }) });
const IdParam = Type.Object({ id: S.Uuid });

const routes: FastifyPluginAsyncTypebox = async (app) => {
  // districts
  app.get(
    '/districts',
    {
      config: admin,
      schema: { tags, summary: '旗县区列表', querystring: Type.Object({ ...PagingQuery, ...S.ListQuery }), response: { 200: PageOf(S.District) } },
    },
    (req) => svc.listDistricts(app, req.query),
  );
  app.post('/districts', { config: admin, schema: { tags, summary: '新增旗县区', body: S.DistrictCreate, response: { 201: S.District } } }, async (req, res) =>
    res.status(201).send(await svc.createDistrict(app, req, req.body)),
  );
  app.patch(
    '/districts/:code',
    { config: admin, schema: { tags, summary: '修改/停用旗县区', params: CodeParam, body: S.DistrictUpdate, response: { 200: S.District } } },
    (req) => svc.updateDistrict(app, req, req.params.code, req.body),
  );

  // stations
  app.get(
    '/stations',
    {
      config: admin,
      schema: {
        tags,
        summary: '站点列表',
        querystring: Type.Object({ ...PagingQuery, ...S.ListQuery, type: Type.Optional(S.StationTypeSchema), districtCode: Type.Optional(S.DistrictCode) }),
        response: { 200: PageOf(S.Station) },
      },
    },
    (req) => svc.listStations(app, req.query),
  );
  app.get('/stations/:id', { config: admin, schema: { tags, summary: '站点详情', params: IdParam, response: { 200: S.Station } } }, (req) =>
    svc.getStation(app, req.params.id),
  );
  app.post('/stations', { config: admin, schema: { tags, summary: '新增站点', body: S.StationCreate, response: { 201: S.Station } } }, async (req, res) =>
    res.status(201).send(await svc.createStation(app, req, req.body)),
  );
  app.patch(
    '/stations/:id',
    { config: admin, schema: { tags, summary: '修改/停用站点', params: IdParam, body: S.StationUpdate, response: { 200: S.Station } } },
    (req) => svc.updateStation(app, req, req.params.id, req.body),
  );
  app.get(
    '/stations/:id/qrcode',
    {
      config: admin,
      schema: {
        tags,
        summary: '站点优商码（二维码）',
        params: IdParam,
        querystring: Type.Object({
          format: Type.Optional(Type.Union([Type.Literal('png'), Type.Literal('svg')])),
          size: Type.Optional(Type.Integer({ minimum: 128, maximum: 2048 })),
          download: Type.Optional(Type.Boolean()),
        }),
      },
    },
    async (req, res) => {
      const station = await svc.getStation(app, req.params.id);
      const url = `${app.config.publicBaseUrl}/m/s/${encodeURIComponent(station.code)}`;
      const format = req.query.format ?? 'png';
      const size = req.query.size ?? 512;
      const disposition = `${req.query.download ? 'attachment' : 'inline'}; filename="station-${station.code}.${format}"`;
      res.header('content-disposition', disposition).header('x-qr-url', url).header('cache-control', 'private, max-age=300');
      if (format === 'svg') {
        return res.type('image/svg+xml').send(await (await qrcode()).toString(url, { type: 'svg', width: size, margin: 2, errorCorrectionLevel: 'M' }));
      }
      return res.type('image/png').send(await (await qrcode()).toBuffer(url, { type: 'png', width: size, margin: 2, errorCorrectionLevel: 'M' }));
    },
  );

  // categories
  app.get(
    '/categories',
    {
      config: admin,
      schema: { tags, summary: '诉求类别列表', querystring: Type.Object({ ...PagingQuery, ...S.ListQuery }), response: { 200: PageOf(S.Category) } },
    },
    (req) => svc.listCategories(app, req.query),
  );
  app.post(
    '/categories',
    { config: admin, schema: { tags, summary: '新增诉求类别', body: S.CategoryCreate, response: { 201: S.Category } } },
    async (req, res) => res.status(201).send(await svc.createCategory(app, req, req.body)),
  );
  app.patch(
    '/categories/:code',
    { config: admin, schema: { tags, summary: '修改类别与时限', params: CodeParam, body: S.CategoryUpdate, response: { 200: S.Category } } },
    (req) => svc.updateCategory(app, req, req.params.code, req.body),
  );

  // holidays
  const DateParam = Type.Object({ date: S.IsoDate });
  app.get(
    '/holidays',
    {
      config: admin,
      schema: {
        tags,
        summary: '节假日日历',
        // A year's calendar (about 40 days) fits on the default page.
        querystring: Type.Object({
          ...PagingQuery,
          pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 100 })),
          year: Type.Optional(Type.Integer({ minimum: 2000, maximum: 2100 })),
        }),
        response: { 200: PageOf(S.Holiday) },
      },
    },
    (req) => svc.listHolidays(app, req.query),
  );
  app.post(
    '/holidays',
    { config: admin, schema: { tags, summary: '新增节假日/调休日', body: S.HolidayCreate, response: { 201: S.Holiday } } },
    async (req, res) => res.status(201).send(await svc.createHoliday(app, req, req.body)),
  );
  app.patch(
    '/holidays/:date',
    { config: admin, schema: { tags, summary: '修改日历条目', params: DateParam, body: S.HolidayUpdate, response: { 200: S.Holiday } } },
    (req) => svc.updateHoliday(app, req, req.params.date, req.body),
  );
  app.delete('/holidays/:date', { config: admin, schema: { tags, summary: '删除日历条目', params: DateParam } }, async (req, res) => {
    await svc.deleteHoliday(app, req, req.params.date);
    return res.status(204).send();
  });

  // users
  app.get(
    '/users',
    {
      config: admin,
      schema: {
        tags,
        summary: '用户列表',
        querystring: Type.Object({
          ...PagingQuery,
          ...S.ListQuery,
          role: Type.Optional(S.StaffRoleSchema),
          stationId: Type.Optional(S.Uuid),
          districtCode: Type.Optional(S.DistrictCode),
        }),
        response: { 200: PageOf(S.User) },
      },
    },
    (req) => svc.listUsers(app, req.query),
  );
  app.post('/users', { config: admin, schema: { tags, summary: '新增用户', body: S.UserCreate, response: { 201: S.User } } }, async (req, res) =>
    res.status(201).send(await svc.createUser(app, req, req.body)),
  );
  app.patch(
    '/users/:id',
    { config: admin, schema: { tags, summary: '修改/停用用户', params: IdParam, body: S.UserUpdate, response: { 200: S.User } } },
    (req) => svc.updateUser(app, req, req.params.id, req.body),
  );
  app.post(
    '/users/:id/reset-password',
    { config: admin, schema: { tags, summary: '重置密码（用户下次登录须修改）', params: IdParam, body: S.ResetPassword, response: { 200: S.User } } },
    (req) => svc.resetPassword(app, req, req.params.id, req.body.password),
  );
  app.post('/users/:id/unlock', { config: admin, schema: { tags, summary: '解除锁定', params: IdParam, response: { 200: S.User } } }, (req) =>
    svc.unlockUser(app, req, req.params.id),
  );

  // audit log (read-only through the API)
  app.get(
    '/audit-logs',
    {
      config: admin,
      schema: {
        tags,
        summary: '审计日志',
        querystring: Type.Object({
          ...PagingQuery,
          q: Type.Optional(Type.String({ maxLength: 100 })),
          actorId: Type.Optional(Type.String({ maxLength: 64 })),
          action: Type.Optional(Type.String({ maxLength: 60 })),
          targetType: Type.Optional(Type.String({ maxLength: 30 })),
          targetId: Type.Optional(Type.String({ maxLength: 64 })),
          success: Type.Optional(Type.Boolean()),
          from: Type.Optional(Type.String({ format: 'date-time' })),
          to: Type.Optional(Type.String({ format: 'date-time' })),
        }),
        response: { 200: PageOf(S.AuditLog) },
      },
    },
    async (req) => {
      svc.assertValidDates(req.query.from, req.query.to);
      const p = pageOf(req.query);
      const where = svc.auditWhere(req.query);
      const [items, [total]] = await Promise.all([
        app.db.db.select().from(auditLogs).where(where).orderBy(desc(auditLogs.id)).limit(p.limit).offset(p.offset),
        app.db.db.select({ n: count() }).from(auditLogs).where(where),
      ]);
      return { items, total: Number(total?.n ?? 0), page: p.page, pageSize: p.pageSize };
    },
  );
};

export default routes;
