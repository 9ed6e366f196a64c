import { parseArgs } from 'node:util';
import { waitForJob, type JobState } from '../wait.js';
import { UsageError, type CommandContext } from './context.js';
import { usageError } from '../usage.js';

async function finish(ctx: CommandContext, label: string, state: JobState & { id: string }): Promise<void> {
  if (ctx.json) ctx.out(JSON.stringify(state));
  else ctx.out(`${label} ${state.id}: ${state.status} (${state.done}/${state.total})${state.error ? `: ${state.error}` : ''}`);
  if (state.status === 'failed') process.exitCode = 1;
}

export async function captureCommand(ctx: CommandContext): Promise<void> {
  const { values } = parseArgs({
    args: ctx.args,
    options: { checkpoint: { type: 'string' }, 'probe-set': { type: 'string' }, wait: { type: 'boolean', default: false } },
  });
  if (!values.checkpoint || !values['probe-set']) throw usageError('capture');
  const FIELDS = 'id status done total error';
  const { startCapture: job } = await ctx.client.request<{ startCapture: JobState & { id: string } }>(
    `mutation($input: StartCaptureInput!) { startCapture(input: $input) { ${FIELDS} } }`,
    { input: { checkpointId: values.checkpoint, probeSetId: values['probe-set'] } },
  );
  if (!values.wait) return finish(ctx, 'capture', job);
  const state = await waitForJob(
    ctx.client,
    'capture',
    job.id,
    async () => (await ctx.client.request<{ captureJob: JobState }>(`query($id: ID!) { captureJob(id: $id) { ${FIELDS} } }`, { id: job.id })).captureJob,
    { quiet: ctx.json },
  );
  return finish(ctx, 'capture', { ...state, id: job.id });
}

export async function evaluateCommand(ctx: CommandContext): Promise<void> {
  const { values } = parseArgs({
    args: ctx.args,
    options: { checkpoint: { type: 'string' }, task: { type: 'string' }, limit: { type: 'string' }, wait: { type: 'boolean', default: false } },
  });
  if (!values.checkpoint || !values.task) throw usageError('eval');
  const FIELDS = 'id status done total error';
  const { startEvaluation: job } = await ctx.client.request<{ startEvaluation: JobState & { id: string } }>(
    `mutation($input: StartEvaluationInput!) { startEvaluation(input: $input) { ${FIELDS} } }`,
    { input: { checkpointId: values.checkpoint, task: values.task, ...(values.limit ? { limit: Number(values.limit) } : {}) } },
  );
  if (!values.wait) return finish(ctx, 'evaluation', job);
  const state = await waitForJob(
    ctx.client,
    'evaluation',
    job.id,
    async () => (await ctx.client.request<{ evaluationJob: JobState }>(`query($id: ID!) { evaluationJob(id: $id) { ${FIELDS} } }`, { id: job.id })).evaluationJob,
    { quiet: ctx.json },
  );
  // Waiting is for the result: the scores come with the final state.
  const { evaluationJob } = await ctx.client.request<{ evaluationJob: { scores: Score[] } }>('query($id: ID!) { evaluationJob(id: $id) { scores { metric value stderr n } } }', {
    id: job.id,
  });
  const done = { ...state, id: job.id, scores: evaluationJob.scores };
  if (ctx.json) {
    ctx.out(JSON.stringify(done));
    if (state.status === 'failed') process.exitCode = 1;
    return;
  }
  await finish(ctx, 'evaluation', done);
  for (const s of evaluationJob.scores) ctx.out(`  ${s.metric} ${s.value.toFixed(4)}${s.stderr === null ? '' : ` ± ${s.stderr.toFixed(4)}`}${s.n === null ? '' : ` (n=${s.n})`}`);
}

interface Score {
  metric: string;
  value: number;
  stderr: number | null;
  n: number | null;
}
