import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { attachments, tickets } from '@ys/shared/schema';
import { and, eq } from 'drizzle-orm';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { notFound } from '../../errors.ts';
import { staffOf } from '../../plugins/auth.ts';
import { scopeFilter, staffContext } from '../tickets/scope.ts';
import { contentDisposition, saveUpload } from './service.ts';

export const Uploaded = Type.Object({ id: Type.String(), name: Type.String(), size: Type.Integer(), mime: Type.String() });

/** Streams an attachment with a safe Content-Disposition; images and PDFs open inline unless ?download=1. */
export async function sendAttachment(app: FastifyInstance, reply: FastifyReply, row: typeof attachments.$inferSelect, download: boolean | undefined) {
  const body = await app.attachmentStorage.open(row.storageKey);
  const inline = !download && (row.mime.startsWith('image/') || row.mime === 'application/pdf');
  return reply
    .header('content-type', row.mime)
    .header('content-length', String(row.size))
    .header('content-disposition', contentDisposition(row.originalName, inline))
    .header('cache-control', 'private, max-age=3600')
    .header('content-security-policy', "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox")
    .send(body);
}

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/attachments',
    {
      config: { roles: ['staff', 'station_lead', 'dispatcher'] },
      schema: { tags: ['attachments'], summary: '上传附件（工作人员，multipart 字段 file）', consumes: ['multipart/form-data'], response: { 201: Uploaded } },
    },
    async (req, res) => res.status(201).send(await saveUpload(app, await req.file(), { kind: 'staff', id: staffOf(req).id })),
  );

  app.get(
    '/attachments/:id',
    {
      schema: {
        tags: ['attachments'],
        summary: '下载附件（仅限可查看该诉求的人员）',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        querystring: Type.Object({ download: Type.Optional(Type.Boolean()) }),
      },
    },
    async (req, res) => {
      const user = staffOf(req);
      const [row] = await app.db.db.select().from(attachments).where(eq(attachments.id, req.params.id));
      if (!row) throw notFound('附件');
      if (row.ticketId) {
        const ctx = await staffContext(app.db.db, user);
        const [visible] = await app.db.db
          .select({ id: tickets.id })
          .from(tickets)
          .where(and(eq(tickets.id, row.ticketId), scopeFilter(ctx)));
        if (!visible) throw notFound('附件');
      } else if (row.ownerKind !== 'staff' || row.ownerId !== user.id) {
        throw notFound('附件');
      }
      return sendAttachment(app, res, row, req.query.download);
    },
  );
};

export default routes;
