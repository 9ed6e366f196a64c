import { parseArgs } from 'node:util';
import { readFile } from 'node:fs/promises';
import { table } from '../output.js';
import { resolveRun, UsageError, UUID, type CommandContext } from './context.js';
import { usageError } from '../usage.js';

const RUN_FIELDS = 'id name architecture tokenizer watchDir probeSetIds tasks thresholds';

export async function runsCommand(ctx: CommandContext): Promise<void> {
  const data = await ctx.client.request<{
    runs: { id: string; name: string; architecture: string; checkpointCount: number; latestCheckpoint: { step: number; status: string } | null }[];
  }>('{ runs(limit: 500) { id name architecture checkpointCount latestCheckpoint { step status } } }');
  if (ctx.json) return ctx.out(JSON.stringify(data.runs, null, 2));
  ctx.out(
    table(
      ['run', 'id', 'architecture', 'checkpoints', 'last step'],
      data.runs.map((r) => [r.name, r.id, r.architecture, r.checkpointCount, r.latestCheckpoint?.step]),
    ),
  );
}

const list = (v: string | undefined) =>
  v === undefined
    ? undefined
    : v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);

export async function runCreateCommand(ctx: CommandContext): Promise<void> {
  const { values, positionals } = parseArgs({
    args: ctx.args,
    allowPositionals: true,
    options: {
      architecture: { type: 'string', default: 'OlmoeForCausalLM' },
      tokenizer: { type: 'string' },
      watch: { type: 'string' },
      'probe-sets': { type: 'string' },
      tasks: { type: 'string' },
      thresholds: { type: 'string' },
    },
  });
  const name = positionals[0];
  if (!name) throw usageError('run create');
  const thresholds = list(values.thresholds)?.map(Number);
  const probeSetIds = await probeSetIdsOf(ctx, list(values['probe-sets']));
  const data = await ctx.client.request<{ createRun: Record<string, unknown> }>(`mutation($input: CreateRunInput!) { createRun(input: $input) { ${RUN_FIELDS} } }`, {
    input: {
      name,
      architecture: values.architecture,
      tokenizer: values.tokenizer,
      watchDir: values.watch,
      probeSetIds,
      tasks: list(values.tasks),
      thresholds,
    },
  });
  ctx.out(ctx.json ? JSON.stringify(data.createRun, null, 2) : `run ${name}: ${data.createRun.id as string}`);
}

const PROBE_SET_PAGE = 100;

/** Probe sets given by id or by name (as `probes add` named them). */
async function probeSetIdsOf(ctx: CommandContext, refs: string[] | undefined): Promise<string[] | undefined> {
  if (refs === undefined || refs.every((r) => UUID.test(r))) return refs;
  const byName = new Map<string, string>();
  for (let offset = 0; ; offset += PROBE_SET_PAGE) {
    const page = (
      await ctx.client.request<{ probeSets: { id: string; name: string }[] }>(`query($o: Int!) { probeSets(offset: $o, limit: ${PROBE_SET_PAGE}) { id name } }`, { o: offset })
    ).probeSets;
    for (const p of page) byName.set(p.name, p.id);
    if (page.length < PROBE_SET_PAGE) break;
  }
  return refs.map((r) => {
    if (UUID.test(r)) return r;
    const id = byName.get(r);
    if (id === undefined) throw new UsageError(`no probe set named ${r} (grokwatch probes add creates one)`);
    return id;
  });
}

export async function runConfigureCommand(ctx: CommandContext): Promise<void> {
  const { values, positionals } = parseArgs({
    args: ctx.args,
    allowPositionals: true,
    options: {
      tokenizer: { type: 'string' },
      'no-tokenizer': { type: 'boolean' },
      watch: { type: 'string' },
      'no-watch': { type: 'boolean' },
      'probe-sets': { type: 'string' },
      tasks: { type: 'string' },
      thresholds: { type: 'string' },
      'contamination-filter': { type: 'boolean' },
      'no-contamination-filter': { type: 'boolean' },
      'embedding-model': { type: 'string' },
      'no-embedding-model': { type: 'boolean' },
    },
  });
  const ref = positionals[0];
  const both = (a: unknown, b: unknown): boolean => a !== undefined && b === true;
  if (
    !ref ||
    both(values.tokenizer, values['no-tokenizer']) ||
    both(values.watch, values['no-watch']) ||
    both(values['contamination-filter'], values['no-contamination-filter']) ||
    both(values['embedding-model'], values['no-embedding-model'])
  ) {
    throw usageError('run configure');
  }
  const run = await resolveRun(ctx, ref);
  // Left out: unchanged; --no-X: cleared.
  const input: Record<string, unknown> = {
    probeSetIds: await probeSetIdsOf(ctx, list(values['probe-sets'])),
    tasks: list(values.tasks),
    thresholds: list(values.thresholds)?.map(Number),
  };
  if (values.tokenizer !== undefined || values['no-tokenizer']) input.tokenizer = values.tokenizer ?? null;
  if (values.watch !== undefined || values['no-watch']) input.watchDir = values.watch ?? null;
  if (values['contamination-filter'] || values['no-contamination-filter']) input.contaminationFilter = values['contamination-filter'] === true;
  if (values['embedding-model'] !== undefined || values['no-embedding-model']) input.embeddingModel = values['embedding-model'] ?? null;
  const data = await ctx.client.request<{ configureRun: Record<string, unknown> }>(
    `mutation($id: ID!, $input: RunSettingsInput!) { configureRun(id: $id, input: $input) { ${RUN_FIELDS} } }`,
    { id: run.id, input },
  );
  const r = data.configureRun;
  ctx.out(ctx.json ? JSON.stringify(r, null, 2) : `run ${run.name}: tokenizer ${String(r.tokenizer ?? '(none)')}, watch ${String(r.watchDir ?? '(none)')}`);
}

