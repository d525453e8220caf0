/**
 * The demo organisation of Baotou (DESIGN §2, §9): districts, stations of all four kinds, the categories,
 * China's public-holiday calendar, and one account per role. Idempotent: rows are inserted only when
 * missing, so a restart never duplicates or overwrites anything.
 */
import type { Role, StationType } from '@ys/shared';
import { officialHolidays } from '@ys/shared/holidays';
import { categories, districts, holidays, stations, users } from '@ys/shared/schema';
import { inArray } from 'drizzle-orm';
import { hashPassword } from '../lib/crypto.ts';
import type { Db } from './client.ts';

export const DEMO_DISTRICTS: [string, string][] = [
  ['150202', '东河区'],
  ['150203', '昆都仑区'],
  ['150204', '青山区'],
  ['150205', '石拐区'],
  ['150206', '白云鄂博矿区'],
  ['150207', '九原区'],
  ['150221', '土默特右旗'],
  ['150222', '固阳县'],
  ['150223', '达尔罕茂明安联合旗'],
];

export const DEMO_CATEGORIES: { code: string; name: string; stationType: StationType | null; claimHours: number; resolveDays: number }[] = [
  { code: 'legal_consult', name: '法律咨询', stationType: 'legal_service', claimHours: 24, resolveDays: 3 },
  { code: 'case_progress', name: '涉企案件进度', stationType: 'court', claimHours: 24, resolveDays: 5 },
  { code: 'enforcement', name: '执行督促', stationType: 'court', claimHours: 24, resolveDays: 15 },
  { code: 'ip_protection', name: '知识产权保护', stationType: 'court', claimHours: 24, resolveDays: 10 },
  { code: 'procuratorial', name: '检察监督与控告申诉', stationType: 'procuratorate', claimHours: 24, resolveDays: 15 },
  { code: 'compliance', name: '企业合规与法治体检', stationType: 'procuratorate', claimHours: 48, resolveDays: 10 },
  { code: 'public_security', name: '治安求助', stationType: 'police', claimHours: 4, resolveDays: 5 },
  { code: 'police_service', name: '警务服务办理', stationType: 'police', claimHours: 24, resolveDays: 5 },
  { code: 'business_env', name: '营商环境投诉', stationType: null, claimHours: 24, resolveDays: 10 },
  { code: 'suggestion', name: '意见建议', stationType: null, claimHours: 48, resolveDays: 15 },
  { code: 'other', name: '其他', stationType: null, claimHours: 24, resolveDays: 10 },
];

export interface DemoStation {
  code: string;
  name: string;
  type: StationType;
  agencyName: string;
  districtCode: string;
  address: string;
  phone: string;
  /** The station's demo account: username / password (README lists them). */
  username: string;
  password: string;
  userName: string;
  role: Role;
}

