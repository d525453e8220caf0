/**
 * The filing form's draft: kept in localStorage per station, so a reload, a call or WeChat dropping the
 * page in the background loses nothing. It carries the Idempotency-Key of its one submission, so
 * a retry after a lost answer files the demand once.
 */
import type { Attachment } from '@/api/public';
import { randomId } from '@/lib/ids';
import { emptyForm, type TicketForm } from './validation';

const PREFIX = 'ys.h5.draft.';
const MAX_AGE_MS = 30 * 24 * 3600_000;

export interface Draft {
  stationCode: string;
  form: TicketForm;
  attachments: Attachment[];
  idempotencyKey: string;
  savedAt: string;
}

export function newDraft(stationCode: string, districtCode: string): Draft {
  return { stationCode, form: emptyForm(districtCode), attachments: [], idempotencyKey: randomId(), savedAt: new Date().toISOString() };
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** The stored draft for a station, or null if there is none, it is unreadable, or older than 30 days. */
export function loadDraft(stationCode: string, now = Date.now()): Draft | null {
  let raw: string | null;
  try {
    raw = localStorage.getItem(PREFIX + stationCode);
  } catch {
    return null;
  }
  if (!raw) return null;
  try {
    const d = JSON.parse(raw) as Partial<Draft> & { form?: Partial<TicketForm> };
    if (!d || typeof d !== 'object' || !d.form || typeof d.idempotencyKey !== 'string') return null;
    if (!(now - Date.parse(str(d.savedAt)) < MAX_AGE_MS)) {
      clearDraft(stationCode);
      return null;
    }
    const f = d.form;
    const attachments = Array.isArray(d.attachments)
      ? d.attachments.filter((a): a is Attachment => !!a && typeof a.id === 'string' && typeof a.name === 'string')
      : [];
    return {
      stationCode,
      form: {
        categoryCode: str(f.categoryCode),
        districtCode: str(f.districtCode),
        enterpriseName: str(f.enterpriseName),
        uscc: str(f.uscc),
        contactName: str(f.contactName),
        contactPhone: str(f.contactPhone),
        title: str(f.title),
        content: str(f.content),
        consent: f.consent === true,
      },
      attachments,
      idempotencyKey: d.idempotencyKey,
      savedAt: str(d.savedAt),
    };
  } catch {
    return null;
  }
}

export function saveDraft(d: Draft): void {
  try {
    localStorage.setItem(PREFIX + d.stationCode, JSON.stringify({ ...d, savedAt: new Date().toISOString() }));
  } catch {
    /* storage full or disabled (private mode): the form still works, it just is not kept */
  }
}

export function clearDraft(stationCode: string): void {
  try {
    localStorage.removeItem(PREFIX + stationCode);
  } catch {
    /* nothing to clear */
  }
}

/** True when the user has typed or attached anything worth keeping (the preset district alone is not). */
export function hasContent(d: Draft): boolean {
  const f = d.form;
  return d.attachments.length > 0 || [f.categoryCode, f.enterpriseName, f.uscc, f.contactName, f.title, f.content].some((v) => v.trim() !== '');
}

/**
 * Wraps an async action so that calls while one is running share it: a double tap on 提交 sends one request.
 */
export function once<T>(action: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | null = null;
  return () => {
    if (!running) {
      running = action().finally(() => {
        running = null;
      });
    }
    return running;
  };
}
