// A transactional outbox: an event is written in the same transaction as the state it announces, and
// a relay publishes it after commit, retrying until the bus takes it. A mutation committed while the
// bus is down is announced when the bus is back, instead of being stored and never acted on.
import { sql, type Migration } from 'kysely';
import type { AnyKysely } from './migrate.js';

export interface OutboxEvent {
  readonly name: string;
  readonly payload: Record<string, unknown>;
}

/** The migration that creates `<schema>.outbox`; each service owns the outbox of its schema. */
export function outboxMigration(schema: string): Migration {
  return {
    async up(db: AnyKysely) {
      await db.schema
        .withSchema(schema)
        .createTable('outbox')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('payload', 'jsonb', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
    },
  };
}

/** Adds an event to the outbox inside the caller's transaction (or on its own when `db` is no transaction). */
export async function enqueueEvent(db: AnyKysely, schema: string, event: OutboxEvent): Promise<void> {
  await sql`insert into ${sql.table(`${schema}.outbox`)} (name, payload) values (${event.name}, ${JSON.stringify(event.payload)}::jsonb)`.execute(db);
}

export interface OutboxRelayOptions {
  db: AnyKysely;
  schema: string;
  /** Publishes one event; a throw leaves it (and those after it) for the next attempt. */
  publish(event: OutboxEvent): Promise<void>;
  /** Called with each failed attempt (the relay keeps going). */
  onError?(err: unknown): void;
  /** How often the outbox is read when nobody calls wake(); default 1 s. */
  pollMs?: number;
  batch?: number;
}

export interface OutboxRelay {
  /** Reads the outbox now (after a commit that added to it). */
  wake(): void;
  /** Resolves once the outbox was empty at some point after the call (tests, shutdown). */
  drained(): Promise<void>;
  stop(): Promise<void>;
}

const MAX_BACKOFF_MS = 10_000;

/**
 * Publishes the outbox in id order. Rows are locked (`for update skip locked`) while published and
 * deleted in the same transaction, so two relays of one schema never publish the same row at once;
 * a relay killed between publish and commit leaves the row, which is published again: delivery is
 * at least once, as every consumer of the bus already assumes.
 */
export function startOutboxRelay(opts: OutboxRelayOptions): OutboxRelay {
  const pollMs = opts.pollMs ?? 1_000;
  const batch = opts.batch ?? 100;
  const table = sql.table(`${opts.schema}.outbox`);
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let again = false;
  let failures = 0;
  let waiters: (() => void)[] = [];

  /** One pass: publishes what is there, batch by batch; true when the outbox is empty. */
  const pass = async (): Promise<boolean> => {
    for (;;) {
      const { read, failure } = await opts.db.transaction().execute(async (tx) => {
        const rows = (
          await sql<{ id: string; name: string; payload: Record<string, unknown> }>`
          select id, name, payload from ${table} order by id limit ${batch} for update skip locked`.execute(tx)
        ).rows;
        const sent: string[] = [];
        let failed: { err: unknown } | null = null;
        for (const row of rows) {
          try {
            await opts.publish({ name: row.name, payload: row.payload });
          } catch (err) {
            failed = { err };
            break;
          }
          sent.push(row.id);
        }
        // What went out is deleted and committed even when a later row failed: it is not published twice.
        if (sent.length > 0) await sql`delete from ${table} where id = any(${sent}::bigint[])`.execute(tx);
        return { read: rows.length, failure: failed };
      });
      if (failure !== null) throw failure.err;
      if (read < batch) return true;
    }
  };

  const schedule = (ms: number): void => {
    if (stopped) return;
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(run, ms);
    timer.unref();
  };

  function run(): void {
    if (stopped) return;
    if (running !== null) {
      again = true;
      return;
    }
    again = false;
    running = pass()
      .then(
        (empty) => {
          failures = 0;
          if (empty) {
            const w = waiters;
            waiters = [];
            for (const resolve of w) resolve();
          }
          schedule(again ? 0 : pollMs);
        },
        (err: unknown) => {
          failures += 1;
          opts.onError?.(err);
          schedule(Math.min(MAX_BACKOFF_MS, 250 * 2 ** Math.min(failures, 6)));
        },
      )
      .finally(() => {
        running = null;
      });
  }

  schedule(0);
  return {
    wake: () => schedule(0),
    drained: () =>
      new Promise<void>((resolve) => {
        waiters.push(resolve);
        schedule(0);
      }),
    async stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      await running;
      for (const resolve of waiters) resolve();
      waiters = [];
    },
  };
}
