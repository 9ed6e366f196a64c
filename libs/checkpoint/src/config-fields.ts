// Typed reads of config.json fields: every bad value becomes a ConfigError naming the field and file.

import { ConfigError } from './errors.js';

export class ConfigFields {
  constructor(
    readonly raw: Readonly<Record<string, unknown>>,
    readonly file: string,
  ) {}

  fail(field: string, message: string): never {
    throw new ConfigError(message, { file: this.file, field });
  }

  has(field: string): boolean {
    return this.raw[field] !== undefined && this.raw[field] !== null;
  }

  positiveInt(field: string, fallback?: number): number {
    const value = this.raw[field] ?? fallback;
    if (value === undefined) this.fail(field, 'is required');
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
      this.fail(field, `must be a positive integer, got ${JSON.stringify(value)}`);
    }
    return value;
  }

  nonNegativeInt(field: string, fallback?: number): number {
    const value = this.raw[field] ?? fallback;
    if (value === undefined) this.fail(field, 'is required');
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      this.fail(field, `must be a non-negative integer, got ${JSON.stringify(value)}`);
    }
    return value;
  }

  optionalPositiveInt(field: string): number | null {
    return this.has(field) ? this.positiveInt(field) : null;
  }

  positiveNumber(field: string, fallback?: number): number {
    const value = this.raw[field] ?? fallback;
    if (value === undefined) this.fail(field, 'is required');
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      this.fail(field, `must be a positive number, got ${JSON.stringify(value)}`);
    }
    return value;
  }

  optionalPositiveNumber(field: string): number | null {
    return this.has(field) ? this.positiveNumber(field) : null;
  }

  bool(field: string, fallback: boolean): boolean {
    const value = this.raw[field] ?? fallback;
    if (typeof value !== 'boolean') this.fail(field, `must be true or false, got ${JSON.stringify(value)}`);
    return value;
  }

  string(field: string, fallback: string): string {
    const value = this.raw[field] ?? fallback;
    if (typeof value !== 'string') this.fail(field, `must be a string, got ${JSON.stringify(value)}`);
    return value;
  }

  optionalString(field: string): string | null {
    return this.has(field) ? this.string(field, '') : null;
  }

  /** An optional token id (null when absent). */
  tokenId(field: string): number | null {
    return this.has(field) ? this.nonNegativeInt(field) : null;
  }

  /** A token id or list of token ids (HF allows both for eos_token_id). */
  tokenIds(field: string): number[] {
    const value = this.raw[field];
    if (value === undefined || value === null) return [];
    const list = Array.isArray(value) ? value : [value];
    for (const id of list) {
      if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) {
        this.fail(field, `must be a token id or a list of token ids, got ${JSON.stringify(value)}`);
      }
    }
    return list as number[];
  }

  intList(field: string): number[] {
    const value = this.raw[field];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'number' && Number.isSafeInteger(v))) {
      this.fail(field, `must be a list of integers, got ${JSON.stringify(value)}`);
    }
    return value as number[];
  }

  optionalObject(field: string): Readonly<Record<string, unknown>> | null {
    const value = this.raw[field];
    if (value === undefined || value === null) return null;
    if (typeof value !== 'object' || Array.isArray(value)) this.fail(field, `must be an object, got ${JSON.stringify(value)}`);
    return value as Record<string, unknown>;
  }
}
