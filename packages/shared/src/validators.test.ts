import { describe, expect, it } from 'vitest';
import { checkPasswordPolicy, isMainlandMobile, isValidUscc, maskPhone, usccCheckChar } from './validators.ts';

describe('USCC (GB 32100-2015)', () => {
  it('accepts real codes and refuses a wrong check character', () => {
    expect(isValidUscc('91350100M000100Y43')).toBe(true);
    expect(isValidUscc('91350100M000100Y44')).toBe(false);
    const body = '91150207MA0N12345';
    expect(isValidUscc(body + usccCheckChar(body))).toBe(true);
    expect(isValidUscc(`${body}I`)).toBe(false);
  });
  it('refuses wrong lengths and letters outside the alphabet', () => {
    expect(isValidUscc('9135010')).toBe(false);
    expect(usccCheckChar('91350100M000100YO')).toBeNull();
  });
});

describe('phones and passwords', () => {
  it('knows mainland mobile numbers', () => {
    expect(isMainlandMobile('13800138000')).toBe(true);
    expect(isMainlandMobile('12800138000')).toBe(false);
    expect(isMainlandMobile('+8613800138000')).toBe(false);
    expect(maskPhone('13800138000')).toBe('138****8000');
  });
  it('asks for 8 characters and three classes, naming what is missing', () => {
    expect(checkPasswordPolicy('Ab1!')).toMatchObject({ ok: false, message: '密码至少 8 位' });
    expect(checkPasswordPolicy('abcdefgh')).toMatchObject({ ok: false });
    expect(checkPasswordPolicy('abcdefg1').ok).toBe(false);
    expect(checkPasswordPolicy('abcdef1!').ok).toBe(true);
    expect(checkPasswordPolicy('Admin@2025').ok).toBe(true);
  });
});
