import { describe, expect, it } from 'vitest';
import type { PublicEvent } from '@/api/public';
import { describeEvent } from './timeline';

const at = '2026-11-22T02:00:00.000Z';
const ev = (type: PublicEvent['type'], data: Record<string, unknown> = {}, stationName: string | null = '九原区法院优商法官工作站'): PublicEvent => ({
  type,
  data,
  stationName,
  createdAt: at,
});

describe('the public timeline', () => {
  it('speaks to the business about its own steps', () => {
    expect(describeEvent(ev('submitted', { channel: 'qr' }, null)).heading).toBe('您提交了诉求');
    expect(describeEvent(ev('withdrawn', { reason: '已解决' }, null))).toEqual({ heading: '您撤回了诉求', lines: ['原因：已解决'], asksBusiness: false });
  });

  it('names the station that claimed, transferred or resolved', () => {
    expect(describeEvent(ev('claimed', { stationName: '九原区法院优商法官工作站' })).heading).toBe('九原区法院优商法官工作站已签收，开始办理');
    expect(describeEvent(ev('transferred', { toStationName: '昆区法院优商法官工作站', reason: '属地管辖' })).heading).toContain(
      '转至昆区法院优商法官工作站办理',
    );
    const resolved = describeEvent(ev('resolved', { result: '已督促执行', legalBasis: '民事诉讼法' }));
    expect(resolved.heading).toBe('九原区法院优商法官工作站办结并答复');
    expect(resolved.lines).toEqual(['办理结果：已督促执行', '法律依据：民事诉讼法']);
  });

  it('marks a request for more material as addressed to the business', () => {
    const e = describeEvent(ev('supplement_requested', { content: '请上传判决书' }));
    expect(e.asksBusiness).toBe(true);
    expect(e.lines).toEqual(['请上传判决书']);
  });

  it('says why a ticket was archived and never shows a staff name', () => {
    expect(describeEvent(ev('closed', { reason: 'rated' }, null)).heading).toBe('已归档（评价后归档）');
    const re = describeEvent(ev('reassigned', { toAssigneeName: '张三' }));
    expect(JSON.stringify(re)).not.toContain('张三');
  });

  it('reads the rating back in words', () => {
    expect(describeEvent(ev('rated', { solved: true, satisfaction: 'basically_satisfied' }, null)).lines).toEqual(['问题已解决 · 基本满意']);
  });
});
