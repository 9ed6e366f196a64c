// One error class per failure kind; each carries the file (and tensor / field) it concerns so a
// caller can report "which checkpoint file, which tensor" without parsing the message.

export interface CheckpointErrorContext {
  /** Path of the file the problem was found in. */
  file?: string;
  /** Tensor name, when the problem concerns one tensor. */
  tensor?: string;
}

/** Base class: anything wrong with a checkpoint directory (config, shards, tensors). */
export class CheckpointError extends Error {
  override name = 'CheckpointError';
  readonly file: string | undefined;
  readonly tensor: string | undefined;

  constructor(message: string, context: CheckpointErrorContext = {}, options?: ErrorOptions) {
    super(formatMessage(message, context), options);
    this.file = context.file;
    this.tensor = context.tensor;
  }
}

/** config.json is missing, unparsable, names an unsupported architecture, or has a bad field. */
export class ConfigError extends CheckpointError {
  override name = 'ConfigError';
  readonly field: string | undefined;

  constructor(message: string, context: { file?: string; field?: string } = {}, options?: ErrorOptions) {
    super(context.field === undefined ? message : `field "${context.field}": ${message}`, { file: context.file }, options);
    this.field = context.field;
  }
}

/** A *.safetensors file (or its index) is malformed: header, dtype, offsets, sizes. */
export class SafetensorsError extends CheckpointError {
  override name = 'SafetensorsError';
}

/** The tensors present do not match what the config's architecture needs (missing, wrong shape). */
export class TensorMismatchError extends CheckpointError {
  override name = 'TensorMismatchError';
}

function formatMessage(message: string, context: CheckpointErrorContext): string {
  const where: string[] = [];
  if (context.file !== undefined) where.push(context.file);
  if (context.tensor !== undefined) where.push(`tensor "${context.tensor}"`);
  return where.length === 0 ? message : `${where.join(': ')}: ${message}`;
}
