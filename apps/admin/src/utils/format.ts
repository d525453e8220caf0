/** Display helpers: times in Asia/Shanghai, durations, rates. */
const TZ = 'Asia/Shanghai';
const SHANGHAI_OFFSET_MS = 8 * 3600_000;

const dateTimeFmt = new Intl.DateTimeFormat('zh-CN', {
  timeZone: TZ,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});

function parts(iso: string | Date): Record<string, string> {
  const d = typeof iso === 'string' ? new Date(iso) : iso;
  const out: Record<string, string> = {};
  for (const p of dateTimeFmt.formatToParts(d)) out[p.type] = p.value;
  return out;
}

/** 2026-11-22 14:05 */
export function formatDateTime(iso: string | Date | null | undefined): string {
  if (!iso) return '—';
  const p = parts(iso);
  return `${p.year}-${p.month}-${p.day} ${p.hour === '24' ? '00' : p.hour}:${p.minute}`;
}

/** 2026-11-22 */
export function formatDate(iso: string | Date | null | undefined): string {
  if (!iso) return '—';
  const p = parts(iso);
  return `${p.year}-${p.month}-${p.day}`;
}

/** yyyy-MM-dd of today in Shanghai. */
export function todayShanghai(now = new Date()): string {
  return new Date(now.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** The instant a Shanghai calendar day starts, as ISO UTC (for `from` filters). */
export function shanghaiDayStart(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) - SHANGHAI_OFFSET_MS).toISOString();
}

/** The instant after a Shanghai calendar day ends (exclusive `to` of a range that includes `date`). */
export function shanghaiDayEnd(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + 24 * 3600_000 - SHANGHAI_OFFSET_MS).toISOString();
}

/** The Shanghai date of an ISO instant (inverse of shanghaiDayStart). */
export function shanghaiDateOf(iso: string): string {
  return new Date(Date.parse(iso) + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** 2天3小时 / 5小时20分 / 12分钟 */
export function formatDuration(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  if (days > 0) return hours ? `${days}天${hours}小时` : `${days}天`;
  if (hours > 0) return mins ? `${hours}小时${mins}分` : `${hours}小时`;
  return `${mins}分钟`;
}

export interface Countdown {
  text: string;
  overdue: boolean;
  /** under 24 hours left */
  soon: boolean;
}

export function countdown(dueIso: string | null | undefined, now: number): Countdown | null {
  if (!dueIso) return null;
  const left = Date.parse(dueIso) - now;
  if (left < 0) return { text: `超期 ${formatDuration(-left)}`, overdue: true, soon: false };
  return { text: `剩 ${formatDuration(left)}`, overdue: false, soon: left < 24 * 3600_000 };
}

/** 0.8567 → 85.7%; null → — (a zero denominator is not 0%). */
export function formatRate(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || Number.isNaN(rate)) return '—';
  return `${(rate * 100).toFixed(1)}%`;
}

export function formatNumber(n: number | null | undefined, digits = 0): string {
  if (n === null || n === undefined || Number.isNaN(n)) return '—';
  return n.toLocaleString('zh-CN', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function formatHours(h: number | null | undefined): string {
  if (h === null || h === undefined || Number.isNaN(h)) return '—';
  return h >= 48 ? `${(h / 24).toFixed(1)} 天` : `${h.toFixed(1)} 小时`;
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** A deadline that falls at midnight is the end of the previous day: 2026-11-30 24:00, as people say it. */
export function formatDeadline(iso: string | null | undefined): string {
  if (!iso) return '—';
  const shifted = new Date(Date.parse(iso) + SHANGHAI_OFFSET_MS);
  if (shifted.getUTCHours() === 0 && shifted.getUTCMinutes() === 0) {
    return `${new Date(shifted.getTime() - 1).toISOString().slice(0, 10)} 24:00`;
  }
  return formatDateTime(iso);
}
