// The paper's group story for one training probe set (method.md 6): its grokking groups Pretrain@t
// (memorization), the Test@t groups of its domain's tasks (stored test items, contamination-filtered),
// the one-to-one pairing by average embedding cosine (Hungarian), each pair's lag, and the training
// group's pathway metrics over the checkpoints from its memorization to its test group's generalization:
// "this group memorized at t, its pathways consolidated from t1 to t2, its test items generalized at t3".
// Decisions: embeddings come from one checkpoint for both sides (the capture's mean final hidden
// state at the latest checkpoint where every grouped sample and item has one), or from a sentence
// model for both; test groups of several tasks of a domain are merged by step.
import { createHash } from 'node:crypto';
import { formatStep, grokkingGroups, pairGroups, type EmbeddedGroup, type StepGroup } from '@grokwatch/pathway';
import { decodeFloat32 } from '@grokwatch/db';
import type { DistanceEngine } from '@grokwatch/pathway';
import { decodeProbeSetRouting, decodeRouterMatrices } from '../compute/inputs.js';
import { ALL_SAMPLES, computePathwayMetrics } from '../compute/pathway-metrics.js';
import type { MetricsParams } from '../params.js';
import type { CheckpointRef, ProbeSetRef, RouterRow, SampleRoutingRow, SourceStore } from '../store/source-store.js';
import { boundedParams } from '../variants.js';
import type { MemorizationOutcome } from '../queries/memorization-query.js';

export interface GroupView {
  label: string;
  step: number;
  size: number;
}

/** A training group's pathway metrics at one checkpoint between memorization and generalization. */
export interface GroupMetricPoint {
  step: number;
  distance: number | null;
  consistency: number | null;
  complexity: number | null;
  meanNll: number | null;
}

export interface PairView {
  train: GroupView;
  test: GroupView;
  /** test.step - train.step: how long after memorizing the group's test items generalized. */
  lag: number;
  /** Average cosine between the two groups' embeddings. */
  similarity: number;
  metrics: GroupMetricPoint[];
}

/** When a data group (the probe rows' and the suite's `group`, e.g. add, sub) memorized and generalized. */
export interface DataGroupTiming {
  group: string;
  samples: number;
  memorized: number;
  /** Median t_i* of its memorized samples; null when none is. */
  memorizedStep: number | null;
  items: number;
  generalized: number;
  /** Median t# of its kept test items that generalize; null when none does. */
  generalizedStep: number | null;
}

export interface PairingResult {
  probeSetId: string;
  probeSetName: string;
  domain: string;
  /** The domain's tasks whose test items were grouped. */
  tasks: string[];
  embedding: { source: 'capture' | 'model'; model: string | null; step: number | null };
  /** The metric parameters of the pairs' curves. */
  params: { threshold: number; unit: string; normalized: boolean; weights: string };
  memorization: { loss: string; eps: number; memorized: number; total: number; steps: number[] };
  trainGroups: GroupView[];
  testGroups: GroupView[];
  pairs: PairView[];
  unpairedTrain: string[];
  unpairedTest: string[];
  /** Per data group, median memorization and generalization steps: do the groups move together? */
  dataGroups: DataGroupTiming[];
  /** Every training group at one step and every test group at one step: no asynchrony to show. */
  together: boolean;
  /** What the pairing shows, or why it is empty, in a sentence. */
  note: string;
  /** Captures or evaluations of the run's checkpoints are outstanding. */
  partial: boolean;
}

/** Test items of one task that the filter kept and that generalize, grouped by step. */
export interface TaskTestGroups {
  task: string;
  steps: readonly number[];
  groups: readonly StepGroup[];
  /** groups' members are indices into this: the items' document indices. */
  docIndices: readonly number[];
  expectedCheckpoints: number;
}

/** Turns texts into embeddings (a sentence-embedding model); absent: the capture's hidden states are used. */
export interface TextEmbedder {
  readonly name: string;
  embed(texts: readonly string[]): Promise<Float32Array[]>;
  release?(): Promise<void>;
}

/**
 * Curve points already computed, by checkpoint, parameters and members: a refresh after a new
 * checkpoint recomputes only what changed (memorization moves groups' members as the run grows).
 */
export class CurvePointCache {
  private readonly points = new Map<string, GroupMetricPoint | null>();
  constructor(private readonly capacity = 20_000) {}

  get(key: string): GroupMetricPoint | null | undefined {
    return this.points.get(key);
  }

  set(key: string, point: GroupMetricPoint | null): void {
    if (this.points.size >= this.capacity) this.points.delete(this.points.keys().next().value as string);
    this.points.set(key, point);
  }
}