export const DEMO_STATIONS: DemoStation[] = [
  {
    code: 'jy-court',
    name: '九原区法院优商法官工作站',
    type: 'court',
    agencyName: '九原区人民法院',
    districtCode: '150207',
    address: '九原区建华南路 1 号',
    phone: '0472-7110001',
    username: 'jy_court',
    password: 'Court@2025',
    userName: '王法官',
    role: 'station_lead',
  },
  {
    code: 'kd-court',
    name: '昆区法院优商法官工作站',
    type: 'court',
    agencyName: '昆都仑区人民法院',
    districtCode: '150203',
    address: '昆都仑区钢铁大街 18 号',
    phone: '0472-2110002',
    username: 'kd_court',
    password: 'Court@2025',
    userName: '李法官',
    role: 'staff',
  },
  {
    code: 'jy-proc',
    name: '九原区检察院检企联络站',
    type: 'procuratorate',
    agencyName: '九原区人民检察院',
    districtCode: '150207',
    address: '九原区赛音道 9 号',
    phone: '0472-7120003',
    username: 'jy_proc',
    password: 'Proc@2025',
    userName: '赵检察官',
    role: 'station_lead',
  },
  {
    code: 'dh-proc',
    name: '东河区检察院检企联络站',
    type: 'procuratorate',
    agencyName: '东河区人民检察院',
    districtCode: '150202',
    address: '东河区巴彦塔拉大街 66 号',
    phone: '0472-4120004',
    username: 'dh_proc',
    password: 'Proc@2025',
    userName: '钱检察官',
    role: 'staff',
  },
  {
    code: 'jy-police',
    name: '九原公安分局警务服务站',
    type: 'police',
    agencyName: '九原公安分局',
    districtCode: '150207',
    address: '九原区团结大街 12 号',
    phone: '0472-7130005',
    username: 'jy_police',
    password: 'Police@2025',
    userName: '孙警官',
    role: 'station_lead',
  },
  {
    code: 'qs-police',
    name: '青山公安分局警务服务站',
    type: 'police',
    agencyName: '青山公安分局',
    districtCode: '150204',
    address: '青山区幸福南路 3 号',
    phone: '0472-3130006',
    username: 'qs_police',
    password: 'Police@2025',
    userName: '周警官',
    role: 'staff',
  },
  {
    code: 'jy-legal',
    name: '九原区司法局法律服务站',
    type: 'legal_service',
    agencyName: '九原区司法局',
    districtCode: '150207',
    address: '九原区民族东路 5 号',
    phone: '0472-7140007',
    username: 'jy_legal',
    password: 'Legal@2025',
    userName: '吴律师',
    role: 'station_lead',
  },
  {
    code: 'kd-legal',
    name: '昆区司法局法律服务站',
    type: 'legal_service',
    agencyName: '昆都仑区司法局',
    districtCode: '150203',
    address: '昆都仑区阿尔丁大街 20 号',
    phone: '0472-2140008',
    username: 'kd_legal',
    password: 'Legal@2025',
    userName: '郑律师',
    role: 'staff',
  },
];

export const DEMO_ACCOUNTS: { username: string; password: string; name: string; role: Role; districtCode: string | null }[] = [
  { username: 'admin', password: 'Admin@2025', name: '系统管理员', role: 'admin', districtCode: null },
  { username: 'center', password: 'Center@2025', name: '市综治中心调度员', role: 'dispatcher', districtCode: null },
  { username: 'jy_center', password: 'Center@2025', name: '九原区调度员', role: 'dispatcher', districtCode: '150207' },
  { username: 'leader', password: 'Leader@2025', name: '市委政法委领导', role: 'leader', districtCode: null },
];

/** Reference data every installation needs (districts, categories, holidays); also used in production. */
export async function seedReferenceData(db: Db): Promise<void> {
  await db
    .insert(districts)
    .values(DEMO_DISTRICTS.map(([code, name]) => ({ code, name })))
    .onConflictDoNothing();
  await db
    .insert(categories)
    .values(DEMO_CATEGORIES.map((c, i) => ({ ...c, sortOrder: (i + 1) * 10 })))
    .onConflictDoNothing();
  const year = new Date().getUTCFullYear();
  const days = officialHolidays([year - 1, year, year + 1]);
  if (days.length) await db.insert(holidays).values(days).onConflictDoNothing();
}

export async function seedDemo(db: Db): Promise<void> {
  await seedReferenceData(db);
  await db
    .insert(stations)
    .values(DEMO_STATIONS.map(({ username: _u, password: _p, userName: _n, role: _r, ...s }) => s))
    .onConflictDoNothing();
  const stationRows = await db.select({ id: stations.id, code: stations.code }).from(stations);
  const stationId = new Map(stationRows.map((s) => [s.code, s.id]));
  const wanted = [
    ...DEMO_ACCOUNTS.map((a) => ({ ...a, stationId: null as string | null })),
    ...DEMO_STATIONS.map((s) => ({
      username: s.username,
      password: s.password,
      name: s.userName,
      role: s.role,
      districtCode: null,
      stationId: stationId.get(s.code) ?? null,
    })),
  ];
  // The missing accounts, their passwords hashed side by side (argon2 runs on libuv's threads), in one insert.
  const names = wanted.map((a) => a.username);
  const found = await db.select({ username: users.username }).from(users).where(inArray(users.username, names));
  const existing = new Set(found.map((u) => u.username));
  const missing = await Promise.all(
    wanted
      .filter((a) => !existing.has(a.username))
      .map(async ({ password, ...rest }) => ({ ...rest, passwordHash: await hashPassword(password), mustChangePassword: false })),
  );
  if (missing.length) await db.insert(users).values(missing).onConflictDoNothing();
}
