/**
 * Streams a table as .xlsx (exceljs streaming WorkbookWriter) or as CSV (UTF-8 with BOM, for Excel),
 * batch by batch: a batch is written, and the next is read only once the client has taken the bytes,
 * so memory stays flat whatever the number of rows.
 */
import { PassThrough, Readable } from 'node:stream';
import type ExcelJS from 'exceljs';
import type { FastifyReply } from 'fastify';

export type Cell = string | number | null | undefined;

export interface Column<T> {
  header: string;
  width?: number;
  value: (row: T) => Cell;
}

export type ExportFormat = 'xlsx' | 'csv';

const CONTENT_TYPES: Record<ExportFormat, string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
};

/** A cell as CSV: quoted when needed, and a text that a spreadsheet would run as a formula made inert. */
export function csvCell(value: Cell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const csvLine = (cells: Cell[]) => `${cells.map(csvCell).join(',')}\r\n`;

async function* csvChunks<T>(columns: Column<T>[], batches: AsyncIterable<T[]>): AsyncGenerator<string> {
  yield `\uFEFF${csvLine(columns.map((c) => c.header))}`;
  for await (const batch of batches) yield batch.map((row) => csvLine(columns.map((c) => c.value(row)))).join('');
}

/** Resolves when the consumer has taken what was written (or is gone). */
async function drained(out: PassThrough): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  if (!out.writableNeedDrain || out.destroyed) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      out.off('drain', done);
      out.off('close', done);
      resolve();
    };
    out.once('drain', done);
    out.once('close', done);
  });
}

/**
 * exceljs hands a sheet's XML to the zip without waiting for it (exceljs#2916): the writable it pipes into
 * would hold the whole uncompressed sheet. Wait until the zip has taken all but a megabyte of it.
 */
async function sheetDrained(sheet: ExcelJS.Worksheet): Promise<void> {
  // The zip's input is a readable-stream PassThrough: its buffered byte count is in _writableState.
  type Pipe = { writableLength?: number; _writableState?: { length: number }; destroyed?: boolean };
  const pipe = (sheet as unknown as { _stream?: { pipes?: Pipe[] } })._stream?.pipes?.[0];
  if (!pipe) return;
  const buffered = () => pipe.writableLength ?? pipe._writableState?.length ?? 0;
  while (buffered() > 1 << 16 && !pipe.destroyed) await new Promise((resolve) => setTimeout(resolve, 2));
}

/** A1-style column letters: 1 → A, 27 → AA. */
function columnLetters(n: number): string {
  let letters = '';
  for (let i = n; i > 0; i = Math.floor((i - 1) / 26)) letters = String.fromCharCode(65 + ((i - 1) % 26)) + letters;
  return letters;
}