export interface PairingInputs {
  runId: string;
  dataGroups: DataGroupTiming[];
  cache?: CurvePointCache;
  probeSet: ProbeSetRef;
  checkpoints: readonly CheckpointRef[];
  memorization: MemorizationOutcome;
  tests: readonly TaskTestGroups[];
  params: MetricsParams;
  embedder: TextEmbedder | null;
}

interface MergedTestGroup {
  label: string;
  step: number;
  /** [task, document index] of each member. */
  members: [string, number][];
}

/** Pretrain@t groups (members: stored sample indices) and the domain's merged Test@t groups. */
function pairingGroups(inp: PairingInputs): { trainGroups: { label: string; step: number; members: number[] }[]; testGroups: MergedTestGroup[] } {
  const mem = inp.memorization;
  const trainGroups = grokkingGroups(
    mem.index,
    mem.checkpoints.map((c) => c.step),
  ).map((g) => ({ label: g.label, step: g.step, members: g.members.map((i) => mem.samples[i]) }));
  return { trainGroups, testGroups: mergeTestGroups(inp.tests) };
}

/** What a pairing reports before any pair is made: its groups and inputs, with `note` saying why it stops there. */
export function unpairedResult(inp: PairingInputs, note: string, groups = pairingGroups(inp)): PairingResult {
  const { probeSet, memorization: mem } = inp;
  const stepsOf = mem.checkpoints.map((c) => c.step);
  const { trainGroups, testGroups } = groups;
  return {
    probeSetId: probeSet.id,
    probeSetName: probeSet.name,
    domain: probeSet.domain,
    tasks: inp.tests.map((t) => t.task),
    embedding: { source: inp.embedder ? 'model' : 'capture', model: inp.embedder?.name ?? null, step: null },
    params: { threshold: inp.params.threshold, unit: inp.params.unit, normalized: inp.params.normalized, weights: inp.params.weights },
    memorization: { loss: mem.view.loss, eps: mem.view.eps, memorized: mem.view.memorized, total: mem.view.total, steps: stepsOf },
    trainGroups: trainGroups.map(view),
    testGroups: testGroups.map((g) => ({ label: g.label, step: g.step, size: g.members.length })),
    pairs: [],
    unpairedTrain: [],
    unpairedTest: [],
    dataGroups: inp.dataGroups,
    together: false,
    note,
    partial: mem.checkpoints.length < inp.checkpoints.length || inp.tests.some((t) => t.steps.length < inp.checkpoints.length),
  };
}

export async function computePairing(sources: SourceStore, engine: DistanceEngine, inp: PairingInputs, signal?: AbortSignal): Promise<PairingResult> {
  const { probeSet } = inp;
  const groups = pairingGroups(inp);
  const { trainGroups, testGroups } = groups;
  const base = unpairedResult(inp, '', groups);
  if (trainGroups.length === 0) return { ...base, note: 'no sample of the probe set is memorized yet: there is no training group to pair' };
  if (testGroups.length === 0) {
    const why = inp.tests.length === 0 ? `no task of domain ${probeSet.domain} has completed evaluations` : 'no test item generalizes (after the contamination filter)';
    return { ...base, unpairedTrain: trainGroups.map((g) => g.label), note: `${why}: there is no test group to pair` };
  }

  const embedded = await embedGroups(sources, inp, trainGroups, testGroups);
  if (embedded === null) {
    return { ...base, note: 'no checkpoint has embeddings for every grouped sample and test item (captures and evaluations with the built-in backend store them)' };
  }
  const pairing = pairGroups(embedded.train, embedded.test);
  const routing = new RoutingCache(sources, probeSet.id, inp.params.scope, inp.params.weights);
  const pairs: PairView[] = [];
  for (const p of pairing.pairs) {
    const train = trainGroups[p.trainIndex] as (typeof trainGroups)[number];
    const test = testGroups[p.testIndex] as MergedTestGroup;
    const metrics = await groupCurve(engine, routing, inp, train.members, Math.min(train.step, test.step), Math.max(train.step, test.step), signal);
    pairs.push({ train: view(train), test: { label: test.label, step: test.step, size: test.members.length }, lag: test.step - train.step, similarity: p.similarity, metrics });
  }
  pairs.sort((a, b) => a.train.step - b.train.step);
  const together = new Set(trainGroups.map((g) => g.step)).size <= 1 && new Set(testGroups.map((g) => g.step)).size <= 1;
  return {
    ...base,
    embedding: { ...base.embedding, step: embedded.step },
    pairs,
    unpairedTrain: [...pairing.unpairedTrain],
    unpairedTest: [...pairing.unpairedTest],
    together,
    note: `${describe(trainGroups, testGroups, pairs, together, pairing.similarity)}${describeDataGroups(inp.dataGroups)}`,
  };
}

