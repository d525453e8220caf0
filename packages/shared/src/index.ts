export * from './calendar.ts';
export * from './color.ts';
export * from './enums.ts';
export * from './validators.ts';
