/**
 * The reference data a submission reads — categories, districts, stations, the holiday calendar — kept in
 * process memory, so that filing a ticket costs no lookups. They change rarely, and through the admin console
 * of any instance: so the copy is never trusted on its own. The submit statement re-checks in SQL that
 * everything it relied on still holds (tickets/submit.ts `stillTrue`) and inserts nothing otherwise; the
 * caller then reloads and tries again. A refusal from the copy ("no such category") reloads it first, before
 * it is answered. So a change made on another instance is seen at once, and the
 * TTL only bounds how long an unused copy lingers.
 */
import type { HolidayCalendar, HolidayKind, StationType } from '@ys/shared';
import { categories, districts, holidays, stations } from '@ys/shared/schema';
import type { Db, Executor } from '../db/client.ts';

export interface RefCategory {
  code: string;
  active: boolean;
  stationType: StationType | null;
  claimHours: number;
  resolveDays: number;
}
export interface RefStation {
  id: string;
  code: string;
  type: StationType;
  districtCode: string;
  active: boolean;
}

export interface Reference {
  loadedAt: number;
  categories: Map<string, RefCategory>;
  districts: Map<string, { code: string; active: boolean }>;
  stationsByCode: Map<string, RefStation>;
  /** `${type}:${districtCode}` of every active station: a pool someone can claim from. */
  pools: Set<string>;
  calendar: HolidayCalendar;
}

const TTL_MS = 60_000;

const cache = new WeakMap<Db, { ref: Reference | null; loading: Promise<Reference> | null }>();

async function load(db: Executor): Promise<Reference> {
  const [cats, dists, sts, hols] = await Promise.all([
    db
      .select({
        code: categories.code,
        active: categories.active,
        stationType: categories.stationType,
        claimHours: categories.claimHours,
        resolveDays: categories.resolveDays,
      })
      .from(categories),
    db.select({ code: districts.code, active: districts.active }).from(districts),
    db.select({ id: stations.id, code: stations.code, type: stations.type, districtCode: stations.districtCode, active: stations.active }).from(stations),
    db.select({ date: holidays.date, kind: holidays.kind }).from(holidays),
  ]);
  return {
    loadedAt: Date.now(),
    categories: new Map(cats.map((c) => [c.code, c])),
    districts: new Map(dists.map((d) => [d.code, d])),
    stationsByCode: new Map(sts.map((s) => [s.code, s])),
    pools: new Set(sts.filter((s) => s.active).map((s) => `${s.type}:${s.districtCode}`)),
    calendar: new Map<string, HolidayKind>(hols.map((h) => [h.date, h.kind])),
  };
}

/** The copy of the reference data of this database; `fresh` forces a reload (after the database disagreed with it). */
export async function reference(db: Db, opts: { fresh?: boolean; via?: Executor } = {}): Promise<Reference> {
  let entry = cache.get(db);
  if (!entry) {
    entry = { ref: null, loading: null };
    cache.set(db, entry);
  }
  const age = entry.ref ? Date.now() - entry.ref.loadedAt : Number.POSITIVE_INFINITY;
  const stale = opts.fresh || age > TTL_MS;
  if (entry.ref && !stale) return entry.ref;
  const e = entry;
  if (opts.via) {
    // Inside a transaction: read through it (PGlite has one connection, which the transaction holds).
    const ref = await load(opts.via);
    e.ref = ref;
    return ref;
  }
  e.loading ??= load(db).then(
    (ref) => {
      e.ref = ref;
      e.loading = null;
      return ref;
    },
    (err) => {
      e.loading = null;
      throw err;
    },
  );
  return e.loading;
}

/**
 * A fresh copy, before a refusal based on the cached one is answered (a category enabled a moment ago on another
 * instance is accepted): an invalid submission costs the reads every submission used to cost.
 */
export const referenceAfterMiss = (db: Db, via?: Executor) => reference(db, { fresh: true, via });

/** Forgets the copy (the admin changed reference data in this process; tests). */
export function forgetReference(db: Db) {
  cache.delete(db);
}
