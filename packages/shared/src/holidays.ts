/**
 * China's statutory days off and make-up working days, from the maintained chinese-days data (one JSON
 * file per year in the package). Server-side only: front ends read the calendar through the API.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { HolidayKind } from './enums.ts';

export interface OfficialDay {
  date: string;
  kind: HolidayKind;
  name: string;
}

export function officialHolidays(years: number[]): OfficialDay[] {
  const dir = path.join(path.dirname(createRequire(import.meta.url).resolve('chinese-days/package.json')), 'dist', 'years');
  const out: OfficialDay[] = [];
  for (const year of years) {
    const file = path.join(dir, `${year}.json`);
    // Years the State Council has not announced yet have no file.
    if (!fs.existsSync(file)) continue;
    const data = JSON.parse(fs.readFileSync(file, 'utf8')) as { holidays: Record<string, string>; workdays: Record<string, string> };
    const label = (v: string) => v.split(',')[1] ?? v;
    for (const [date, v] of Object.entries(data.holidays)) out.push({ date, kind: 'off', name: label(v) });
    for (const [date, v] of Object.entries(data.workdays)) out.push({ date, kind: 'work', name: `${label(v)}调休上班` });
  }
  return out;
}
