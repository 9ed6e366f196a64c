// The inference service's use cases: validate, store, publish. Resolvers and bus handlers call these.
import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { CONFIG_FILE, ConfigError, loadModelConfig, type ModelConfig } from '@grokwatch/checkpoint';
import { checkpointTokenizerPath, TOKENIZER_SEARCH_PARENTS } from '@grokwatch/model';
import { eventOf, onJobStatusChange, publishStoredEvent, type Bus, type EventPayload, type Stoppable } from '@grokwatch/bus';
import { ConflictError, encodeFloat32, startOutboxRelay, type OutboxRelay } from '@grokwatch/db';
import { IngestError, checkEmbedding, fromRoutedExperts, fromTokenMeanWeights, withSelectionCounts, type ReducedRouting } from './ingest/external-routing.js';
import { TaskRegistry } from '@grokwatch/benchmark';
import {
  BatchLoader,
  badInput,
  clip,
  isUuid,
  notFound,
  pathUnderRoots,
  READ_CACHE_DEFAULTS,
  readTextUnderRoots,
  ServiceReads,
  userError,
  type FileRoots,
  type Logger,
  type Page,
  type ReadCacheOptions,
} from '@grokwatch/service-kit';
import { checkUniqueIds, parseProbeJsonl, ProbeRowError, toProbeRow, type ProbeRow } from './probe-set/probe-rows.js';
import type { CaptureJob, Checkpoint, InferenceStore, ProbeSet, Run } from './store/inference-store.js';
import type { CheckpointHyperparameters, RunSettings } from './store/tables.js';
import { readTrainerHyperparameters } from './watch/trainer-state.js';

/** A run's probe sets: each is captured at every checkpoint, and Run.probeSets is charged at this many. */
export const MAX_RUN_PROBE_SETS = 64;
/** A run's pathway thresholds: each adds metric variants computed at every checkpoint. */
export const MAX_RUN_THRESHOLDS = 8;

const DEFAULT_SETTINGS: RunSettings = { probeSetIds: [], tasks: [], thresholds: [0.7], contaminationFilter: true, embeddingModel: null };

export interface RunSettingsInput {
  watchDir?: string | null;
  /** The run's tokenizer.json, for checkpoint folders without their own; null clears it. */
  tokenizer?: string | null;
  probeSetIds?: string[] | null;
  tasks?: string[] | null;
  thresholds?: number[] | null;
  /** Drop the top 10% of test items by Min-K%++ from test groups (default on). */
  contaminationFilter?: boolean | null;
  /** A sentence-embedding model folder (model.onnx + tokenizer.json) for group pairing; null: the capture's hidden state. */
  embeddingModel?: string | null;
}
export interface CreateRunInput extends RunSettingsInput {
  name: string;
  architecture: string;
}

export interface RegisterCheckpointInput {
  runId: string;
  step: number;
  tokensSeen?: number | null;
  uri: string;
  /** Optimizer settings in effect at the checkpoint (a schedule change is a confound of every trend). */
  hyperparameters?: { learningRate?: number | null; weightDecay?: number | null } | null;
}
export interface IngestSample {
  index: number;
  weights?: number[][] | null;
  routedExperts?: number[][][] | null;
  experts?: number | null;
  nll?: number | null;
  /** Mean NLL of the sample's target (answer) tokens, for probe samples that mark one. */
  targetNll?: number | null;
  /** Routing over the target's tokens and at the position before them (layers x experts each). */
  targetWeights?: number[][] | null;
  positionWeights?: number[][] | null;
  /** With weights: layers x experts, how many of the routed tokens selected each expert (what capture stores as top-k counts). */
  selectionCounts?: number[][] | null;
  /** Mean final-norm hidden state over the routed tokens (what capture stores for the embedding metrics). */
  embedding?: number[] | null;
  /** Min-K%++ score (capture's minKPlusPlusScore). */
  minKPlusPlus?: number | null;
  tokenCount?: number | null;
}

export interface IngestRoutingInput {
  checkpointId: string;
  probeSetId: string;
  samples: IngestSample[];
  routerWeights?: number[][][] | null;
}

