/**
 * Phone photos are often 4–15 MB: larger than the 10 MB limit and slow over 4G. Photos above 2 MB are
 * redrawn at most 2560 px on the long side as JPEG before upload; anything that cannot be decoded, or
 * does not get smaller, is sent as it is (and the size check then speaks).
 */

export const SHRINK_ABOVE_BYTES = 2 * 1024 * 1024;
export const SHRINK_MAX_SIDE = 2560;
const QUALITY = 0.85;

const SHRINKABLE = /^image\/(jpeg|png|webp)$/;

export function shouldShrink(file: { type: string; size: number; name: string }): boolean {
  const type =
    file.type || (/\.(jpe?g)$/i.test(file.name) ? 'image/jpeg' : /\.png$/i.test(file.name) ? 'image/png' : /\.webp$/i.test(file.name) ? 'image/webp' : '');
  return SHRINKABLE.test(type) && file.size > SHRINK_ABOVE_BYTES;
}

/** 现场照片.png → 现场照片.jpg */
export function jpegName(name: string): string {
  const dot = name.lastIndexOf('.');
  return `${dot > 0 ? name.slice(0, dot) : name}.jpg`;
}

/** The size to draw at: the long side at most `maxSide`, never enlarged. */
export function fitWithin(width: number, height: number, maxSide = SHRINK_MAX_SIDE): { width: number; height: number } {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

async function decode(file: File): Promise<{ source: CanvasImageSource; width: number; height: number; close(): void }> {
  if (typeof createImageBitmap === 'function') {
    const bitmap = await createImageBitmap(file);
    return { source: bitmap, width: bitmap.width, height: bitmap.height, close: () => bitmap.close() };
  }
  const url = URL.createObjectURL(file);
  const img = new Image();
  img.src = url;
  await img.decode();
  return { source: img, width: img.naturalWidth, height: img.naturalHeight, close: () => URL.revokeObjectURL(url) };
}

export async function shrinkPhoto(file: File): Promise<File> {
  if (!shouldShrink(file)) return file;
  try {
    const image = await decode(file);
    const size = fitWithin(image.width, image.height);
    const canvas = document.createElement('canvas');
    canvas.width = size.width;
    canvas.height = size.height;
    const ctx = canvas.getContext('2d');
    if (!ctx) return file;
    // JPEG has no transparency: a transparent PNG would turn black without a white ground.
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, size.width, size.height);
    ctx.drawImage(image.source, 0, 0, size.width, size.height);
    image.close();
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', QUALITY));
    if (!blob || blob.size >= file.size) return file;
    return new File([blob], jpegName(file.name), { type: 'image/jpeg', lastModified: file.lastModified });
  } catch {
    return file;
  }
}
