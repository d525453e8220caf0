/** Form rules mirroring the API's checks, so a form says what is wrong before it is sent. */
import { checkPasswordPolicy, isMainlandMobile, isValidUscc } from '@ys/shared';
import type { FormItemRule } from 'element-plus';

type Validator = NonNullable<FormItemRule['validator']>;

/** A check answering an error message, or null when the value is fine. */
export type Check = (value: unknown) => string | null;

const str = (v: unknown) => (typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v));

export const checks = {
  required:
    (label: string): Check =>
    (v) => {
      if (Array.isArray(v)) return v.length ? null : `请选择${label}`;
      if (typeof v === 'boolean' || typeof v === 'number') return null;
      return str(v).trim() ? null : `请填写${label}`;
    },
  maxLength:
    (label: string, max: number): Check =>
    (v) =>
      str(v).length > max ? `${label}不能超过 ${max} 个字` : null,
  intRange:
    (label: string, min: number, max: number): Check =>
    (v) => {
      if (v === '' || v === null || v === undefined) return null;
      const n = Number(v);
      return Number.isInteger(n) && n >= min && n <= max ? null : `${label}应为 ${min}–${max} 的整数`;
    },
  pattern:
    (re: RegExp, message: string): Check =>
    (v) =>
      !str(v) || re.test(str(v)) ? null : message,
  uscc: (): Check => (v) => (!str(v) || isValidUscc(str(v).toUpperCase()) ? null : '统一社会信用代码不正确（18 位，末位校验码不符）'),
  mobile: (): Check => (v) => (!str(v) || isMainlandMobile(str(v)) ? null : '请输入正确的 11 位手机号码'),
  password: (): Check => (v) => {
    if (!str(v)) return null;
    const r = checkPasswordPolicy(str(v));
    return r.ok ? null : r.message;
  },
};

/** Runs checks in order; the first message wins. */
export function firstError(value: unknown, ...list: Check[]): string | null {
  for (const c of list) {
    const m = c(value);
    if (m) return m;
  }
  return null;
}

/** An element-plus rule from checks (validated on blur and on submit). */
export function rule(...list: Check[]): FormItemRule {
  const validator: Validator = (_rule, value, callback) => {
    const m = firstError(value, ...list);
    if (m) callback(new Error(m));
    else callback();
  };
  const required = list.some((c) => c(undefined) !== null && c('') !== null);
  return { validator, trigger: ['blur', 'change'], required };
}
