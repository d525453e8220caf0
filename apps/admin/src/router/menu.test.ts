import { describe, expect, it } from 'vitest';
import { canAccess, type MenuItem, menuFor } from './menu.ts';
import { frameRoutes } from './routes.ts';

const titles = (items: MenuItem[]): string[] => items.flatMap((i) => (i.children ? [`${i.title}:`, ...i.children.map((c) => `  ${c.title}`)] : [i.title]));

describe('the menu of each role', () => {
  it('gives station staff their pool, their tickets and the station’s tickets; the lead also the station’s figures', () => {
    expect(titles(menuFor(frameRoutes, 'staff'))).toEqual(['工作台', '诉求工单:', '  工单池', '  我的工单', '  全部工单']);
    expect(titles(menuFor(frameRoutes, 'station_lead'))).toEqual([...titles(menuFor(frameRoutes, 'staff')), '统计分析']);
  });

  it('gives the dispatcher 待分派, supervision, 代录 and statistics', () => {
    expect(titles(menuFor(frameRoutes, 'dispatcher'))).toEqual(['工作台', '诉求工单:', '  待分派', '  全部工单', '  督办工单', '  代录诉求', '统计分析']);
  });

  it('gives the leader reading screens only', () => {
    expect(titles(menuFor(frameRoutes, 'leader'))).toEqual(['工作台', '诉求工单:', '  全部工单', '  督办工单', '统计分析']);
  });

  it('gives the administrator system management as well', () => {
    expect(titles(menuFor(frameRoutes, 'admin'))).toEqual([
      '工作台',
      '诉求工单:',
      '  全部工单',
      '  督办工单',
      '统计分析',
      '系统管理:',
      '  旗县区',
      '  站点管理',
      '  用户管理',
      '  类别与时限',
      '  节假日日历',
      '  审计日志',
    ]);
  });

  it('links each entry to a route path', () => {
    const admin = menuFor(frameRoutes, 'admin');
    expect(admin[0]).toMatchObject({ title: '工作台', path: '/dashboard' });
    expect(admin.find((i) => i.key === 'group-system')?.children?.[1]).toMatchObject({ path: '/system/stations' });
  });

  it('shows nothing to nobody', () => {
    expect(menuFor(frameRoutes, null)).toEqual([]);
  });
});

describe('route access', () => {
  const route = (name: string) => frameRoutes.find((r) => r.name === name);
  it('keeps system management to administrators', () => {
    const roles = route('system-users')?.meta?.roles;
    expect(canAccess(roles, 'admin')).toBe(true);
    for (const r of ['staff', 'station_lead', 'dispatcher', 'leader'] as const) expect(canAccess(roles, r)).toBe(false);
  });
  it('keeps 代录 to dispatchers and statistics away from stations', () => {
    expect(canAccess(route('tickets-new')?.meta?.roles, 'dispatcher')).toBe(true);
    expect(canAccess(route('tickets-new')?.meta?.roles, 'admin')).toBe(false);
    expect(canAccess(route('stats')?.meta?.roles, 'staff')).toBe(false);
    expect(canAccess(route('stats')?.meta?.roles, 'leader')).toBe(true);
  });
  it('lets every role open a ticket and the full list', () => {
    for (const r of ['staff', 'station_lead', 'dispatcher', 'leader', 'admin'] as const) {
      expect(canAccess(route('ticket-detail')?.meta?.roles, r)).toBe(true);
      expect(canAccess(route('tickets-all')?.meta?.roles, r)).toBe(true);
    }
  });
});