export interface CreateProbeSetInput {
  name: string;
  domain: string;
  /** A JSONL file on the server, under the data roots. */
  path?: string | null;
  /** A JSONL file's content, sent by the client. */
  jsonl?: string | null;
  rows?: { id?: string | null; text?: string | null; target?: number[] | null; prompt?: string | null; completion?: string | null; group?: string | null }[] | null;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,199}$/;

function requireName(field: string, value: string): string {
  const v = value.trim();
  if (!NAME.test(v)) {
    throw badInput(`${field} must be 1-200 characters of letters, digits and . _ : / @ + - (got ${JSON.stringify(clip(value))})`, { field });
  }
  return v;
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
  /** Where client-given paths (probe files, checkpoints, watch folders, tokenizers) may point. */
  roots: FileRoots;
  /** Relative paths resolve against this folder (default: the first data root). */
  workingDir?: string;
}

/** A probe-set file larger than this is refused before reading (60,000 samples of ~2 KB fit). */
export const MAX_PROBE_FILE_BYTES = 256 * 1024 * 1024;
/** A checkpoint held elsewhere, named by a URI with a scheme: registered for ingested routing, never read. */
const EXTERNAL_URI = /^[a-z][a-z0-9+.-]*:\/\//i;

export class InferenceService {
  readonly store: InferenceStore;
  private readonly bus: Bus;
  private readonly logger: Logger;
  private readonly workingDir: string | undefined;
  private readonly roots: FileRoots;
  /** The evaluation tasks a run may name (the shipped registry, which evaluation serves). */
  private readonly taskNames: ReadonlySet<string> = new Set(TaskRegistry.load().names());

  private outbox: OutboxRelay | null = null;
  private readonly reads = new ServiceReads();
  /** One query per lookup kind for all the parents a GraphQL request lists (runs x checkpoints x jobs). */
  private readonly batches;

  constructor(opts: InferenceServiceOptions) {
    this.store = opts.store;
    this.bus = opts.bus;
    this.logger = opts.logger;
    this.roots = opts.roots;
    this.workingDir = opts.workingDir;
    const store = opts.store;
    this.batches = {
      run: new BatchLoader<null, Run | undefined>((ids) => store.runsById(ids), undefined),
      checkpoint: new BatchLoader<null, Checkpoint | undefined>((ids) => store.checkpointsById(ids), undefined),
      runCheckpoints: new BatchLoader<Page, Checkpoint[]>((ids, page) => store.checkpointsOfRuns(ids, page), []),
      checkpointCount: new BatchLoader<null, number>((ids) => store.checkpointCounts(ids), 0),
      captureJobs: new BatchLoader<Page, CaptureJob[]>((ids, page) => store.captureJobsOf(ids, page), []),
    };
  }

  /**
   * Publishes the events that mutations commit with their state (runs, checkpoints, probe sets
   * created): a mutation committed while the bus is down is announced once it is back.
   */
  startOutbox(): Stoppable {
    const relay = startOutboxRelay({
      db: this.store.db,
      schema: 'inference',
      publish: (e) => publishStoredEvent(this.bus, e),
      onError: (err) => this.logger.warn({ err: (err as Error).message }, 'outbox: events wait for the bus'),
    });
    this.outbox = relay;
    return {
      stop: async () => {
        this.outbox = null;
        await relay.stop();
      },
    };
  }

  /**
   * Caches reads of runs, probe sets and checkpoints (lists, counts, lookups) until this service
   * writes one or a job changes status on the bus (a capture marks its checkpoint), and for at most
   * maxAgeMs (default 1 s): how late another instance's writes can show here. Without it every read
   * goes to the database.
   */
  startReadCache(options: ReadCacheOptions = { ...READ_CACHE_DEFAULTS, maxAgeMs: 1_000 }): Stoppable {
    return this.reads.start(options, (changed) => onJobStatusChange(this.bus, changed));
  }

  runs(page: Page): Promise<Run[]> {
    return this.reads.read('runs', [page], () => this.store.listRuns(page));
  }

  runCount(): Promise<number> {
    return this.reads.read('runCount', [], () => this.store.countRuns());
  }

