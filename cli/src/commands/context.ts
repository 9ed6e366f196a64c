import type { GrokwatchClient } from '../client.js';

/** What every command gets: the client, output mode and its own arguments. */
export interface CommandContext {
  client: GrokwatchClient;
  json: boolean;
  args: string[];
  out: (text: string) => void;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A run given by id or by name. */
export async function resolveRun(ctx: CommandContext, ref: string): Promise<{ id: string; name: string }> {
  const data = await ctx.client.request<{ run: { id: string; name: string } | null }>(
    UUID.test(ref) ? 'query($v: ID) { run(id: $v) { id name } }' : 'query($v: String) { run(name: $v) { id name } }',
    { v: ref },
  );
  if (!data.run) throw new UsageError(`no run ${ref}`);
  return data.run;
}
