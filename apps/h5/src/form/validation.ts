/** The filing form's rules, in the words shown beside each field. Pure functions: the unit tests read as the rules. */
import { isMainlandMobile, usccCheckChar } from '@ys/shared';

export const TITLE_MAX = 60;
export const CONTENT_MAX = 2000;
export const ENTERPRISE_NAME_MAX = 100;
export const CONTACT_NAME_MAX = 50;
export const SUPPLEMENT_MAX = 2000;
export const COMMENT_MAX = 500;
export const REASON_MAX = 500;

export interface TicketForm {
  categoryCode: string;
  districtCode: string;
  enterpriseName: string;
  uscc: string;
  contactName: string;
  /** Only asked when the session carries no phone (a mini-program sign-in); otherwise the login phone is used. */
  contactPhone: string;
  title: string;
  content: string;
  consent: boolean;
}

export type FormErrors = Partial<Record<keyof TicketForm, string>>;

export function emptyForm(districtCode = ''): TicketForm {
  return { categoryCode: '', districtCode, enterpriseName: '', uscc: '', contactName: '', contactPhone: '', title: '', content: '', consent: false };
}

/** What the user typed, as the code is written: upper case, no spaces. */
export function normalizeUscc(raw: string): string {
  return raw.replace(/\s+/g, '').toUpperCase();
}

const USCC_CHAR = /^[0-9A-HJ-NPQRTUWXY]$/;

/**
 * The live hint under the USCC field: null while the code is fine (or still being typed and fine so far),
 * otherwise what is wrong. With `complete`, a short code is an error too.
 */
export function usccProblem(raw: string, complete: boolean): string | null {
  const v = normalizeUscc(raw);
  if (!v) return complete ? '请填写统一社会信用代码' : null;
  const bad = [...v].find((ch) => !USCC_CHAR.test(ch));
  if (bad !== undefined) return `统一社会信用代码不含字符“${bad}”（不使用 I、O、Z、S、V）`;
  if (v.length > 18) return '统一社会信用代码为 18 位';
  if (v.length < 18) return complete ? `统一社会信用代码为 18 位，当前 ${v.length} 位` : null;
  const expected = usccCheckChar(v.slice(0, 17));
  if (expected === null) return '统一社会信用代码格式不正确';
  if (expected !== v.charAt(17)) return `校验位不正确：按前 17 位计算，最后一位应为“${expected}”，请核对营业执照`;
  return null;
}

function required(value: string, message: string): string | undefined {
  return value.trim() ? undefined : message;
}

function maxLength(value: string, max: number, label: string): string | undefined {
  return [...value.trim()].length > max ? `${label}不能超过 ${max} 字` : undefined;
}

/** Every rule of the form; an empty object means it may be submitted. */
export function validateForm(f: TicketForm, needPhone = false): FormErrors {
  const e: FormErrors = {};
  const set = (key: keyof TicketForm, msg: string | null | undefined) => {
    if (msg) e[key] = msg;
  };
  set('categoryCode', required(f.categoryCode, '请选择诉求类别'));
  set('districtCode', required(f.districtCode, '请选择所在旗县区'));
  set('enterpriseName', required(f.enterpriseName, '请填写企业名称') ?? maxLength(f.enterpriseName, ENTERPRISE_NAME_MAX, '企业名称'));
  set('uscc', usccProblem(f.uscc, true));
  set('contactName', required(f.contactName, '请填写联系人姓名') ?? maxLength(f.contactName, CONTACT_NAME_MAX, '联系人姓名'));
  if (needPhone) set('contactPhone', phoneProblem(f.contactPhone));
  set('title', required(f.title, '请填写诉求标题') ?? maxLength(f.title, TITLE_MAX, '诉求标题'));
  set('content', required(f.content, '请填写诉求内容') ?? maxLength(f.content, CONTENT_MAX, '诉求内容'));
  if (!f.consent) e.consent = '请阅读并同意个人信息处理说明';
  return e;
}

/** Characters as a person counts them (an emoji is one), for the counters under title and content. */
export function charCount(value: string): number {
  return [...value].length;
}

export function phoneProblem(phone: string): string | null {
  if (!phone) return '请输入手机号';
  return isMainlandMobile(phone) ? null : '请输入正确的 11 位手机号';
}

export function supplementProblem(content: string): string | null {
  if (!content.trim()) return '请填写补充说明';
  if (charCount(content.trim()) > SUPPLEMENT_MAX) return `补充说明不能超过 ${SUPPLEMENT_MAX} 字`;
  return null;
}

export function withdrawProblem(reason: string): string | null {
  if (!reason.trim()) return '请填写撤回原因';
  if (charCount(reason.trim()) > REASON_MAX) return `撤回原因不能超过 ${REASON_MAX} 字`;
  return null;
}

export interface RatingDraft {
  solved: boolean | null;
  satisfaction: '' | 'satisfied' | 'basically_satisfied' | 'dissatisfied';
  comment: string;
}

export function ratingProblem(r: RatingDraft): string | null {
  if (r.solved === null) return '请选择问题是否已解决';
  if (!r.satisfaction) return '请选择满意程度';
  if (charCount(r.comment.trim()) > COMMENT_MAX) return `评价内容不能超过 ${COMMENT_MAX} 字`;
  return null;
}