  /** A run by id (undefined for a malformed id) or by name. */
  findRun(by: { id: string } | { name: string }): Promise<Run | undefined> {
    if ('id' in by) return isUuid(by.id) ? this.reads.read('run', [by.id], () => this.batches.run.load(by.id, null)) : Promise.resolve(undefined);
    return this.reads.read('runByName', [by.name], () => this.store.getRunByName(by.name));
  }

  probeSets(domain: string | undefined, page: Page): Promise<ProbeSet[]> {
    return this.reads.read('probeSets', [domain ?? null, page], () => this.store.listProbeSets(domain, page));
  }

  findProbeSet(id: string): Promise<ProbeSet | undefined> {
    return isUuid(id) ? this.reads.read('probeSet', [id], () => this.store.getProbeSet(id)) : Promise.resolve(undefined);
  }

  checkpoints(runId: string, page: Page): Promise<Checkpoint[]> {
    return this.reads.read('checkpoints', [runId, page], () => this.batches.runCheckpoints.load(runId, page));
  }

  checkpointCount(runId: string): Promise<number> {
    return this.reads.read('checkpointCount', [runId], () => this.batches.checkpointCount.load(runId, null));
  }

  /** A page of a checkpoint's capture jobs (batched with its siblings' in one query). */
  captureJobsOf(checkpointId: string, page: Page): Promise<CaptureJob[]> {
    return this.batches.captureJobs.load(checkpointId, page);
  }

  latestCheckpoint(runId: string): Promise<Checkpoint | undefined> {
    return this.reads.read('latestCheckpoint', [runId], () => this.store.latestCheckpoint(runId));
  }

  findCheckpoint(id: string): Promise<Checkpoint | undefined> {
    return isUuid(id) ? this.reads.read('checkpoint', [id], () => this.batches.checkpoint.load(id, null)) : Promise.resolve(undefined);
  }

  async createRun(input: CreateRunInput): Promise<Run> {
    const name = requireName('name', input.name);
    const architecture = requireName('architecture', input.architecture);
    const { watchDir, tokenizer, settings } = await this.checkSettings(input, DEFAULT_SETTINGS);
    const run = await conflictToGraphQL(
      this.store.createRun(
        {
          name,
          architecture,
          tokenizer: tokenizer ?? null,
          watchDir: watchDir ?? null,
          settings,
        },
        (r) => eventOf('run.created', { runId: r.id }),
      ),
    );
    this.reads.changed();
    this.outbox?.wake();
    this.logger.info({ runId: run.id, name }, 'run created');
    return run;
  }

  /**
   * Deletes a run: its checkpoints, captures and routing here, and (through run.deleted) the metrics,
   * alerts and evaluations the other services hold for it. Running captures are cancelled first.
   */
  async deleteRun(id: string): Promise<{ runId: string; checkpoints: number }> {
    const run = await this.requireRun(id);
    const checkpoints = await this.store.listCheckpoints(run.id);
    for (const c of checkpoints) {
      for (const job of await this.store.listCaptureJobs({ checkpointId: c.id })) {
        if (job.status === 'queued' || job.status === 'running') await this.bus.cancelJob('capture', job.id);
      }
    }
    const deleted = await this.store.deleteRun(run.id, (runId, checkpointIds) => eventOf('run.deleted', { runId, checkpointIds }));
    if (!deleted) throw notFound('run', id);
    this.reads.changed();
    this.outbox?.wake();
    this.logger.info({ runId: run.id, name: run.name, checkpoints: deleted.checkpointIds.length }, 'run deleted');
    return { runId: run.id, checkpoints: deleted.checkpointIds.length };
  }

  /**
   * Deletes a probe set: its samples, routing and captures here (running captures cancelled first),
   * its place in every run's settings, and (through probeSet.deleted) the metrics computed on it.
   */
  async deleteProbeSet(id: string): Promise<{ probeSetId: string; samples: number }> {
    const probeSet = await this.requireProbeSet(id);
    for (const job of await this.store.listCaptureJobs({ probeSetId: probeSet.id })) {
      if (job.status === 'queued' || job.status === 'running') await this.bus.cancelJob('capture', job.id);
    }
    if (!(await this.store.deleteProbeSet(probeSet.id, eventOf('probeSet.deleted', { probeSetId: probeSet.id })))) throw notFound('probe set', id);
    this.reads.changed();
    this.outbox?.wake();
    this.logger.info({ probeSetId: probeSet.id, name: probeSet.name }, 'probe set deleted');
    return { probeSetId: probeSet.id, samples: probeSet.sample_count };
  }

