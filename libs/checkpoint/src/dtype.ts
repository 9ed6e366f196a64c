// The safetensors element types grokwatch accepts, with their sizes in bytes.

export const SAFETENSORS_DTYPES = ['F64', 'F32', 'F16', 'BF16', 'I64', 'I32', 'I16', 'I8', 'U8', 'BOOL'] as const;

export type SafetensorsDtype = (typeof SAFETENSORS_DTYPES)[number];

/** Floating dtypes a model weight may have. */
export type WeightDtype = 'F32' | 'F16' | 'BF16';

export const DTYPE_ITEMSIZE: Readonly<Record<SafetensorsDtype, number>> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

export function isSafetensorsDtype(value: unknown): value is SafetensorsDtype {
  return typeof value === 'string' && (SAFETENSORS_DTYPES as readonly string[]).includes(value);
}

export function isWeightDtype(dtype: SafetensorsDtype): dtype is WeightDtype {
  return dtype === 'F32' || dtype === 'F16' || dtype === 'BF16';
}
