import { usccCheckChar } from '@ys/shared';
import { describe, expect, it } from 'vitest';
import {
  charCount,
  emptyForm,
  normalizeUscc,
  phoneProblem,
  ratingProblem,
  supplementProblem,
  type TicketForm,
  usccProblem,
  validateForm,
  withdrawProblem,
} from './validation';

const VALID_USCC = `91150207MA0N2X3K1${usccCheckChar('91150207MA0N2X3K1')}`;

function filled(over: Partial<TicketForm> = {}): TicketForm {
  return {
    ...emptyForm('150207'),
    categoryCode: 'case_progress',
    enterpriseName: '包头市九原区鹿城机械有限公司',
    uscc: VALID_USCC,
    contactName: '王经理',
    title: '买卖合同纠纷案件执行进度咨询',
    content: '我公司与某公司的买卖合同纠纷已判决，申请执行后三个月无进展。',
    consent: true,
    ...over,
  };
}

describe('the USCC field', () => {
  it('accepts a code whose 18th character is the GB 32100-2015 check character', () => {
    expect(usccProblem(VALID_USCC, true)).toBeNull();
    expect(usccProblem('91350100M000100Y43', true)).toBeNull();
  });

  it('names the expected check character when the last one is wrong', () => {
    const expected = VALID_USCC.charAt(17);
    const wrong = VALID_USCC.slice(0, 17) + (expected === '0' ? '1' : '0');
    expect(usccProblem(wrong, true)).toContain(`最后一位应为“${expected}”`);
  });

  it('stays quiet while a short code is still being typed, and counts the characters once complete is asked', () => {
    expect(usccProblem('91150207', false)).toBeNull();
    expect(usccProblem('91150207', true)).toBe('统一社会信用代码为 18 位，当前 8 位');
    expect(usccProblem('', false)).toBeNull();
    expect(usccProblem('', true)).toBe('请填写统一社会信用代码');
  });

  it('points at a letter the code never uses (I, O, Z, S, V) as soon as it is typed', () => {
    expect(usccProblem('9115O', false)).toContain('“O”');
    expect(usccProblem('91350100M000100Y4S', true)).toContain('“S”');
  });

  it('is upper-cased and stripped of spaces as the user types', () => {
    expect(normalizeUscc(' 9135 0100m000100y43 ')).toBe('91350100M000100Y43');
    expect(usccProblem('91350100m000100y43', true)).toBeNull();
  });
});

describe('the filing form', () => {
  it('has no errors when every field is filled and consent is given', () => {
    expect(validateForm(filled())).toEqual({});
  });

  it('reports every missing field in its own words', () => {
    const e = validateForm(emptyForm(''));
    expect(e).toEqual({
      categoryCode: '请选择诉求类别',
      districtCode: '请选择所在旗县区',
      enterpriseName: '请填写企业名称',
      uscc: '请填写统一社会信用代码',
      contactName: '请填写联系人姓名',
      title: '请填写诉求标题',
      content: '请填写诉求内容',
      consent: '请阅读并同意个人信息处理说明',
    });
  });

  it('treats whitespace-only answers as missing', () => {
    expect(validateForm(filled({ title: '   ', contactName: '\n' }))).toEqual({ title: '请填写诉求标题', contactName: '请填写联系人姓名' });
  });

  it('limits the title to 60 and the content to 2000 characters, counting an emoji as one', () => {
    expect(validateForm(filled({ title: '字'.repeat(60) }))).toEqual({});
    expect(validateForm(filled({ title: '字'.repeat(61) })).title).toBe('诉求标题不能超过 60 字');
    expect(validateForm(filled({ content: '😀'.repeat(2000) }))).toEqual({});
    expect(validateForm(filled({ content: '字'.repeat(2001) })).content).toBe('诉求内容不能超过 2000 字');
    expect(charCount('😀a')).toBe(2);
  });

  it('asks for a contact phone only when the session has none', () => {
    expect(validateForm(filled())).toEqual({});
    expect(validateForm(filled(), true)).toEqual({ contactPhone: '请输入手机号' });
    expect(validateForm(filled({ contactPhone: '13800138000' }), true)).toEqual({});
  });

  it('refuses to file without consent to the privacy notice', () => {
    expect(validateForm(filled({ consent: false }))).toEqual({ consent: '请阅读并同意个人信息处理说明' });
  });

  it('rejects a USCC with a wrong check character', () => {
    expect(validateForm(filled({ uscc: '91350100M000100Y44' })).uscc).toContain('校验位不正确');
  });
});

describe('the other forms', () => {
  it('asks for a mainland mobile number to sign in', () => {
    expect(phoneProblem('')).toBe('请输入手机号');
    expect(phoneProblem('12345678901')).toBe('请输入正确的 11 位手机号');
    expect(phoneProblem('13800138000')).toBeNull();
  });

  it('needs words to supplement, a reason to withdraw, and both choices to rate', () => {
    expect(supplementProblem(' ')).toBe('请填写补充说明');
    expect(supplementProblem('判决书见附件')).toBeNull();
    expect(withdrawProblem('')).toBe('请填写撤回原因');
    expect(withdrawProblem('已自行解决')).toBeNull();
    expect(ratingProblem({ solved: null, satisfaction: 'satisfied', comment: '' })).toBe('请选择问题是否已解决');
    expect(ratingProblem({ solved: true, satisfaction: '', comment: '' })).toBe('请选择满意程度');
    expect(ratingProblem({ solved: false, satisfaction: 'dissatisfied', comment: '' })).toBeNull();
  });
});
