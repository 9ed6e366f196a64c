// The pipeline step that keeps a run's test groups and group pairings current: after an evaluation
// or a capture completes, or the run's settings change, each of its tasks' test groups and each of
// its probe sets' pairing is recomputed when its inputs changed (a fingerprint of the completed
// evaluations and captures it reads). Reads only read what this stores.
// Refreshes of one run run one after another: events that arrive while one runs find their inputs
// already covered (same fingerprint) and return at once.
import { createHash } from 'node:crypto';
import { tasksOfDomain } from '@grokwatch/benchmark';
import { SentenceEmbedder } from '@grokwatch/model';
import type { DistanceEngine } from '@grokwatch/pathway';
import type { Logger } from '@grokwatch/service-kit';
import { judgedParams } from '../grokking/grokking-watch.js';
import type { QueryDeps } from '../queries/deps.js';
import { MEMORIZATION_DELTA, memorizationOf, type MemorizationOutcome } from '../queries/memorization-query.js';
import type { ProbeSetRef } from '../store/source-store.js';
import { computePairing, CurvePointCache, median, unpairedResult, type DataGroupTiming, type TaskTestGroups, type TextEmbedder } from './group-pairing.js';
import type { GroupStore } from './group-store.js';
import { computeTestGroups, keptTestGroups } from './test-groups.js';

export interface GroupWatchDeps extends QueryDeps {
  groups: GroupStore;
  engine: DistanceEngine;
  logger: Logger;
  /** Curve points kept between refreshes. */
  cache?: CurvePointCache;
  /** Opens the sentence-embedding model a run names (settings.embeddingModel). */
  openEmbedder?: (path: string) => Promise<TextEmbedder>;
}

export interface RefreshReport {
  testGroups: string[];
  pairings: string[];
}

