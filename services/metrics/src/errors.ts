// Errors of the metrics service that are about the data, not the code: a job that meets one fails
// for good (no redelivery can fix stored data) and its message says where the bad data is.

export interface MetricsInputContext {
  checkpointId: string;
  probeSetId: string;
  /** Position of the sample in its probe set (inference.sample.idx). */
  sample?: number;
  sampleId?: string;
  /** MoE layer, 0-based. */
  layer?: number;
}

/** Stored routing or router matrices cannot be used: missing, wrong shape, invalid values. */
export class MetricsInputError extends Error {
  override readonly name = 'MetricsInputError';
  readonly checkpointId: string;
  readonly probeSetId: string;
  readonly sample: number | undefined;
  readonly sampleId: string | undefined;
  readonly layer: number | undefined;

  constructor(message: string, context: MetricsInputContext, options?: { cause?: unknown }) {
    super(`${where(context)}: ${message}`, options);
    this.checkpointId = context.checkpointId;
    this.probeSetId = context.probeSetId;
    this.sample = context.sample;
    this.sampleId = context.sampleId;
    this.layer = context.layer;
  }
}

function where(c: MetricsInputContext): string {
  const parts = [`checkpoint ${c.checkpointId}`, `probe set ${c.probeSetId}`];
  if (c.sample !== undefined) parts.push(`sample ${c.sample}${c.sampleId === undefined ? '' : ` (${c.sampleId})`}`);
  if (c.layer !== undefined) parts.push(`layer ${c.layer}`);
  return parts.join(', ');
}
