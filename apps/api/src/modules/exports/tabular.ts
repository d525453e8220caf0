/**
 * Streams a table as .xlsx (exceljs streaming WorkbookWriter) or as CSV (UTF-8 with BOM, for Excel),
 * batch by batch: a batch is written, and the next is read only once the client has taken the bytes,
 * so memory stays flat whatever the number of rows.
 */
import { PassThrough, Readable } from 'node:stream';
import ExcelJS from 'exceljs';
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
  while (buffered() > 1 << 20 && !pipe.destroyed) await new Promise((resolve) => setTimeout(resolve, 2));
}

function xlsxStream<T>(sheetName: string, columns: Column<T>[], batches: AsyncIterable<T[]>): PassThrough {
  const out = new PassThrough();
  (async () => {
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
    const sheet = workbook.addWorksheet(sheetName, { views: [{ state: 'frozen', ySplit: 1 }] });
    sheet.columns = columns.map((c, i) => ({ header: c.header, key: `c${i}`, width: c.width ?? 14 }));
    sheet.getRow(1).font = { bold: true };
    for await (const batch of batches) {
      if (out.destroyed) return;
      for (const row of batch) sheet.addRow(columns.map((c) => c.value(row) ?? null)).commit();
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