function view(g: { label: string; step: number; members: readonly unknown[] }): GroupView {
  return { label: g.label, step: g.step, size: g.members.length };
}

/** Test@t across the domain's tasks: the items of every task that generalize at step t. */
export function mergeTestGroups(tests: readonly TaskTestGroups[]): MergedTestGroup[] {
  const by = new Map<number, [string, number][]>();
  for (const t of tests) {
    for (const g of t.groups) by.set(g.step, [...(by.get(g.step) ?? []), ...g.members.map((m): [string, number] => [t.task, t.docIndices[m]])]);
  }
  return [...by.entries()].sort((a, b) => a[0] - b[0]).map(([step, members]) => ({ label: `Test@${formatStep(step)}`, step, members }));
}

async function embedGroups(
  sources: SourceStore,
  inp: PairingInputs,
  train: readonly { label: string; members: number[] }[],
  test: readonly MergedTestGroup[],
): Promise<{ train: EmbeddedGroup[]; test: EmbeddedGroup[]; step: number | null } | null> {
  const tasks = [...new Set(test.flatMap((g) => g.members.map(([task]) => task)))];
  if (inp.embedder !== null) {
    const sampleText = await sources.sampleTexts(inp.probeSet.id);
    const ids = inp.checkpoints.map((c) => c.id);
    const itemText = new Map<string, Map<number, string>>();
    for (const task of tasks) itemText.set(task, await sources.itemTexts(ids, task));
    const trainTexts = train.map((g) => g.members.map((i) => sampleText.get(i) ?? ''));
    const testTexts = test.map((g) => g.members.map(([task, d]) => itemText.get(task)?.get(d) ?? ''));
    if (testTexts.some((g) => g.some((t) => t === ''))) return null;
    const vectors = await inp.embedder.embed([...trainTexts.flat(), ...testTexts.flat()]);
    let at = 0;
    const take = (n: number): Float32Array[] => vectors.slice(at, (at += n));
    return {
      train: train.map((g) => ({ label: g.label, embeddings: take(g.members.length) })),
      test: test.map((g) => ({ label: g.label, embeddings: take(g.members.length) })),
      step: null,
    };
  }
  for (const checkpoint of [...inp.checkpoints].reverse()) {
    const samples = await sources.sampleEmbeddings(checkpoint.id, inp.probeSet.id);
    if (!train.every((g) => g.members.every((i) => samples.has(i)))) continue;
    const items = new Map<string, Map<number, Uint8Array>>();
    for (const task of tasks) items.set(task, await sources.itemEmbeddings(checkpoint.id, task));
    if (!test.every((g) => g.members.every(([task, d]) => items.get(task)?.has(d)))) continue;
    return {
      train: train.map((g) => ({ label: g.label, embeddings: g.members.map((i) => decodeFloat32(samples.get(i) as Uint8Array, `embedding of sample ${i}`)) })),
      test: test.map((g) => ({ label: g.label, embeddings: g.members.map(([task, d]) => decodeFloat32(items.get(task)?.get(d) as Uint8Array, `embedding of ${task} item ${d}`)) })),
      step: checkpoint.step,
    };
  }
  return null;
}

interface CheckpointRouting {
  rows: SampleRoutingRow[];
  routers: RouterRow[];
}

/** Routing of the probe set per checkpoint, loaded once for every pair that reads it. */
class RoutingCache {
  private readonly loaded = new Map<string, Promise<CheckpointRouting>>();
  constructor(
    private readonly sources: SourceStore,
    private readonly probeSetId: string,
    private readonly scope: MetricsParams['scope'],
    private readonly weights: MetricsParams['weights'],
  ) {}

  get(checkpointId: string): Promise<CheckpointRouting> {
    let p = this.loaded.get(checkpointId);
    if (!p) this.loaded.set(checkpointId, (p = this.load(checkpointId)));
    return p;
  }

  private async load(checkpointId: string): Promise<CheckpointRouting> {
    const rows = await this.sources.loadRouting(checkpointId, this.probeSetId, this.scope, this.weights);
    const routers = await this.sources.routerWeights(checkpointId);
    return { rows, routers };
  }
}

/** Checkpoints a pair's curve is computed at, at most: more in between are thinned evenly, both ends kept. */
export const MAX_CURVE_POINTS = 50;

/** At most `max` of `items`, evenly spaced, first and last included. */
export function thinEvenly<T>(items: readonly T[], max: number): T[] {
  if (items.length <= max) return [...items];
  return Array.from({ length: max }, (_, i) => items[Math.round((i * (items.length - 1)) / (max - 1))] as T);
}

