import { describe, expect, it } from 'vitest';
import { emptyModel, validateAction } from '@/views/tickets/actions/forms.ts';
import { emptyProxyForm, PROXY_CHECKS } from '@/views/tickets/proxyForm.ts';
import { checks, firstError, rule } from './validators.ts';

describe('field checks', () => {
  it('requires text with something in it', () => {
    expect(checks.required('理由')('')).toBe('请填写理由');
    expect(checks.required('理由')('  ')).toBe('请填写理由');
    expect(checks.required('理由')('ok')).toBeNull();
    expect(checks.required('附件')([])).toBe('请选择附件');
  });
  it('limits length as the API does', () => {
    expect(checks.maxLength('标题', 60)('字'.repeat(60))).toBeNull();
    expect(checks.maxLength('标题', 60)('字'.repeat(61))).toBe('标题不能超过 60 个字');
  });
  it('checks the USCC check digit and mainland mobiles', () => {
    expect(checks.uscc()('91150200MA0N000005')).toBeNull();
    expect(checks.uscc()('91150200MA0N000004')).toMatch(/统一社会信用代码/);
    expect(checks.mobile()('13800138000')).toBeNull();
    expect(checks.mobile()('12800138000')).toMatch(/手机/);
  });
  it('applies the password policy', () => {
    expect(checks.password()('Admin@2025')).toBeNull();
    expect(checks.password()('short')).toBe('密码至少 8 位');
    expect(checks.password()('alllowercase')).toMatch(/至少三类/);
  });
  it('takes the first failing check, and marks required rules', () => {
    expect(firstError('', checks.required('x'), checks.maxLength('x', 1))).toBe('请填写x');
    expect(rule(checks.required('x')).required).toBe(true);
    expect(rule(checks.maxLength('x', 3)).required).toBe(false);
  });
  it('checks integer ranges', () => {
    expect(checks.intRange('天数', 1, 30)(30)).toBeNull();
    expect(checks.intRange('天数', 1, 30)(31)).toBe('天数应为 1–30 的整数');
    expect(checks.intRange('天数', 1, 30)(1.5)).toBe('天数应为 1–30 的整数');
  });
});

describe('ticket action forms mirror the API', () => {
  it('transfer needs a destination and a reason', () => {
    const m = emptyModel();
    expect(validateAction('transfer', m)).toEqual({ stationId: '请选择承办站点', reason: '请填写转办理由' });
    m.targetMode = 'pool';
    expect(validateAction('transfer', m)).toMatchObject({ poolType: '请选择站点类型', districtCode: '请选择旗县区' });
    Object.assign(m, { poolType: 'court', districtCode: '150207', reason: '不属本站职责' });
    expect(validateAction('transfer', m)).toEqual({});
  });
  it('dispatch needs a destination; its note is optional but limited', () => {
    const m = { ...emptyModel(), stationId: 'abc' };
    expect(validateAction('dispatch', m)).toEqual({});
    m.note = 'x'.repeat(501);
    expect(validateAction('dispatch', m)).toEqual({ note: '分派说明不能超过 500 个字' });
  });
  it('an extension is 1–30 days with a reason', () => {
    const m = { ...emptyModel(), reason: '需要调查取证' };
    expect(validateAction('request_extension', m)).toEqual({ days: '请选择延期天数' });
    m.days = 31;
    expect(validateAction('request_extension', m)).toEqual({ days: '延期天数应为 1–30 的整数' });
    m.days = 5;
    expect(validateAction('request_extension', m)).toEqual({});
  });
  it('refusing an extension needs a reason, approving does not', () => {
    const m = { ...emptyModel(), approve: true };
    expect(validateAction('decide_extension', m)).toEqual({});
    m.approve = false;
    expect(validateAction('decide_extension', m)).toEqual({ note: '请填写不同意的理由' });
  });
  it('resolve needs a result (≤ 2000) and limits the legal basis to 1000', () => {
    const m = emptyModel();
    expect(validateAction('resolve', m)).toEqual({ result: '请填写办理结果' });
    Object.assign(m, { result: '已协调解决', legalBasis: 'x'.repeat(1001) });
    expect(validateAction('resolve', m)).toEqual({ legalBasis: '法律依据不能超过 1000 个字' });
  });
  it('a return visit records method, solved and satisfaction', () => {
    const m = emptyModel();
    expect(Object.keys(validateAction('visit', m)).sort()).toEqual(['method', 'satisfaction', 'solved']);
    Object.assign(m, { method: 'phone', solved: false, satisfaction: 'dissatisfied' });
    expect(validateAction('visit', m)).toEqual({});
  });
  it('a message needs content; blank is not content', () => {
    const m = { ...emptyModel(), content: '   ' };
    expect(validateAction('message', m)).toEqual({ content: '请填写留言内容' });
  });
  it('merge needs the ticket to merge into', () => {
    expect(validateAction('merge', emptyModel())).toEqual({ intoId: '请选择合并到的工单' });
  });
});

describe('the 代录 form', () => {
  it('requires every enterprise field and checks USCC and phone', () => {
    const f = { ...emptyProxyForm(), uscc: '123', contactPhone: '123' };
    const errors = Object.fromEntries(
      Object.entries(PROXY_CHECKS)
        .map(([k, list]) => [k, firstError(f[k as keyof typeof f], ...(list ?? []))])
        .filter(([, v]) => v),
    );
    expect(Object.keys(errors).sort()).toEqual([
      'categoryCode',
      'contactName',
      'contactPhone',
      'content',
      'districtCode',
      'enterpriseName',
      'proxySource',
      'title',
      'uscc',
    ]);
    expect(errors.uscc).toMatch(/统一社会信用代码/);
    expect(errors.contactPhone).toMatch(/手机/);
  });
});
