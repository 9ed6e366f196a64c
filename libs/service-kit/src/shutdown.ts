import type { Logger } from 'pino';

/**
 * On SIGINT/SIGTERM runs the steps in order (workers first, so in-flight jobs end before the
 * database closes), then exits. A second signal exits at once.
 */
export function onShutdown(logger: Logger, steps: (() => Promise<void>)[]): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal }, 'shutting down');
    for (const step of steps) {
      try {
        await step();
      } catch (err) {
        logger.error({ err }, 'shutdown step failed');
      }
    }
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}
