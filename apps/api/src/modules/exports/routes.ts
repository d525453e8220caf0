/** GET /api/tickets/export: the ticket list (same filters, same scope) as .xlsx, or CSV with format=csv. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { staffOf } from '../../plugins/auth.ts';
import { ListQuery, listWhere } from '../tickets/list.ts';
import { staffContext } from '../tickets/scope.ts';
import { fileStamp, sendTable } from './tabular.ts';
import { ticketBatches, ticketColumns } from './tickets.ts';

export const FormatQuery = { format: Type.Optional(Type.Enum(['xlsx', 'csv'])) };

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/tickets/export',
    {
      schema: {
        tags: ['tickets'],
        summary: '导出诉求清单（xlsx，format=csv 时为 CSV；筛选条件与列表相同）',
        querystring: Type.Object({ ...ListQuery.properties, ...FormatQuery }),
      },
    },
    async (req, reply) => {
      const ctx = await staffContext(app.db.db, staffOf(req));
      const now = app.now();
      const { format = 'xlsx', ...query } = req.query;
      const where = listWhere(query, ctx, now);
      return sendTable(reply, {
        format,
        baseName: `诉求清单_${fileStamp(now)}`,
        sheetName: '诉求清单',
        columns: await ticketColumns(app),
        batches: ticketBatches(app, where, now),
      });
    },
  );
};

export default routes;
