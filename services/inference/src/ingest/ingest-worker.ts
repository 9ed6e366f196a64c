// jobs.ingest handler: routing captured elsewhere and published on NATS, stored like the mutation does.
import { JobFailed, type Bus, type Stoppable } from '@grokwatch/bus';
import type { Logger } from '@grokwatch/service-kit';
import { GraphQLError } from 'graphql';
import type { InferenceService } from '../inference-service.js';
import { IngestError, parseIngestSample, parseRouterWeights } from './external-routing.js';

export function startIngestWorker(opts: { bus: Bus; inference: InferenceService; logger: Logger }): Promise<Stoppable> {
  return opts.bus.consumeJobs('ingest', async (job) => {
    const { jobId, checkpointId, probeSetId, samples, routerWeights } = job.payload;
    try {
      const result = await opts.inference.ingestRouting({
        checkpointId,
        probeSetId,
        samples: samples.map(parseIngestSample),
        routerWeights: routerWeights === undefined ? null : parseRouterWeights(routerWeights),
      });
      opts.logger.info({ jobId, ...result }, 'ingest job stored');
    } catch (err) {
      // Bad data stays bad on every redelivery: fail the job for good, with the reason.
      if (err instanceof IngestError || err instanceof GraphQLError) throw new JobFailed(err.message, { retry: false });
      throw err;
    }
  });
}
