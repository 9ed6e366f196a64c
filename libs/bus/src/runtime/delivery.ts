/** One delivery of a persisted message (a job or an event), broker-independent. */
export interface Delivery {
  /** The JSON payload bytes as published. */
  readonly data: Uint8Array;
  /** 1-based delivery count of this message on this consumer. */
  readonly attempt: number;
  ack(): void;
  /** Redeliver after `delayMs` (0: at once). */
  nak(delayMs: number): void;
  /** Never redeliver. */
  term(reason: string): void;
  /** In-progress heartbeat: restarts the ackWait clock. */
  working(): void;
}

/** Where a consumer's deliveries come from (a JetStream pull consumer, or the in-memory hub). */
export interface DeliverySource {
  /**
   * Yields at most `max` deliveries, ending once `max` arrived or after about a second without
   * enough; ends early when `signal` aborts (the NATS source only at the end of its pull).
   */
  pull(max: number, signal: AbortSignal): AsyncIterable<Delivery>;
}
