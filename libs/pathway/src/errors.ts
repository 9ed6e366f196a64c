// One error class for the whole science library. It carries where the bad input is (argument,
// sample, layer, checkpoint, position) as fields, so a service can report "probe set X, sample 12,
// layer 3" without parsing the message.

export interface PathwayErrorContext {
  /** Name of the argument or option that is wrong, e.g. "tau" or "g". */
  argument?: string;
  /** Index of the sample (row) concerned. */
  sample?: number;
  /** Index of the MoE layer concerned (0-based). */
  layer?: number;
  /** Index of the checkpoint (column of a per-checkpoint table) concerned. */
  checkpoint?: number;
  /** Any other position: element, token, expert, group index. */
  index?: number;
}

/** Bad input to a pathway-metric function: wrong shape, non-finite number, empty group, option out of range. */
export class PathwayError extends Error {
  override name = 'PathwayError';
  /** The message without its location prefix: what is wrong, for a caller that names the place itself. */
  readonly detail: string;
  readonly argument: string | undefined;
  readonly sample: number | undefined;
  readonly layer: number | undefined;
  readonly checkpoint: number | undefined;
  readonly index: number | undefined;

  constructor(message: string, context: PathwayErrorContext = {}, options?: ErrorOptions) {
    super(formatMessage(message, context), options);
    this.detail = message;
    this.argument = context.argument;
    this.sample = context.sample;
    this.layer = context.layer;
    this.checkpoint = context.checkpoint;
    this.index = context.index;
  }
}

function formatMessage(message: string, context: PathwayErrorContext): string {
  const where: string[] = [];
  if (context.argument !== undefined) where.push(`${context.argument}`);
  if (context.sample !== undefined) where.push(`sample ${context.sample}`);
  if (context.layer !== undefined) where.push(`layer ${context.layer}`);
  if (context.checkpoint !== undefined) where.push(`checkpoint ${context.checkpoint}`);
  if (context.index !== undefined) where.push(`index ${context.index}`);
  return where.length === 0 ? message : `${where.join(', ')}: ${message}`;
}
