/** A station's entry data (GET /api/public/entry/:code), fetched once per visit and shared by the pages. */
import { type Entry, getEntry } from '@/api/public';

const cache = new Map<string, Promise<Entry>>();
const LAST_STATION_KEY = 'ys.h5.lastStation';

export function loadEntry(stationCode: string): Promise<Entry> {
  let p = cache.get(stationCode);
  if (!p) {
    p = getEntry(stationCode);
    cache.set(stationCode, p);
    p.then(
      (e) => rememberStation(e.station.code, e.station.name),
      () => cache.delete(stationCode),
    );
  }
  return p;
}

/** The last scanned station, so the home page can offer it again. */
export function rememberStation(code: string, name: string): void {
  try {
    localStorage.setItem(LAST_STATION_KEY, JSON.stringify({ code, name }));
  } catch {
    /* storage disabled */
  }
}

export function lastStation(): { code: string; name: string } | null {
  try {
    const v = JSON.parse(localStorage.getItem(LAST_STATION_KEY) ?? 'null') as { code?: unknown; name?: unknown } | null;
    return v && typeof v.code === 'string' && typeof v.name === 'string' ? { code: v.code, name: v.name } : null;
  } catch {
    return null;
  }
}

/** How the business reached us: a scanned station code ('qr') or the plain web address ('h5'). */
export function entryChannel(): 'qr' | 'h5' {
  try {
    return sessionStorage.getItem('ys.h5.channel') === 'qr' ? 'qr' : 'h5';
  } catch {
    return 'h5';
  }
}

export function markScanned(): void {
  try {
    sessionStorage.setItem('ys.h5.channel', 'qr');
  } catch {
    /* storage disabled */
  }
}