  /** Changes what happens to the run's future checkpoints; fields left out keep their value. */
  async configureRun(id: string, input: RunSettingsInput): Promise<Run> {
    const run = await this.requireRun(id);
    const { watchDir, tokenizer, settings } = await this.checkSettings(input, run.settings);
    const updated = await this.store.configureRun(run.id, { watchDir, tokenizer, settings });
    this.reads.changed();
    // Stored either way; results derived from the settings (test groups, pairings) follow on the next capture or evaluation if this is lost.
    await this.bus
      .publishEvent('run.configured', { runId: run.id })
      .catch((err: unknown) => this.logger.warn({ err: (err as Error).message, runId: run.id }, 'run.configured not published'));
    this.logger.info({ runId: run.id, watchDir, tokenizer, settings }, 'run configured');
    return updated ?? run;
  }

  private async checkSettings(
    input: RunSettingsInput,
    current: RunSettings,
  ): Promise<{ watchDir: string | null | undefined; tokenizer: string | null | undefined; settings: RunSettings }> {
    let watchDir: string | null | undefined;
    if (input.watchDir === null) watchDir = null;
    else if (input.watchDir !== undefined) {
      watchDir = await this.path(input.watchDir, 'directory', 'watchDir');
    }
    const tokenizer = input.tokenizer == null ? input.tokenizer : await this.path(input.tokenizer, 'file', 'tokenizer');
    const probeSetIds = [...new Set(input.probeSetIds ?? current.probeSetIds)];
    if (probeSetIds.length > MAX_RUN_PROBE_SETS) throw badInput(`a run has at most ${MAX_RUN_PROBE_SETS} probe sets (got ${probeSetIds.length})`, { field: 'probeSetIds' });
    for (const id of probeSetIds) await this.requireProbeSet(id);
    const tasks = input.tasks ?? current.tasks;
    for (const t of tasks) {
      requireName('tasks', t);
      // An unknown task would fail at every checkpoint's evaluation, long after the run was set up.
      if (!this.taskNames.has(t)) throw badInput(`unknown task ${JSON.stringify(clip(t))} (tasks: ${[...this.taskNames].sort().join(', ')})`, { field: 'tasks' });
    }
    const thresholds = [...new Set(input.thresholds ?? current.thresholds)];
    if (thresholds.length > MAX_RUN_THRESHOLDS) throw badInput(`a run has at most ${MAX_RUN_THRESHOLDS} thresholds (got ${thresholds.length})`, { field: 'thresholds' });
    for (const tau of thresholds) {
      if (!(tau > 0 && tau <= 1)) throw badInput(`thresholds must lie in (0, 1], got ${tau}`, { field: 'thresholds' });
    }
    const contaminationFilter = input.contaminationFilter ?? current.contaminationFilter ?? true;
    let embeddingModel = current.embeddingModel ?? null;
    if (input.embeddingModel === null) embeddingModel = null;
    else if (input.embeddingModel !== undefined) embeddingModel = await this.path(input.embeddingModel, 'directory', 'embeddingModel');
    return { watchDir, tokenizer, settings: { probeSetIds, tasks: [...new Set(tasks)], thresholds, contaminationFilter, embeddingModel } };
  }

