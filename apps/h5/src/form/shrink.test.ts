import { describe, expect, it } from 'vitest';
import { fitWithin, jpegName, shouldShrink } from './shrink';

describe('shrinking phone photos before upload', () => {
  it('shrinks photos above 2 MB, never documents or small photos', () => {
    expect(shouldShrink({ name: 'IMG_0001.JPG', type: 'image/jpeg', size: 11 * 1024 * 1024 })).toBe(true);
    expect(shouldShrink({ name: 'screen.png', type: '', size: 3 * 1024 * 1024 })).toBe(true);
    expect(shouldShrink({ name: 'IMG_0002.jpg', type: 'image/jpeg', size: 800_000 })).toBe(false);
    expect(shouldShrink({ name: '合同.pdf', type: 'application/pdf', size: 9 * 1024 * 1024 })).toBe(false);
  });

  it('keeps the long side within 2560 px and never enlarges', () => {
    expect(fitWithin(4000, 3000)).toEqual({ width: 2560, height: 1920 });
    expect(fitWithin(3000, 4000)).toEqual({ width: 1920, height: 2560 });
    expect(fitWithin(1200, 900)).toEqual({ width: 1200, height: 900 });
  });

  it('names the result as the JPEG it is', () => {
    expect(jpegName('现场照片.png')).toBe('现场照片.jpg');
    expect(jpegName('photo')).toBe('photo.jpg');
  });
});
