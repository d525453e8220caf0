import { beforeEach, describe, expect, it } from 'vitest';
import { clearDraft, hasContent, loadDraft, newDraft, once, saveDraft } from './draft';

beforeEach(() => localStorage.clear());

describe('the draft', () => {
  it('starts with the station district preset and a fresh idempotency key', () => {
    const a = newDraft('jy-court', '150207');
    const b = newDraft('jy-court', '150207');
    expect(a.form.districtCode).toBe('150207');
    expect(a.idempotencyKey).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a.idempotencyKey).not.toBe(b.idempotencyKey);
    expect(hasContent(a)).toBe(false);
  });

  it('survives a reload with its fields, attachments and idempotency key', () => {
    const d = newDraft('jy-court', '150207');
    d.form.title = '执行进度';
    d.form.uscc = '91350100M000100Y43';
    d.form.consent = true;
    d.attachments.push({ id: 'a1', name: '判决书.pdf', size: 1234, mime: 'application/pdf' });
    saveDraft(d);
    const back = loadDraft('jy-court');
    expect(back?.form).toEqual(d.form);
    expect(back?.attachments).toEqual(d.attachments);
    expect(back?.idempotencyKey).toBe(d.idempotencyKey);
    expect(back && hasContent(back)).toBe(true);
  });

  it('is kept per station', () => {
    const d = newDraft('jy-court', '150207');
    d.form.title = '九原';
    saveDraft(d);
    expect(loadDraft('kd-court')).toBeNull();
    expect(loadDraft('jy-court')?.form.title).toBe('九原');
  });

  it('is gone after submission, and ignored when unreadable or older than 30 days', () => {
    const d = newDraft('jy-court', '150207');
    saveDraft(d);
    clearDraft('jy-court');
    expect(loadDraft('jy-court')).toBeNull();

    localStorage.setItem('ys.h5.draft.jy-court', '{not json');
    expect(loadDraft('jy-court')).toBeNull();

    saveDraft(d);
    expect(loadDraft('jy-court', Date.now() + 31 * 24 * 3600_000)).toBeNull();
    expect(localStorage.getItem('ys.h5.draft.jy-court')).toBeNull();
  });

  it('drops malformed fields instead of trusting them', () => {
    localStorage.setItem(
      'ys.h5.draft.jy-court',
      JSON.stringify({
        form: { title: 42, consent: 'yes' },
        attachments: [{ id: 1 }, { id: 'ok', name: 'a.png' }],
        idempotencyKey: 'k',
        savedAt: new Date().toISOString(),
      }),
    );
    const d = loadDraft('jy-court');
    expect(d?.form.title).toBe('');
    expect(d?.form.consent).toBe(false);
    expect(d?.attachments).toEqual([{ id: 'ok', name: 'a.png' }]);
  });
});

describe('submitting once', () => {
  it('shares one running submission between a double tap, and allows another after it settles', async () => {
    let calls = 0;
    let release: () => void = () => {};
    const submit = once(
      () =>
        new Promise<number>((resolve) => {
          calls += 1;
          release = () => resolve(calls);
        }),
    );
    const first = submit();
    const second = submit();
    expect(first).toBe(second);
    release();
    expect(await first).toBe(1);
    expect(calls).toBe(1);
    const third = submit();
    release();
    expect(await third).toBe(2);
  });
});