export async function runDeleteCommand(ctx: CommandContext): Promise<void> {
  const { values, positionals } = parseArgs({ args: ctx.args, allowPositionals: true, options: { yes: { type: 'boolean', default: false } } });
  const ref = positionals[0];
  if (!ref) throw usageError('run delete');
  const run = await resolveRun(ctx, ref);
  // Deleting is for good: say so unless told.
  if (!values.yes) throw new UsageError(`run delete removes ${run.name} and everything computed for it; add --yes to do it`);
  const data = await ctx.client.request<{ deleteRun: { runId: string; checkpoints: number } }>('mutation($id: ID!) { deleteRun(id: $id) { runId checkpoints } }', { id: run.id });
  ctx.out(ctx.json ? JSON.stringify(data.deleteRun) : `run ${run.name} deleted with ${data.deleteRun.checkpoints} checkpoints (their metrics and evaluations follow)`);
}

export async function probesDeleteCommand(ctx: CommandContext): Promise<void> {
  const { values, positionals } = parseArgs({ args: ctx.args, allowPositionals: true, options: { yes: { type: 'boolean', default: false } } });
  const ref = positionals[0];
  if (!ref) throw usageError('probes delete');
  const [id] = (await probeSetIdsOf(ctx, [ref]))!;
  if (!values.yes) throw new UsageError(`probes delete removes ${ref}, its routing and the metrics computed on it; add --yes to do it`);
  const data = await ctx.client.request<{ deleteProbeSet: { probeSetId: string; samples: number } }>('mutation($id: ID!) { deleteProbeSet(id: $id) { probeSetId samples } }', {
    id,
  });
  ctx.out(ctx.json ? JSON.stringify(data.deleteProbeSet) : `probe set ${ref} deleted with ${data.deleteProbeSet.samples} samples (its metrics follow)`);
}

export async function checkpointRegisterCommand(ctx: CommandContext): Promise<void> {
  const { values } = parseArgs({
    args: ctx.args,
    options: { run: { type: 'string' }, step: { type: 'string' }, uri: { type: 'string' }, tokens: { type: 'string' } },
  });
  if (!values.run || values.step === undefined || !values.uri) {
    throw usageError('checkpoint register');
  }
  const run = await resolveRun(ctx, values.run);
  const step = Number(values.step);
  const data = await ctx.client.request<{ registerCheckpoint: { id: string; step: number; status: string } }>(
    'mutation($input: RegisterCheckpointInput!) { registerCheckpoint(input: $input) { id step status } }',
    { input: { runId: run.id, step, uri: values.uri, tokensSeen: values.tokens === undefined ? null : Number(values.tokens) } },
  );
  ctx.out(ctx.json ? JSON.stringify(data.registerCheckpoint) : `checkpoint step ${step}: ${data.registerCheckpoint.id}`);
}

export async function probesAddCommand(ctx: CommandContext): Promise<void> {
  const { values, positionals } = parseArgs({
    args: ctx.args,
    allowPositionals: true,
    options: { domain: { type: 'string' }, file: { type: 'string' }, 'server-path': { type: 'string' } },
  });
  const name = positionals[0];
  if (!name || !values.domain || (values.file === undefined) === (values['server-path'] === undefined)) throw usageError('probes add');
  // --file is read here, relative to this shell, and its content sent; --server-path names a file on
  // the server, under its data roots.
  let source: { jsonl: string } | { path: string };
  if (values.file !== undefined) {
    try {
      source = { jsonl: await readFile(values.file, 'utf8') };
    } catch (err) {
      throw new UsageError(`cannot read ${values.file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  } else source = { path: values['server-path']! };
  const data = await ctx.client.request<{ createProbeSet: { id: string; sampleCount: number } }>(
    'mutation($input: CreateProbeSetInput!) { createProbeSet(input: $input) { id sampleCount } }',
    { input: { name, domain: values.domain, ...source } },
  );
  ctx.out(ctx.json ? JSON.stringify(data.createProbeSet) : `probe set ${name}: ${data.createProbeSet.id} (${data.createProbeSet.sampleCount} samples)`);
}
