/** How many codes this phone asked for today (Beijing date), to show the daily limit before it bites. */
import { formatDate } from './format';

export const OTP_DAILY_LIMIT = 10;
export const OTP_INTERVAL_SECONDS = 60;

function key(phone: string, now: Date): string {
  return `ys.h5.otp.${formatDate(now.toISOString())}.${phone}`;
}

export function sentToday(phone: string, now = new Date()): number {
  try {
    const n = Number(localStorage.getItem(key(phone, now)) ?? '0');
    return Number.isFinite(n) ? n : 0;
  } catch {
    return 0;
  }
}

export function countSend(phone: string, now = new Date()): number {
  const n = sentToday(phone, now) + 1;
  try {
    localStorage.setItem(key(phone, now), String(n));
  } catch {
    /* storage disabled */
  }
  return n;
}

/** Only same-app paths may be a redirect target after sign-in. */
export function safeRedirect(target: unknown): string | null {
  return typeof target === 'string' && target.startsWith('/') && !target.startsWith('//') ? target : null;
}
