// Polls each run's watch folder for new `step<N>*` checkpoint folders and registers them.
// Polling rather than fs.watch: it behaves the same on network filesystems and in containers, and
// a folder only counts once its config.json is there (trainers write to a temp name, then rename).
import { access, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Stoppable } from '@grokwatch/bus';
import type { Logger } from '@grokwatch/service-kit';
import type { InferenceService } from '../inference-service.js';
import { parseCheckpointFolder } from './folder-name.js';

export interface CheckpointWatcherOptions {
  inference: InferenceService;
  logger: Logger;
  intervalMs?: number;
}

export function startCheckpointWatcher(opts: CheckpointWatcherOptions): Stoppable & { scan(): Promise<number> } {
  const seen = new Set<string>();
  let timer: NodeJS.Timeout | null = null;
  let scanning: Promise<number> | null = null;
  let stopped = false;
  /** Folders whose registration failed, with the run tokenizer they failed under. */
  const refused = new Map<string, string | null>();

  async function scanOnce(): Promise<number> {
    let registered = 0;
    for (const run of await opts.inference.store.listWatchedRuns()) {
      const dir = run.watch_dir!;
      let entries: string[];
      try {
        entries = await readdir(dir);
      } catch (err) {
        opts.logger.warn({ runId: run.id, dir, err: (err as Error).message }, 'cannot read watch folder');
        continue;
      }
      for (const name of entries.sort()) {
        const key = `${run.id}/${name}`;
        if (seen.has(key)) continue;
        // A refused folder (no tokenizer, another architecture) is tried again once the run's tokenizer changes.
        if (refused.has(key) && refused.get(key) === run.tokenizer) continue;
        const parsed = parseCheckpointFolder(name);
        if (!parsed) continue;
        const uri = join(dir, name);
        if (
          !(await access(join(uri, 'config.json')).then(
            () => true,
            () => false,
          ))
        )
          continue;
        try {
          await opts.inference.registerCheckpoint({ runId: run.id, step: parsed.step, tokensSeen: parsed.tokensSeen, uri });
          registered += 1;
          refused.delete(key);
          seen.add(key);
        } catch (err) {
          opts.logger.error({ runId: run.id, uri, err: (err as Error).message }, 'cannot register watched checkpoint');
          refused.set(key, run.tokenizer);
        }
      }
    }
    return registered;
  }

  const scan = (): Promise<number> => {
    scanning ??= scanOnce().finally(() => (scanning = null));
    return scanning;
  };

  const tick = () => {
    if (stopped) return;
    scan()
      .catch((err: unknown) => opts.logger.error({ err: (err as Error).message }, 'checkpoint watch failed'))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, opts.intervalMs ?? 2000);
      });
  };
  tick();

  return {
    scan,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await scanning;
    },
  };
}
