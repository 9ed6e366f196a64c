// A run's automation: watched folders register checkpoints, registered checkpoints are captured
// with the run's probe sets (the metrics and evaluation services react to their own events).
import type { Bus, Stoppable } from '@grokwatch/bus';
import type { Logger } from '@grokwatch/service-kit';
import type { InferenceService } from '../inference-service.js';
import { startCheckpointWatcher } from './checkpoint-watcher.js';

export interface RunPipelineOptions {
  bus: Bus;
  inference: InferenceService;
  logger: Logger;
  /** 0 disables folder watching (checkpoints then come from the mutation or the NATS event). */
  watchIntervalMs?: number;
}

export async function startRunPipeline(opts: RunPipelineOptions): Promise<Stoppable> {
  const events = await opts.bus.subscribeEvents('checkpoint.registered', (e) => opts.inference.onCheckpointRegistered(e), { durable: 'inference-run-pipeline' });
  const watcher = opts.watchIntervalMs === 0 ? null : startCheckpointWatcher({ inference: opts.inference, logger: opts.logger, intervalMs: opts.watchIntervalMs });
  return {
    async stop() {
      await watcher?.stop();
      await events.stop();
    },
  };
}
