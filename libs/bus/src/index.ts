export {
  CANCEL,
  EVENT_NAMES,
  EVENTS,
  eventOf,
  onJobStatusChange,
  publishStoredEvent,
  JOB_KINDS,
  JOB_STATUSES,
  JOBS,
  PROGRESS,
  type CancelRequest,
  type EventName,
  type EventPayload,
  type JobKind,
  type JobPayload,
  type JobProgress,
  type JobStatus,
} from './contracts.js';
export { busConfigFromEnv, stderrLogger } from './config.js';
export { connectBus } from './connect.js';
export { BusClosedError, BusConfigError, BusPayloadError, BusShutdownError, JobCancelledError, JobFailed } from './errors.js';
export { MemoryHub } from './memory/memory-hub.js';
export { BusNames } from './names.js';
export type {
  Bus,
  BusConfig,
  BusLogger,
  ConsumeOptions,
  JobContext,
  JobHandler,
  Stoppable,
  SubscribeOptions,
} from './types.js';
export { wrapJobHandlers } from './handler-wrap.js';
export { runTrackedJob, type TrackedJobLogger, type TrackedJobSpec, type TrackedRow, type TrackedStatus, type TrackedWork } from './tracked-job.js';
