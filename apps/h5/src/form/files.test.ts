import { describe, expect, it } from 'vitest';
import { ACCEPT, fileProblem, MAX_UPLOAD_BYTES } from './files';

describe('attachments', () => {
  it('accepts photos, PDF, Word and Excel files up to 10 MB', () => {
    expect(fileProblem({ name: 'IMG_0001.JPG', size: 3_000_000, type: 'image/jpeg' })).toBeNull();
    expect(fileProblem({ name: '合同.pdf', size: MAX_UPLOAD_BYTES, type: 'application/pdf' })).toBeNull();
    expect(fileProblem({ name: '清单.xlsx', size: 10_000, type: '' })).toBeNull();
    expect(fileProblem({ name: 'photo', size: 10_000, type: 'image/webp' })).toBeNull();
  });

  it('refuses an 11 MB photo before sending it, saying why', () => {
    expect(fileProblem({ name: 'big.jpg', size: 11 * 1024 * 1024, type: 'image/jpeg' })).toContain('超过 10 MB');
  });

  it('refuses other types, naming the ones allowed', () => {
    const msg = fileProblem({ name: 'video.mp4', size: 1000, type: 'video/mp4' });
    expect(msg).toContain('类型不支持');
    expect(msg).toContain('jpg、png、webp');
    expect(fileProblem({ name: 'old.doc', size: 1000, type: 'application/msword' })).toContain('类型不支持');
  });

  it('lists the allowed types for the file picker', () => {
    expect(ACCEPT).toContain('image/jpeg');
    expect(ACCEPT).toContain('.docx');
  });
});