// What exceljs's xmlEncode does to text: the five XML specials escaped, control characters XML 1.0 forbids dropped.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding the control characters to drop is the point
const XML_SPECIALS = /[<>&'"\x7F\x00-\x08\x0B\x0C\x0E-\x1F]/g;
const XML_ESCAPES: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' };
const xmlText = (text: string) => text.replace(XML_SPECIALS, (c) => XML_ESCAPES[c] ?? '');

/**
 * One data row as exceljs's streaming writer renders `addRow(cells).commit()` with useSharedStrings: false
 * and no cell style: every column has a cell, so spans is 1:columns; strings as t="str", numbers bare, empty
 * cells left out, and a row without any value not written at all. Built as one string instead of through
 * exceljs's Row/Cell models, its style lookup per cell and its XML builder, which were nearly all of an
 * export's CPU time (test: "writes the same sheet as exceljs row by row").
 */
export function rowXml(r: number, cells: readonly Cell[], letters: readonly string[]): string {
  let body = '';
  for (let i = 0; i < cells.length; i++) {
    const v = cells[i];
    if (v === null || v === undefined) continue;
    body += typeof v === 'number' ? `<c r="${letters[i]}${r}"><v>${v}</v></c>` : `<c r="${letters[i]}${r}" t="str"><v>${xmlText(v)}</v></c>`;
  }
  return body ? `<row r="${r}" spans="1:${cells.length}" x14ac:dyDescent="0.25">${body}</row>` : '';
}

/** The parts of exceljs's WorksheetWriter that writing rows directly needs (exceljs 4.4). */
interface SheetWriterInternals {
  /** The sheet's XML stream into the zip, opened on first use. */
  stream: { write(data: Buffer): unknown };
  /** The number the next added row would get. */
  _rowZero: number;
}

const XML_PIECE = 32_768; // characters: up to ~96 KB of UTF-8

function xlsxStream<T>(sheetName: string, columns: Column<T>[], batches: AsyncIterable<T[]>): PassThrough {
  const out = new PassThrough();
  (async () => {
    // Loaded on the first spreadsheet rather than at every start.
    const { default: Excel } = await import('exceljs');
    const workbook = new Excel.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
    const sheet = workbook.addWorksheet(sheetName, { views: [{ state: 'frozen', ySplit: 1 }] });
    sheet.columns = columns.map((c, i) => ({ header: c.header, key: `c${i}`, width: c.width ?? 14 }));
    sheet.getRow(1).font = { bold: true };
    // The header row (bold) through exceljs: it opens the sheet data; the data rows follow as XML.
    sheet.getRow(1).commit();
    const writer = sheet as unknown as SheetWriterInternals;
    const letters = columns.map((_, i) => columnLetters(i + 1));
    let r = writer._rowZero;
    for await (const batch of batches) {
      if (out.destroyed) return;
      // Handed on in pieces of ~64 KB (the size of exceljs's own buffers): a batch's whole XML held as one
      // string would outlive the young generation and be promoted, and the old space grow with every batch.
      let xml = '';
      for (const row of batch) {
        xml += rowXml(
          r++,
          columns.map((c) => c.value(row)),
          letters,
        );
        if (xml.length >= XML_PIECE) {
          writer.stream.write(Buffer.from(xml));
          xml = '';
        }
      }
      if (xml) writer.stream.write(Buffer.from(xml));
      writer._rowZero = r;
      await sheetDrained(sheet);
      await drained(out);
    }
    sheet.commit();
    await workbook.commit();
  })().catch((err) => out.destroy(err as Error));
  return out;
}

export function tableStream<T>(format: ExportFormat, sheetName: string, columns: Column<T>[], batches: AsyncIterable<T[]>): Readable {
  return format === 'csv' ? Readable.from(csvChunks(columns, batches), { objectMode: false }) : xlsxStream(sheetName, columns, batches);
}

/** Answers with the table as an attachment named `{baseName}.{format}`. */
export function sendTable<T>(
  reply: FastifyReply,
  opts: { format: ExportFormat; baseName: string; sheetName: string; columns: Column<T>[]; batches: AsyncIterable<T[]> },
) {
  const filename = `${opts.baseName}.${opts.format}`;
  return reply
    .header('content-type', CONTENT_TYPES[opts.format])
    .header('content-disposition', `attachment; filename="export.${opts.format}"; filename*=UTF-8''${encodeURIComponent(filename)}`)
    .header('cache-control', 'no-store')
    .send(tableStream(opts.format, opts.sheetName, opts.columns, opts.batches));
}

/** yyyy-MM-dd HH:mm in Asia/Shanghai, as people read times in a sheet. */
export function shanghaiTime(value: Date | string | null | undefined): string | null {
  if (!value) return null;
  const d = typeof value === 'string' ? new Date(value) : value;
  return new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
}

/** A file-name stamp: yyyyMMdd-HHmm in Asia/Shanghai. */
export function fileStamp(now: Date): string {
  return (shanghaiTime(now) ?? '').replaceAll('-', '').replace(' ', '-').replace(':', '');
}
