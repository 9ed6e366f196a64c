// Alerts leave by webhook too (GROKWATCH_WEBHOOK_URL): one POST per alert, best effort.
import type { Logger } from '@grokwatch/service-kit';

/** Best effort: an unreachable webhook is logged, never fails the computation. */
export async function postWebhook(url: string, body: unknown, logger: Logger): Promise<void> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(5000),
    });
    if (!res.ok) logger.warn({ url, status: res.status }, 'alert webhook refused the alert');
  } catch (err) {
    logger.warn({ url, err: (err as Error).message }, 'alert webhook unreachable');
  }
}
