/** Uploads: one file, size-limited, type sniffed from the bytes; ownership until a ticket takes it. */
import { createHash } from 'node:crypto';
import type { MultipartFile } from '@fastify/multipart';
import type { ActorKind } from '@ys/shared';
import { attachments } from '@ys/shared/schema';
import { and, count, eq, inArray, isNull, sql, sum } from 'drizzle-orm';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Executor } from '../../db/client.ts';
import { AppError, validation } from '../../errors.ts';
import { writeAudit } from '../audit/service.ts';
import { inspectContent } from './inspect.ts';

const ALLOWED: Record<string, { mime: string; names: string[] }> = {
  jpg: { mime: 'image/jpeg', names: ['jpg', 'jpeg'] },
  png: { mime: 'image/png', names: ['png'] },
  webp: { mime: 'image/webp', names: ['webp'] },
  pdf: { mime: 'application/pdf', names: ['pdf'] },
  docx: { mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', names: ['docx'] },
  xlsx: { mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', names: ['xlsx'] },
};
export const ALLOWED_EXTENSIONS = Object.values(ALLOWED).flatMap((a) => a.names);

const unsupported = () => new AppError('UNSUPPORTED_MEDIA_TYPE', '仅支持 jpg、png、webp 图片和 pdf、docx、xlsx 文件，且文件内容须与扩展名一致');

/** The name to keep: no directories, no control characters, no leading dots, at most 200 characters. */
export function safeFileName(raw: string): string {
  const base = raw.split(/[\\/]/).pop() ?? '';
  const cleaned = base
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
    .replace(/[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069"<>:|?*]/g, '')
    .replace(/^\.+/, '')
    .trim();
  const name = cleaned || 'file';
  if (name.length <= 200) return name;
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 && name.length - dot <= 10 ? name.slice(dot) : '';
  return name.slice(0, 200 - ext.length) + ext;
}

export interface UploadOwner {
  kind: ActorKind;
  id: string;
}

/** Stores one uploaded file for its owner; a staff upload is audited (pass the request) in the row's transaction. */
export async function saveUpload(app: FastifyInstance, file: MultipartFile | undefined, owner: UploadOwner, audit?: FastifyRequest) {
  if (!file) throw validation('请选择要上传的文件（表单字段 file）');
  const tooLarge = () => new AppError('PAYLOAD_TOO_LARGE', `文件不能超过 ${Math.floor(app.config.uploadMaxBytes / 1024 / 1024)} MB`);
  let bytes: Buffer;
  try {
    bytes = await file.toBuffer();
  } catch (err) {
    if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge();
    throw err;
  }
  // toBuffer looks at busboy's "truncated" flag after each chunk it reads; when the flag is set after the last
  // chunk (seen once in a run of the browser tests: an 11 MB file stored as 5 MB with a 201), it returns the file
  // cut at the limit. The flag is final once the stream has ended.
  if (file.file.truncated) throw tooLarge();
  if (bytes.length === 0) throw validation('文件为空');
  const name = safeFileName(file.filename ?? '');
  const ext = name.includes('.') ? name.split('.').pop()!.toLowerCase() : '';
  const { fileTypeFromBuffer } = await import('file-type');
  const sniffed = await fileTypeFromBuffer(bytes);
  const kind = sniffed ? ALLOWED[sniffed.ext] : undefined;
  if (!sniffed || !kind?.names.includes(ext)) throw unsupported();
  inspectContent(bytes, sniffed.ext);

  const key = await app.attachmentStorage.put(bytes, kind.mime);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const row = await app.db.db.transaction(async (tx) => {
    const [inserted] = await tx
      .insert(attachments)
      .values({ ownerKind: owner.kind, ownerId: owner.id, storageKey: key, originalName: name, mime: kind.mime, size: bytes.length, sha256 })
      .returning();
    if (audit) {
      await writeAudit(tx, audit, {
        action: 'attachment.upload',
        targetType: 'attachment',
        targetId: inserted!.id,
        detail: { name, mime: kind.mime, size: bytes.length, sha256 },
      });
    }
    return inserted;
  });
  return { id: row!.id, name: row!.originalName, size: row!.size, mime: row!.mime };
}

/** What one ticket may hold in all (submission, supplements, messages, feedback). */
export const TICKET_QUOTA = { files: 20, bytes: 50 * 1024 * 1024 };

/**
 * Binds the owner's unbound uploads to a ticket event; any id that is not theirs and free is a 400, and
 * the ticket's quota (TICKET_QUOTA) is a 413. The ticket row is locked first so that two parallel
 * supplements cannot both pass the quota.
 */
export async function bindAttachments(tx: Executor, ids: string[] | undefined, owner: UploadOwner, ticketId: string, eventId: number) {
  const unique = [...new Set(ids ?? [])];
  if (unique.length === 0) return;
  if (unique.length > TICKET_QUOTA.files) throw validation(`附件最多 ${TICKET_QUOTA.files} 个`);
  await tx.execute(sql`select 1 from tickets where id = ${ticketId} for update`);
  const bound = await tx
    .update(attachments)
    .set({ ticketId, eventId })
    .where(and(inArray(attachments.id, unique), eq(attachments.ownerKind, owner.kind), eq(attachments.ownerId, owner.id), isNull(attachments.ticketId)))
    .returning({ id: attachments.id });
  if (bound.length !== unique.length) throw validation('附件不存在、不属于您或已被使用，请重新上传');
  const [held] = await tx
    .select({ files: count(), bytes: sum(attachments.size) })
    .from(attachments)
    .where(eq(attachments.ticketId, ticketId));
  if (Number(held?.files ?? 0) > TICKET_QUOTA.files || Number(held?.bytes ?? 0) > TICKET_QUOTA.bytes) {
    throw new AppError('PAYLOAD_TOO_LARGE', `每件诉求的附件最多 ${TICKET_QUOTA.files} 个、共 ${TICKET_QUOTA.bytes / 1024 / 1024} MB，已达上限`);
  }
}

/** RFC 6266 Content-Disposition with an ASCII fallback and the UTF-8 name. */
export function contentDisposition(name: string, inline: boolean): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `${inline ? 'inline' : 'attachment'}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