  /**
   * `events.checkpoint.registered` handler. A training loop may publish the event itself, without a
   * checkpoint id: the checkpoint is registered first (which publishes the full event). With an
   * id, the run's probe sets are queued for capture (unless the checkpoint is held elsewhere).
   */
  async onCheckpointRegistered(e: EventPayload<'checkpoint.registered'>): Promise<void> {
    if (e.checkpointId === undefined) {
      await this.registerCheckpoint({ runId: e.runId, step: e.step, uri: e.uri, tokensSeen: e.tokensSeen ?? null });
      return;
    }
    // A checkpoint held elsewhere (scheme://) cannot be read here: its routing arrives by ingestRouting.
    if (EXTERNAL_URI.test(e.uri)) return;
    const run = await this.store.getRun(e.runId);
    if (!run) return;
    for (const probeSetId of run.settings.probeSetIds) await this.startCapture(e.checkpointId, probeSetId);
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
    const given = input.uri.trim();
    if (given.length === 0) throw badInput('uri must not be empty', { field: 'uri' });
    const external = EXTERNAL_URI.test(given);
    if (!external && !isAbsolute(given))
      throw badInput('uri must be an absolute checkpoint folder on the server (or a URI with a scheme for routing ingested from elsewhere)', { field: 'uri' });
    const uri = external ? given : await this.path(given, 'directory', 'uri');
    const run = await this.requireRun(input.runId);
    if (!external) await this.checkCheckpointFolder(uri, run);
    const hyperparameters = input.hyperparameters !== undefined ? checkHyperparameters(input.hyperparameters) : external ? null : await this.folderHyperparameters(uri, input.step);
    const { checkpoint, created } = await conflictToGraphQL(
      this.store.registerCheckpoint({ runId: run.id, step: input.step, tokensSeen, uri, hyperparameters }, (c) =>
        eventOf('checkpoint.registered', {
          checkpointId: c.id,
          runId: run.id,
          step: Number(c.step),
          uri,
        }),
      ),
    );
    this.reads.changed();
    if (created) {
      this.outbox?.wake();
      this.logger.info({ runId: run.id, step: input.step, uri }, 'checkpoint registered');
    }
    return checkpoint;
  }

  /**
   * What capture will need, checked now rather than at every probe set's capture: a config.json of
   * the run's architecture and a tokenizer (the folder's, the run's, or one in the folders above).
   */
  private async checkCheckpointFolder(uri: string, run: Run): Promise<void> {
    let config: ModelConfig;
    try {
      config = await loadModelConfig(uri);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      // A file that is not JSON is not echoed back: the message says what is wrong, never what is there.
      const marker = `field "${err.field}": `;
      const why =
        err.field === undefined
          ? 'is missing, unreadable or not valid JSON'
          : `field "${err.field}" is invalid: ${clip(err.message.slice(err.message.indexOf(marker) + marker.length), 200)}`;
      throw badInput(`${CONFIG_FILE} in ${uri} ${why}`, { field: 'uri' });
    }
    if (config.architecture !== run.architecture) {
      throw badInput(`the checkpoint is a ${config.architecture}, the run's architecture is ${run.architecture}`, { field: 'uri' });
    }
    const tokenizer = checkpointTokenizerPath(uri, { runTokenizer: run.tokenizer, searchParents: TOKENIZER_SEARCH_PARENTS });
    if (!existsSync(tokenizer)) {
      throw badInput(`no tokenizer.json in ${uri}, in the ${TOKENIZER_SEARCH_PARENTS} folders above it, or set on the run: configureRun(id, { tokenizer }) sets one`, {
        field: 'uri',
      });
    }
  }

  /** A client-given server path, under the data roots and of the kind expected (its real path). */
  private path(path: string, kind: 'file' | 'directory', field: string): Promise<string> {
    return pathUnderRoots(this.roots, path, kind, { field, base: this.workingDir });
  }

  /** What the folder's trainer_state.json says, when the caller said nothing; a bad file costs only the schedule. */
  private async folderHyperparameters(uri: string, step: number): Promise<CheckpointHyperparameters | null> {
    try {
      return await readTrainerHyperparameters(this.roots, uri, step);
    } catch (err) {
      this.logger.warn({ uri, step, err: (err as Error).message }, 'trainer state ignored');
      return null;
    }
  }

