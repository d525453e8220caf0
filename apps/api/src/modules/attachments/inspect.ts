/**
 * What the type sniffing cannot see: a file that is also another file (a PNG that is a ZIP, an image
 * carrying HTML, a PDF with scripts) and Office documents that inflate to far more than they weigh
 * (zip bombs). The server never opens these files, but the staff's viewers and Office do.
 */
import { inflateRawSync } from 'node:zlib';
import { AppError } from '../../errors.ts';

export const ZIP_LIMITS = { maxEntries: 2000, maxUncompressedBytes: 100 * 1024 * 1024 };

const polyglot = () => new AppError('UNSUPPORTED_MEDIA_TYPE', '文件内容异常（夹带了其他格式的数据或脚本），请另存为标准格式后重新上传');
const badZip = () => new AppError('UNSUPPORTED_MEDIA_TYPE', '文档结构异常，请用 Office 或 WPS 另存后重新上传');
const bomb = () =>
  new AppError(
    'PAYLOAD_TOO_LARGE',
    `文档解压后超过 ${ZIP_LIMITS.maxUncompressedBytes / 1024 / 1024} MB 或超过 ${ZIP_LIMITS.maxEntries} 个部件，请精简后重新上传`,
  );

const EOCD = Buffer.from('PK\x05\x06', 'latin1');
/** Markup a browser would run if it ever took the file for HTML or SVG. */
const MARKUP = /<(?:script|html|iframe|object|embed|svg|body)[\s/>]|<!doctype\s+html|javascript:/i;
/** PDF actions that run code or carry other files. */
const PDF_ACTIVE = /\/(?:JavaScript|JS|Launch|EmbeddedFiles?)(?![A-Za-z])/;

/** Throws when the bytes of a file whose type was sniffed as `ext` are not only that. */
export function inspectContent(bytes: Buffer, ext: string): void {
  if (ext === 'docx' || ext === 'xlsx') {
    inspectZip(bytes);
    return;
  }
  // A ZIP reader finds its end record in the last 64 KB: an image or PDF with one is also an archive.
  if (bytes.subarray(Math.max(0, bytes.length - 65_557)).includes(EOCD)) throw polyglot();
  const text = bytes.toString('latin1');
  if (MARKUP.test(text)) throw polyglot();
  if (ext === 'png' && pngEnd(bytes) !== bytes.length) throw polyglot();
  if (ext === 'pdf' && PDF_ACTIVE.test(text)) throw polyglot();
}

/** Where a PNG's IEND chunk ends (data after it is another file riding along). */
function pngEnd(bytes: Buffer): number {
  let pos = 8;
  while (pos + 12 <= bytes.length) {
    const length = bytes.readUInt32BE(pos);
    const type = bytes.toString('latin1', pos + 4, pos + 8);
    pos += 12 + length;
    if (type === 'IEND') return pos;
  }
  return -1;
}

/**
 * Reads the ZIP central directory: entry count, declared sizes, names; then inflates each entry with its
 * declared size as the ceiling, so that a size that lies is caught without inflating more than declared.
 */
function inspectZip(bytes: Buffer): void {
  const tailStart = Math.max(0, bytes.length - 65_557);
  const at = bytes.lastIndexOf(EOCD);
  if (at < tailStart || at + 22 > bytes.length || bytes.readUInt32LE(0) !== 0x04034b50) throw badZip();
  const entries = bytes.readUInt16LE(at + 10);
  const cdSize = bytes.readUInt32LE(at + 12);
  const cdOffset = bytes.readUInt32LE(at + 16);
  if (entries === 0xffff || cdOffset === 0xffffffff) throw bomb(); // ZIP64: no Office file needs it at this size
  if (entries > ZIP_LIMITS.maxEntries) throw bomb();
  if (cdOffset + cdSize > at) throw badZip();

  let pos = cdOffset;
  let total = 0;
  for (let i = 0; i < entries; i++) {
    if (pos + 46 > at || bytes.readUInt32LE(pos) !== 0x02014b50) throw badZip();
    const method = bytes.readUInt16LE(pos + 10);
    const compressed = bytes.readUInt32LE(pos + 20);
    const size = bytes.readUInt32LE(pos + 24);
    const nameLength = bytes.readUInt16LE(pos + 28);
    const next = pos + 46 + nameLength + bytes.readUInt16LE(pos + 30) + bytes.readUInt16LE(pos + 32);
    const name = bytes.toString('utf8', pos + 46, pos + 46 + nameLength);
    const local = bytes.readUInt32LE(pos + 42);
    pos = next;
    if (name.startsWith('/') || name.includes('\\') || name.split('/').includes('..')) throw badZip();
    total += size;
    if (size === 0xffffffff || total > ZIP_LIMITS.maxUncompressedBytes) throw bomb();

    if (local + 30 > bytes.length || bytes.readUInt32LE(local) !== 0x04034b50) throw badZip();
    const start = local + 30 + bytes.readUInt16LE(local + 26) + bytes.readUInt16LE(local + 28);
    const data = bytes.subarray(start, start + compressed);
    if (data.length !== compressed) throw badZip();
    if (method === 0) {
      if (compressed !== size) throw badZip();
    } else if (method === 8) {
      let inflated: Buffer;
      try {
        inflated = inflateRawSync(data, { maxOutputLength: Math.max(1, size) });
      } catch (err) {
        throw (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' ? bomb() : badZip(); // inflates to more than declared
      }
      if (inflated.length !== size) throw badZip();
    } else {
      throw badZip();
    }
  }
}