function fingerprint(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/** Serializes refreshes per run. */
export class GroupWatch {
  private readonly chains = new Map<string, Promise<unknown>>();
  private readonly cache = new CurvePointCache();
  constructor(private readonly deps: GroupWatchDeps) {}

  refresh(runId: string): Promise<RefreshReport> {
    const previous = this.chains.get(runId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => refreshRunGroups({ ...this.deps, cache: this.cache }, runId));
    this.chains.set(runId, next);
    void next
      .finally(() => {
        if (this.chains.get(runId) === next) this.chains.delete(runId);
      })
      .catch(() => undefined);
    return next;
  }
}

/** Recomputes what changed; returns the tasks and probe sets recomputed. */
export async function refreshRunGroups(deps: GroupWatchDeps, runId: string): Promise<RefreshReport> {
  const { sources, groups } = deps;
  const report: RefreshReport = { testGroups: [], pairings: [] };
  const settings = await sources.runGroupSettings(runId);
  if (!settings) return report;
  const checkpoints = await sources.listRunCheckpoints(runId);
  const ids = checkpoints.map((c) => c.id);
  // Every completed evaluation of the run's tasks, read once for all the fingerprints below.
  const completed = await sources.completedEvaluations(ids, settings.tasks);

  for (const task of settings.tasks) {
    const evaluations = completed.filter((key) => key.startsWith(`${task}@`));
    const fp = fingerprint({ evaluations, checkpoints: ids, filter: settings.contaminationFilter });
    if ((await groups.testFingerprint(runId, task)) === fp) continue;
    const result = computeTestGroups(checkpoints, await sources.evaluatedItems(ids, task), { apply: settings.contaminationFilter });
    if (result === null) await groups.deleteTestGroups(runId, task);
    else await groups.replaceTestGroups(runId, task, result, checkpoints.length, fp);
    report.testGroups.push(task);
  }

  const params = await judgedParams(deps, runId);
  for (const probeSet of await sources.runProbeSets(runId)) {
    const tasks = tasksOfDomain(probeSet.domain, settings.tasks);
    const captures = [...(await sources.routingCounts(ids, probeSet.id)).entries()].sort();
    const fp = fingerprint({
      captures,
      evaluations: completed.filter((key) => tasks.some((t) => key.startsWith(`${t}@`))),
      checkpoints: ids,
      filter: settings.contaminationFilter,
      embeddingModel: settings.embeddingModel,
      params,
    });
    if ((await groups.pairingFingerprint(runId, probeSet.id)) === fp) continue;
    await refreshPairing(deps, runId, probeSet, tasks, settings.embeddingModel, params, checkpoints, fp);
    report.pairings.push(probeSet.name);
  }
  if (report.testGroups.length + report.pairings.length > 0) deps.logger.info({ runId, ...report }, 'test groups and pairings refreshed');
  return report;
}

async function refreshPairing(
  deps: GroupWatchDeps,
  runId: string,
  probeSet: ProbeSetRef,
  tasks: readonly string[],
  embeddingModel: string | null,
  params: Awaited<ReturnType<typeof judgedParams>>,
  checkpoints: Awaited<ReturnType<GroupWatchDeps['sources']['listRunCheckpoints']>>,
  fp: string,
): Promise<void> {
  const memorization = await memorizationOf(deps, runId, probeSet, { delta: MEMORIZATION_DELTA });
  if (memorization === null) {
    await deps.groups.deletePairing(runId, probeSet.id);
    return;
  }
  const tests: TaskTestGroups[] = [];
  // Each kept item's data group and t#, read once for the test groups and the data-group timing.
  const keptItems: { group: string | null; step: number | null }[] = [];
  for (const task of tasks) {
    const summary = await deps.groups.testSummary(runId, task);
    if (!summary) continue;
    const kept = await deps.groups.keptItems(runId, task);
    keptItems.push(...kept);
    const steps = summary.steps;
    const items = kept.map((k) => ({ contaminated: false, generalizedStep: k.step }));
    tests.push({ task, steps, groups: keptTestGroups(items, steps), docIndices: kept.map((k) => k.docIndex), expectedCheckpoints: summary.expected_checkpoints });
  }
  const dataGroups = await dataGroupTimings(deps, probeSet, memorization, keptItems);
  const inputs = { runId, probeSet, checkpoints, memorization, tests, params, embedder: null, dataGroups, ...(deps.cache ? { cache: deps.cache } : {}) };
  let embedder: TextEmbedder | null = null;
  if (embeddingModel !== null) {
    try {
      embedder = await (deps.openEmbedder ?? openSentenceEmbedder)(embeddingModel);
    } catch (err) {
      // A folder that is no embedding model is the run's setting to fix: said in the result, not retried.
      await deps.groups.replacePairing(runId, unpairedResult(inputs, `the run's embedding model cannot be used: ${(err as Error).message}`), fp);
      return;
    }
  }
  try {
    const result = await computePairing(deps.sources, deps.engine, { ...inputs, embedder });
    await deps.groups.replacePairing(runId, result, fp);
  } finally {
    await embedder?.release?.();
  }
}

/** Median memorization step of each data group's samples and median t# of its test items (kept ones) across the domain's tasks. */
async function dataGroupTimings(
  deps: GroupWatchDeps,
  probeSet: ProbeSetRef,
  memorization: MemorizationOutcome,
  keptItems: readonly { group: string | null; step: number | null }[],
): Promise<DataGroupTiming[]> {
  const sampleGroup = await deps.sources.sampleGroups(probeSet.id);
  const steps = memorization.checkpoints.map((c) => c.step);
  const memorizedAt = new Map<string, (number | null)[]>();
  memorization.samples.forEach((idx, i) => {
    const group = sampleGroup.get(idx);
    if (group == null) return;
    const t = memorization.index[i];
    memorizedAt.set(group, [...(memorizedAt.get(group) ?? []), t == null ? null : steps[t]]);
  });
  const generalizedAt = new Map<string, (number | null)[]>();
  for (const item of keptItems) {
    if (item.group === null) continue;
    generalizedAt.set(item.group, [...(generalizedAt.get(item.group) ?? []), item.step]);
  }
  const names = [...new Set([...memorizedAt.keys(), ...generalizedAt.keys()])].sort();
  return names.map((group) => {
    const m = memorizedAt.get(group) ?? [];
    const g = generalizedAt.get(group) ?? [];
    return {
      group,
      samples: m.length,
      memorized: m.filter((x) => x !== null).length,
      memorizedStep: median(m),
      items: g.length,
      generalized: g.filter((x) => x !== null).length,
      generalizedStep: median(g),
    };
  });
}

/** The default: the folder's model on onnxruntime (CPU). */
export async function openSentenceEmbedder(path: string): Promise<TextEmbedder> {
  const model = await SentenceEmbedder.load(path);
  return { name: path, embed: (texts) => model.embed(texts), release: () => model.release() };
}
