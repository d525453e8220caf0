/** Field validators shared by the API and both front ends. */

const USCC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** The check character of the first 17 characters of a USCC (GB 32100-2015), or null if they are not valid. */
export function usccCheckChar(first17: string): string | null {
  if (!/^[0-9A-HJ-NPQRTUWXY]{17}$/.test(first17)) return null;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_CHARS.indexOf(first17.charAt(i)) * (USCC_WEIGHTS[i] ?? 0);
  const c = 31 - (sum % 31);
  return USCC_CHARS.charAt(c === 31 ? 0 : c);
}

/** 统一社会信用代码: 18 characters, the last one the GB 32100-2015 check character. */
export function isValidUscc(value: string): boolean {
  if (typeof value !== 'string' || value.length !== 18) return false;
  const v = value.toUpperCase();
  return usccCheckChar(v.slice(0, 17)) === v.charAt(17);
}

/** Mainland China mobile numbers (11 digits, 13x–19x). */
export function isMainlandMobile(value: string): boolean {
  return typeof value === 'string' && /^1[3-9]\d{9}$/.test(value);
}

/** 138****8000 — for logs and for anything a third party reads. */
export function maskPhone(phone: string): string {
  return phone.length >= 7 ? `${phone.slice(0, 3)}****${phone.slice(-4)}` : '****';
}

export type PasswordCheck = { ok: true } | { ok: false; message: string };

/** At least 8 characters with three of: upper case, lower case, digit, symbol. */
export function checkPasswordPolicy(password: string): PasswordCheck {
  if (typeof password !== 'string' || password.length < 8) return { ok: false, message: '密码至少 8 位' };
  if (password.length > 128) return { ok: false, message: '密码不能超过 128 位' };
  const classes = [
    { re: /[A-Z]/, name: '大写字母' },
    { re: /[a-z]/, name: '小写字母' },
    { re: /\d/, name: '数字' },
    { re: /[^A-Za-z0-9]/, name: '符号' },
  ];
  const missing = classes.filter((c) => !c.re.test(password)).map((c) => c.name);
  if (missing.length > 1) {
    return { ok: false, message: `密码需包含大写字母、小写字母、数字、符号中的至少三类，当前缺少：${missing.join('、')}` };
  }
  return { ok: true };
}

/** Station codes are printed in QR codes and URLs: short, URL-safe. */
export const STATION_CODE_PATTERN = '^[A-Za-z0-9_-]{2,32}$';
