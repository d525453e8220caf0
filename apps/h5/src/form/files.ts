/** What may be attached (docs/api.md: ≤ 10 MB; jpg/png/webp/pdf/docx/xlsx), checked before a byte is sent. */

export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
export const MAX_ATTACHMENTS = 9;

const TYPES: { ext: string[]; mime: string[] }[] = [
  { ext: ['jpg', 'jpeg'], mime: ['image/jpeg'] },
  { ext: ['png'], mime: ['image/png'] },
  { ext: ['webp'], mime: ['image/webp'] },
  { ext: ['pdf'], mime: ['application/pdf'] },
  { ext: ['docx'], mime: ['application/vnd.openxmlformats-officedocument.wordprocessingml.document'] },
  { ext: ['xlsx'], mime: ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'] },
];

/** For the file input's accept attribute. */
export const ACCEPT = [...TYPES.flatMap((t) => t.mime), ...TYPES.flatMap((t) => t.ext.map((x) => `.${x}`))].join(',');

export const TYPE_HINT = '支持 jpg、png、webp 图片和 pdf、docx、xlsx 文件，单个不超过 10 MB，较大的照片会自动压缩';

/** null when the file may be uploaded, otherwise the message to show. Some phones send no MIME type: the extension decides then. */
export function fileProblem(file: { name: string; size: number; type: string }): string | null {
  const ext = file.name.includes('.') ? (file.name.split('.').pop() ?? '').toLowerCase() : '';
  const known = TYPES.some((t) => t.ext.includes(ext) || (file.type !== '' && t.mime.includes(file.type)));
  if (!known) return `“${file.name}”的类型不支持。${TYPE_HINT}`;
  if (file.size > MAX_UPLOAD_BYTES) return `“${file.name}”超过 10 MB，无法上传，请压缩或拍摄较小的照片后重试`;
  if (file.size === 0) return `“${file.name}”是空文件`;
  return null;
}

export function isImage(mime: string, name: string): boolean {
  return mime.startsWith('image/') || /\.(jpe?g|png|webp)$/i.test(name);
}
