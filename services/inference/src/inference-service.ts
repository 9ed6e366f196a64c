// The inference service's use cases: validate, store, publish. Resolvers and bus handlers call these.
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { Bus } from '@grokwatch/bus';
import { badInput, notFound, userError, type Logger } from '@grokwatch/service-kit';
import { parseProbeJsonl, ProbeRowError, toProbeRow, type ProbeRow } from './probe-set/probe-rows.js';
import {
  ConflictError,
  type CaptureJob,
  type Checkpoint,
  type InferenceStore,
  type ProbeSet,
  type Run,
} from './store/inference-store.js';

export interface CreateRunInput { name: string; architecture: string; tokenizer?: string | null }
export interface RegisterCheckpointInput { runId: string; step: number; tokensSeen?: number | null; uri: string }
export interface CreateProbeSetInput {
  name: string;
  domain: string;
  path?: string | null;
  rows?: { id?: string | null; text: string; group?: string | null }[] | null;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,199}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function requireName(field: string, value: string): string {
  const v = value.trim();
  if (!NAME.test(v)) {
    throw badInput(`${field} must be 1-200 characters of letters, digits and . _ : / @ + - (got "${value}")`, { field });
  }
  return v;
}

/** Ids are UUIDs; checking the shape first turns a typo into NOT_FOUND rather than a SQL error. */
export function isUuid(id: string): boolean {
  return UUID.test(id);
}

function conflictToGraphQL<T>(p: Promise<T>): Promise<T> {
  return p.catch((err: unknown) => {
    if (err instanceof ConflictError) throw userError('CONFLICT', err.message);
    throw err;
  });
}

export interface InferenceServiceOptions {
  store: InferenceStore;
  bus: Bus;
  logger: Logger;
  /** Relative probe-set paths resolve against this folder. */
  workingDir?: string;
}

export class InferenceService {
  readonly store: InferenceStore;
  private readonly bus: Bus;
  private readonly logger: Logger;
  private readonly workingDir: string;

  constructor(opts: InferenceServiceOptions) {
    this.store = opts.store;
    this.bus = opts.bus;
    this.logger = opts.logger;
    this.workingDir = opts.workingDir ?? process.cwd();
  }

  async createRun(input: CreateRunInput): Promise<Run> {
    const name = requireName('name', input.name);
    const architecture = requireName('architecture', input.architecture);
    const run = await conflictToGraphQL(this.store.createRun({ name, architecture, tokenizer: input.tokenizer ?? null }));
    await this.bus.publishEvent('run.created', { runId: run.id });
    this.logger.info({ runId: run.id, name }, 'run created');
    return run;
  }

  async requireRun(id: string): Promise<Run> {
    const run = isUuid(id) ? await this.store.getRun(id) : undefined;
    if (!run) throw notFound('run', id);
    return run;
  }

  async requireCheckpoint(id: string): Promise<Checkpoint> {
    const checkpoint = isUuid(id) ? await this.store.getCheckpoint(id) : undefined;
    if (!checkpoint) throw notFound('checkpoint', id);
    return checkpoint;
  }

  async requireProbeSet(id: string): Promise<ProbeSet> {
    const probeSet = isUuid(id) ? await this.store.getProbeSet(id) : undefined;
    if (!probeSet) throw notFound('probe set', id);
    return probeSet;
  }

  async registerCheckpoint(input: RegisterCheckpointInput): Promise<Checkpoint> {
    if (!Number.isSafeInteger(input.step) || input.step < 0) {
      throw badInput(`step must be a non-negative integer (got ${input.step})`, { field: 'step' });
    }
    const tokensSeen = input.tokensSeen ?? null;
    if (tokensSeen !== null && (!Number.isFinite(tokensSeen) || tokensSeen < 0)) {
      throw badInput(`tokensSeen must be a non-negative number (got ${tokensSeen})`, { field: 'tokensSeen' });
    }
    const uri = input.uri.trim();
    if (uri.length === 0) throw badInput('uri must not be empty', { field: 'uri' });
    const run = await this.requireRun(input.runId);
    const { checkpoint, created } = await conflictToGraphQL(
      this.store.registerCheckpoint({ runId: run.id, step: input.step, tokensSeen, uri }),
    );
    if (created) {
      await this.bus.publishEvent('checkpoint.registered', {
        checkpointId: checkpoint.id, runId: run.id, step: Number(checkpoint.step), uri,
      });
      this.logger.info({ runId: run.id, step: input.step, uri }, 'checkpoint registered');
    }
    return checkpoint;
  }

  async createProbeSet(input: CreateProbeSetInput): Promise<ProbeSet> {
    const name = requireName('name', input.name);
    const domain = requireName('domain', input.domain);
    const hasPath = input.path !== undefined && input.path !== null;
    const hasRows = input.rows !== undefined && input.rows !== null;
    if (hasPath === hasRows) throw badInput('give exactly one of path and rows', { field: 'path' });
    let rows: ProbeRow[];
    let source: string;
    try {
      if (hasPath) {
        source = isAbsolute(input.path!) ? input.path! : resolve(this.workingDir, input.path!);
        let text: string;
        try {
          text = await readFile(source, 'utf8');
        } catch (err) {
          throw badInput(`cannot read probe set file ${source}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { field: 'path' });
        }
        rows = parseProbeJsonl(text, source);
      } else {
        source = 'inline';
        if (input.rows!.length === 0) throw badInput('rows must not be empty', { field: 'rows' });
        rows = input.rows!.map((r, i) => toProbeRow(r, 'rows', i + 1));
      }
    } catch (err) {
      if (err instanceof ProbeRowError) throw badInput(err.message, { field: hasPath ? 'path' : 'rows', line: err.line });
      throw err;
    }
    const probeSet = await conflictToGraphQL(this.store.createProbeSet({ name, domain, source, rows }));
    await this.bus.publishEvent('probeset.created', { probeSetId: probeSet.id });
    this.logger.info({ probeSetId: probeSet.id, name, samples: rows.length }, 'probe set created');
    return probeSet;
  }

  /** Queues a capture; asking twice for the same pair returns the same job. */
  async startCapture(checkpointId: string, probeSetId: string): Promise<CaptureJob> {
    const checkpoint = await this.requireCheckpoint(checkpointId);
    const probeSet = await this.requireProbeSet(probeSetId);
    const { job, enqueue } = await this.store.upsertCaptureJob(checkpoint.id, probeSet.id, probeSet.sample_count);
    if (enqueue) {
      await this.bus.publishJob('capture', { jobId: job.id, checkpointId: checkpoint.id, probeSetId: probeSet.id });
      this.bus.publishProgress({ kind: 'capture', jobId: job.id, done: job.done, total: job.total, status: 'queued' });
      this.logger.info({ jobId: job.id, checkpointId, probeSetId }, 'capture queued');
    }
    return job;
  }

  async cancelCapture(jobId: string): Promise<CaptureJob> {
    const job = isUuid(jobId) ? await this.store.getCaptureJob(jobId) : undefined;
    if (!job) throw notFound('capture job', jobId);
    if (job.status === 'completed' || job.status === 'failed' || job.status === 'cancelled') return job;
    const updated = await this.store.updateCaptureJob(job.id, { status: 'cancelled' });
    await this.bus.cancelJob('capture', job.id);
    this.bus.publishProgress({ kind: 'capture', jobId: job.id, done: job.done, total: job.total, status: 'cancelled' });
    return updated ?? job;
  }
}