/** The group's metrics at each checkpoint in [from, to] where every member has routing (thinned to MAX_CURVE_POINTS). */
async function groupCurve(
  engine: DistanceEngine,
  routing: RoutingCache,
  inp: PairingInputs,
  members: readonly number[],
  from: number,
  to: number,
  signal?: AbortSignal,
): Promise<GroupMetricPoint[]> {
  const params = boundedParams(inp.params, members.length);
  const groupKey = createHash('sha256')
    .update(JSON.stringify([params, [...members].sort((a, b) => a - b)]))
    .digest('hex');
  const points: GroupMetricPoint[] = [];
  for (const c of thinEvenly(
    inp.checkpoints.filter((x) => x.step >= from && x.step <= to),
    MAX_CURVE_POINTS,
  )) {
    signal?.throwIfAborted();
    const key = `${c.id}|${groupKey}`;
    let point = inp.cache?.get(key);
    if (point === undefined) {
      point = await curvePoint(engine, await routing.get(c.id), inp.probeSet.id, c, members, params, signal);
      inp.cache?.set(key, point);
    }
    if (point !== null) points.push(point);
  }
  return points;
}

/** The group's metrics at one checkpoint; null when a member has no routing there. */
async function curvePoint(
  engine: DistanceEngine,
  stored: CheckpointRouting,
  probeSetId: string,
  c: CheckpointRef,
  members: readonly number[],
  params: MetricsParams,
  signal?: AbortSignal,
): Promise<GroupMetricPoint | null> {
  const wanted = new Set(members);
  const mine = stored.rows.filter((r) => wanted.has(r.idx)).map((r) => ({ ...r, group: null }));
  if (mine.length !== members.length || mine.some((r) => r.routing === null)) return null;
  const decoded = decodeProbeSetRouting(c.id, probeSetId, mine, params.scope, params.weights);
  const computed = await computePathwayMetrics(decoded, decodeRouterMatrices(decoded, stored.routers), params, { engine, ...(signal ? { signal } : {}) });
  const all = computed.results.find((r) => r.group_name === ALL_SAMPLES);
  return all
    ? { step: c.step, distance: all.distance_mean ?? null, consistency: all.consistency ?? null, complexity: all.bound, meanNll: all.mean_target_nll ?? all.mean_nll ?? null }
    : null;
}

function describe(
  train: readonly { step: number }[],
  test: readonly { step: number }[],
  pairs: readonly PairView[],
  together: boolean,
  similarity: readonly (readonly number[])[],
): string {
  const span = (steps: number[]): string => {
    const distinct = [...new Set(steps)].sort((a, b) => a - b);
    return distinct.length === 1 ? `at step ${distinct[0]}` : `at ${distinct.length} different steps (${distinct[0]} to ${distinct[distinct.length - 1]})`;
  };
  if (together) {
    return `every group moves together: all training groups memorize ${span(train.map((g) => g.step))} and all test groups generalize ${span(test.map((g) => g.step))}; there is no group-by-group asynchrony to show`;
  }
  const lags = pairs.map((p) => p.lag);
  const lagText = lags.length === 0 ? 'no pair' : `lags from ${Math.min(...lags)} to ${Math.max(...lags)} steps`;
  const negative = lags.filter((l) => l < 0).length;
  const all = similarity.flat();
  // How far apart the candidates were: a narrow range means the embedding barely tells the groups apart.
  const range = all.length === 0 ? '' : `; group similarities range ${Math.min(...all).toFixed(2)} to ${Math.max(...all).toFixed(2)}`;
  const before = negative === 0 ? '' : ` (${negative} test groups generalize before their training group is memorized)`;
  return `training groups memorize ${span(train.map((g) => g.step))}, test groups generalize ${span(test.map((g) => g.step))}; ${pairs.length} pairs, ${lagText}${before}${range}`;
}

/** The median of the non-null values; null when there are none. */
export function median(values: readonly (number | null)[]): number | null {
  const v = values.filter((x): x is number => x !== null).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 === 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

function describeDataGroups(groups: readonly DataGroupTiming[]): string {
  const timed = groups.filter((g) => g.memorizedStep !== null && g.generalizedStep !== null);
  if (timed.length < 2) return '';
  const parts = timed.map((g) => `${g.group} memorizes at median step ${g.memorizedStep} and generalizes at ${g.generalizedStep}`);
  const same = new Set(timed.map((g) => g.memorizedStep)).size === 1 && new Set(timed.map((g) => g.generalizedStep)).size === 1;
  return `. Data groups: ${parts.join('; ')}${same ? ' (they move together)' : ''}`;
}
