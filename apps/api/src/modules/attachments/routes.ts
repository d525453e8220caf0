import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { attachments, tickets } from '@ys/shared/schema';
import { and, eq } from 'drizzle-orm';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { notFound } from '../../errors.ts';
import { staffOf } from '../../plugins/auth.ts';
import { scopeFilter, staffContext } from '../tickets/scope.ts';
import { contentDisposition, saveUpload } from './service.ts';
import type { ByteRange } from './storage.ts';

export const Uploaded = Type.Object({ id: Type.String(), name: Type.String(), size: Type.Integer(), mime: Type.String() });

/** The one byte range of a `Range: bytes=…` header; null = the whole file; 'unsatisfiable' = 416. Several ranges get the whole file. */
export function byteRange(header: string | undefined, size: number): ByteRange | null | 'unsatisfiable' {
  const m = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!m || (m[1] === '' && m[2] === '')) return null;
  let start: number;
  let end: number;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2])); // the last N bytes
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  return start > end || start >= size ? 'unsatisfiable' : { start, end };
}

/**
 * Streams an attachment with a safe Content-Disposition; images and PDFs open inline unless ?download=1.
 * One byte range is answered 206 (resumed downloads, PDF viewers).
 */
export async function sendAttachment(
  app: FastifyInstance,
  reply: FastifyReply,
  row: typeof attachments.$inferSelect,
  download: boolean | undefined,
  rangeHeader?: string,
) {
  const range = byteRange(rangeHeader, row.size);
  const inline = !download && (row.mime.startsWith('image/') || row.mime === 'application/pdf');
  reply
    .header('accept-ranges', 'bytes')
    .header('content-disposition', contentDisposition(row.originalName, inline))
    .header('cache-control', 'private, max-age=3600')
    .header('content-security-policy', "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox");
  if (range === 'unsatisfiable') {
    return reply
      .status(416)
      .header('content-range', `bytes */${row.size}`)
      .send({ error: { code: 'VALIDATION_FAILED', message: '请求的字节范围不存在' } });
  }
  const body = await app.attachmentStorage.open(row.storageKey, range ?? undefined);
  if (range) {
    reply.status(206).header('content-range', `bytes ${range.start}-${range.end}/${row.size}`);
  }
  return reply
    .header('content-type', row.mime)
    .header('content-length', String(range ? range.end - range.start + 1 : row.size))
    .send(body);
}

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/attachments',
    {
      config: { roles: ['staff', 'station_lead', 'dispatcher'] },
      schema: { tags: ['attachments'], summary: '上传附件（工作人员，multipart 字段 file）', consumes: ['multipart/form-data'], response: { 201: Uploaded } },
    },
    async (req, res) => res.status(201).send(await saveUpload(app, await req.file(), { kind: 'staff', id: staffOf(req).id }, req)),
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
      return sendAttachment(app, res, row, req.query.download, req.headers.range);
    },
  );
};

export default routes;
