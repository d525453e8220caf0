import { ERROR_CODES, type ErrorCode } from '@ys/shared';

/** The one error type of the API: a code of DESIGN §6, its HTTP status, and a message a person can read. */
export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'AppError';
    this.status = ERROR_CODES[code];
  }
}

export const notFound = (what = '资源') => new AppError('NOT_FOUND', `${what}不存在`);
export const validation = (message: string) => new AppError('VALIDATION_FAILED', message);
export const conflict = (message: string) => new AppError('CONFLICT', message);
export const invalidTransition = (message = '当前状态不允许该操作') => new AppError('INVALID_TRANSITION', message);