  async createProbeSet(input: CreateProbeSetInput): Promise<ProbeSet> {
    const name = requireName('name', input.name);
    const domain = requireName('domain', input.domain);
    const hasPath = input.path != null;
    const hasJsonl = input.jsonl != null;
    const hasRows = input.rows != null;
    if ([hasPath, hasJsonl, hasRows].filter(Boolean).length !== 1) throw badInput('give exactly one of path, jsonl and rows', { field: 'path' });
    let rows: ProbeRow[];
    let source: string;
    try {
      if (hasPath) {
        const file = await readTextUnderRoots(this.roots, input.path!, MAX_PROBE_FILE_BYTES, { field: 'path', base: this.workingDir });
        source = file.path;
        rows = parseProbeJsonl(file.text, source);
      } else if (hasJsonl) {
        if (input.jsonl!.length > MAX_PROBE_FILE_BYTES) throw badInput(`jsonl has more than ${MAX_PROBE_FILE_BYTES} characters`, { field: 'jsonl' });
        source = 'upload';
        rows = parseProbeJsonl(input.jsonl!, source);
      } else {
        source = 'inline';
        if (input.rows!.length === 0) throw badInput('rows must not be empty', { field: 'rows' });
        // GraphQL gives absent optional fields as null; the row rules read them as absent.
        rows = input.rows!.map((r, i) => toProbeRow(Object.fromEntries(Object.entries(r).filter(([, v]) => v !== null && v !== undefined)), 'rows', i + 1));
        checkUniqueIds(rows, 'rows', (index) => index + 1);
      }
    } catch (err) {
      if (err instanceof ProbeRowError) throw badInput(err.message, { field: hasPath ? 'path' : hasJsonl ? 'jsonl' : 'rows', line: err.line });
      throw err;
    }
    const probeSet = await conflictToGraphQL(this.store.createProbeSet({ name, domain, source, rows }, (p) => eventOf('probeSet.created', { probeSetId: p.id })));
    this.reads.changed();
    this.outbox?.wake();
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

  /**
   * Stores routing captured elsewhere. All samples are validated before anything is written, so a
   * bad row rejects the whole call and leaves stored data untouched; already-stored samples are kept.
   */
  async ingestRouting(input: IngestRoutingInput): Promise<{ stored: number; skipped: number }> {
    const checkpoint = await this.requireCheckpoint(input.checkpointId);
    const probeSet = await this.requireProbeSet(input.probeSetId);
    if (input.samples.length === 0) throw badInput('samples must not be empty', { field: 'samples' });
    const samples = await this.store.listSamples(probeSet.id);
    const seen = new Set<number>();
    const reduced: {
      sampleId: string;
      r: ReducedRouting;
      target: Float32Array | null;
      position: Float32Array | null;
      nll: number | null;
      targetNll: number | null;
      tokenCount: number | null;
      embedding: Float32Array | null;
      minKPlusPlus: number | null;
    }[] = [];
    try {
      for (const s of input.samples) {
        if (!Number.isInteger(s.index) || s.index < 0 || s.index >= samples.length) {
          throw new IngestError(s.index, `index outside 0..${samples.length - 1}`);
        }
        if (seen.has(s.index)) throw new IngestError(s.index, 'given twice');
        seen.add(s.index);
        const hasWeights = s.weights != null;
        if (hasWeights === (s.routedExperts != null)) throw new IngestError(s.index, 'give exactly one of weights and routedExperts');
        if (s.selectionCounts != null && !hasWeights) throw new IngestError(s.index, 'selectionCounts go with weights (routedExperts already are selections)');
        const r = hasWeights
          ? withSelectionCounts(fromTokenMeanWeights(s.weights!, s.index), s.selectionCounts, s.index)
          : fromRoutedExperts(s.routedExperts!, s.experts ?? 0, s.index);
        const embedding = s.embedding == null ? null : checkEmbedding(s.embedding, s.index);
        const firstEmbedding = reduced.find((x) => x.embedding !== null)?.embedding ?? null;
        if (embedding !== null && firstEmbedding !== null && firstEmbedding.length !== embedding.length) {
          throw new IngestError(s.index, `embedding has ${embedding.length} values, an earlier sample's has ${firstEmbedding.length}`);
        }
        if (s.nll != null && !Number.isFinite(s.nll)) throw new IngestError(s.index, `nll ${s.nll} is not finite`);
        if (s.targetNll != null && !(Number.isFinite(s.targetNll) && s.targetNll >= 0)) throw new IngestError(s.index, `targetNll ${s.targetNll} is not a finite NLL >= 0`);
        if (s.minKPlusPlus != null && !Number.isFinite(s.minKPlusPlus)) throw new IngestError(s.index, `minKPlusPlus ${s.minKPlusPlus} is not finite`);
        const prev = reduced[0]?.r;
        if (prev && (prev.layers !== r.layers || prev.experts !== r.experts)) {
          throw new IngestError(s.index, `shape ${r.layers}x${r.experts} differs from ${prev.layers}x${prev.experts} of the first sample`);
        }
        const span = (weights: number[][] | null | undefined, field: string): Float32Array | null => {
          if (weights == null) return null;
          const g = fromTokenMeanWeights(weights, s.index);
          if (g.layers !== r.layers || g.experts !== r.experts) {
            throw new IngestError(s.index, `${field} is ${g.layers}x${g.experts} but the sample's routing is ${r.layers}x${r.experts}`);
          }
          return g.routing;
        };
        reduced.push({
          sampleId: samples[s.index].id,
          r,
          target: span(s.targetWeights, 'targetWeights'),
          position: span(s.positionWeights, 'positionWeights'),
          nll: s.nll ?? null,
          targetNll: s.targetNll ?? null,
          tokenCount: s.tokenCount ?? r.tokenCount,
          embedding,
          minKPlusPlus: s.minKPlusPlus ?? null,
        });
      }
    } catch (err) {
      if (err instanceof IngestError) throw badInput(err.message, { field: 'samples', sample: err.sample });
      throw err;
    }
    const router = (input.routerWeights ?? []).map((w, layer) => {
      const experts = w.length;
      const hidden = w[0]?.length ?? 0;
      if (experts === 0 || hidden === 0 || w.some((row) => row.length !== hidden || row.some((x) => !Number.isFinite(x)))) {
        throw badInput(`routerWeights layer ${layer} must be a finite experts x hidden matrix`, { field: 'routerWeights' });
      }
      return { layer, experts, hidden, weights: encodeFloat32(Float32Array.from(w.flat())) };
    });
    await this.store.insertRouterWeights(checkpoint.id, router);
    const stored = await this.store.insertRouting(
      reduced.map(({ sampleId, r, target, position, nll, targetNll, tokenCount, embedding, minKPlusPlus }) => ({
        checkpoint_id: checkpoint.id,
        sample_id: sampleId,
        capture_job_id: null,
        layers: r.layers,
        experts: r.experts,
        routing: encodeFloat32(r.routing),
        topk_counts: r.counts ? encodeFloat32(r.counts) : null,
        embedding: embedding === null ? null : encodeFloat32(embedding),
        nll,
        token_count: tokenCount,
        min_k_pp: minKPlusPlus,
        target_nll: targetNll,
        target_routing: target === null ? null : encodeFloat32(target),
        position_routing: position === null ? null : encodeFloat32(position),
      })),
    );
    this.logger.info({ checkpointId: checkpoint.id, probeSetId: probeSet.id, stored }, 'external routing ingested');
    // Routing that completes the probe set at this checkpoint goes down the pipeline like a capture
    // (metrics compute the run's variants), since reads never compute. Also when this call stored
    // nothing new: a redelivered ingest job whose first delivery committed but lost its event (a
    // NATS outage) must announce it again; the pipeline downstream is idempotent.
    const routed = await this.store.countRouting(checkpoint.id, probeSet.id);
    if (routed === probeSet.sample_count) {
      await this.bus.publishEvent('capture.completed', { jobId: `ingest:${checkpoint.id}:${probeSet.id}`, checkpointId: checkpoint.id, probeSetId: probeSet.id, samples: routed });
    }
    return { stored, skipped: reduced.length - stored };
  }
}

/** Finite, non-negative values; nothing given is null (not reported), not zero. */
function checkHyperparameters(input: RegisterCheckpointInput['hyperparameters']): CheckpointHyperparameters | null {
  if (input == null) return null;
  const value = (field: 'learningRate' | 'weightDecay'): number | null => {
    const v = input[field] ?? null;
    if (v !== null && !(Number.isFinite(v) && v >= 0)) throw badInput(`hyperparameters.${field} must be a finite number >= 0 (got ${v})`, { field: `hyperparameters.${field}` });
    return v;
  };
  const out = { learningRate: value('learningRate'), weightDecay: value('weightDecay') };
  return out.learningRate === null && out.weightDecay === null ? null : out;
}
