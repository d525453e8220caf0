/**
 * The figures for every staff role, in the caller's scope (a station user: the own station): overview,
 * by dimension, month trend, station ranking, 四色预警 board, daily digest, and the export of a table.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { staffOf } from '../../plugins/auth.ts';
import { FormatQuery } from '../exports/routes.ts';
import { fileStamp, sendTable } from '../exports/tabular.ts';
import { staffContext } from '../tickets/scope.ts';
import * as S from './schemas.ts';
import * as svc from './service.ts';
import { figureColumns } from './sheet.ts';

const tags = ['stats'];
const Dimension = Type.Enum([...svc.DIMENSIONS]);

const routes: FastifyPluginAsyncTypebox = async (app) => {
  const ctxOf = (req: Parameters<typeof staffOf>[0]) => staffContext(app.db.db, staffOf(req));

  app.get('/overview', { schema: { tags, summary: '三率等总体指标', querystring: svc.StatsQuery, response: { 200: S.Overview } } }, async (req) =>
    svc.overview(app, await ctxOf(req), req.query),
  );

  app.get(
    '/by',
    {
      schema: {
        tags,
        summary: '按站点 / 站点类型 / 旗县区 / 类别 / 渠道 / 月份分组的指标',
        querystring: Type.Object({ ...svc.StatsFilters, dimension: Dimension }),
        response: { 200: S.ByDimension },
      },
    },
    async (req) => {
      const { dimension, ...q } = req.query;
      return svc.byDimension(app, await ctxOf(req), q, dimension);
    },
  );

  app.get('/trend', { schema: { tags, summary: '月度趋势（默认最近 12 个月）', querystring: svc.StatsQuery, response: { 200: S.ByDimension } } }, async (req) =>
    svc.byDimension(app, await ctxOf(req), req.query, 'month'),
  );

  app.get(
    '/ranking',
    {
      schema: {
        tags,
        summary: '站点排名（满意度、按期办结率；有效量不少于 minVolume）',
        querystring: Type.Object({ ...svc.StatsFilters, minVolume: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })) }),
        response: { 200: S.Ranking },
      },
    },
    async (req) => {
      const { minVolume, ...q } = req.query;
      return svc.ranking(app, await ctxOf(req), q, minVolume ?? svc.DEFAULT_MIN_VOLUME);
    },
  );

  app.get(
    '/colors',
    {
      schema: {
        tags,
        summary: '四色预警看板：在办诉求按颜色，按站点或旗县区',
        querystring: Type.Object({ ...svc.StatsFilters, by: Type.Optional(Type.Enum(['station', 'district'])) }),
        response: { 200: S.ColorBoard },
      },
    },
    async (req) => {
      const { by, ...q } = req.query;
      return svc.colorBoard(app, await ctxOf(req), q, by ?? 'station');
    },
  );

  app.get('/digest', { schema: { tags, summary: '每日待办摘要（各站点：待办、今日到期、已超期）', response: { 200: S.Digest } } }, async (req) =>
    svc.dailyDigest(app, await ctxOf(req)),
  );

  app.get(
    '/export',
    {
      schema: {
        tags,
        summary: '导出统计表（xlsx，format=csv 时为 CSV）：合计一行，再按 dimension 分组',
        querystring: Type.Object({ ...svc.StatsFilters, dimension: Type.Optional(Dimension), ...FormatQuery }),
      },
    },
    async (req, reply) => {
      const { dimension = 'station', format = 'xlsx', ...q } = req.query;
      const ctx = await ctxOf(req);
      const [total, groups] = await Promise.all([svc.overview(app, ctx, q), svc.byDimension(app, ctx, q, dimension)]);
      const rows = [{ label: '合计', ...total }, ...groups.items];
      async function* once() {
        yield rows;
      }
      return sendTable(reply, {
        format,
        baseName: `统计_${fileStamp(groups.asOf)}`,
        sheetName: '统计',
        columns: figureColumns(dimension),
        batches: once(),
      });
    },
  );
};

export default routes;
