// Every query the page sends, with the shapes of their answers. Kept small: the gateway limits
// depth (12) and estimated cost (50k objects), so a run's checkpoints come a page at a time.
import { describeErrors, query, type GraphQLAnswer } from './api.js';
import type { GraphQLErrorItem } from './errors.js';
import type { MaybePoint } from './series.js';

export interface RunSummary {
  id: string;
  name: string;
  architecture: string;
  createdAt: string;
  checkpointCount: number;
  probeSets: { id: string; domain: string }[];
}

export interface ProbeSetInfo {
  id: string;
  name: string;
  domain: string;
  sampleCount: number;
}

export interface CheckpointInfo {
  id: string;
  step: number;
  tokensSeen: number | null;
  status: string;
  captureJobs: { probeSetId: string; status: string; done: number; total: number; error: string | null }[];
  metricsJobs: { probeSetId: string; status: string; error: string | null; note: string | null }[];
  evaluationJobs: { task: string; status: string; done: number; total: number; error: string | null }[];
  evaluations: { task: string; metric: string; value: number; stderr: number | null; n: number }[];
}

/** One signature metric's evidence in an alert (metrics' MetricEvidence). */
export interface MetricEvidenceInfo {
  name: string;
  first: number | null;
  last: number | null;
  change: number | null;
  agrees: boolean;
  sharedWithControl: boolean;
  control: string | null;
}

export interface GrokkingAlertInfo {
  probeSetId: string;
  domain: string;
  startStep: number;
  endStep: number;
  agreeing: string[];
  evidence: {
    threshold?: number;
    loss?: { kind: string; max: number; spread: number };
    metrics?: MetricEvidenceInfo[];
    context?: Record<string, { first: number | null; last: number | null }>;
    scheduleChanges?: ScheduleChangeInfo[];
  };
  detectedAt: string;
}

export interface RunDetail {
  id: string;
  name: string;
  architecture: string;
  watchDir: string | null;
  tasks: string[];
  thresholds: number[];
  createdAt: string;
  probeSets: ProbeSetInfo[];
  checkpoints: CheckpointInfo[];
  grokkingAlerts: GrokkingAlertInfo[];
  scheduleChanges: ScheduleChangeInfo[];
}

/** A learning-rate or weight-decay step change between two checkpoints (a confound of every trend). */
export interface ScheduleChangeInfo {
  name: string;
  fromStep: number;
  toStep: number;
  before: number;
  after: number;
}

export interface MemorizationInfo {
  eps: number;
  calibrated: boolean;
  inBand: boolean | null;
  delta: number;
  total: number;
  memorized: number;
  fraction: number;
  steps: number[];
  groups: { label: string; step: number; size: number }[];
}

/** How much of a metric series exists; the API never computes on read, so a series can be partial. */
export interface CoverageInfo {
  expected: number;
  computed: number;
  pending: number;
  failed: number;
  missing: number;
  complete: boolean;
}

export interface SeriesInfo {
  points: MaybePoint[];
  coverage: CoverageInfo;
}

export interface DomainSeries {
  loss: SeriesInfo;
  /** The answer span's NLL, for probe rows that mark one (all points null otherwise). */
  targetLoss: SeriesInfo;
  distance: SeriesInfo;
  distanceNormalized: SeriesInfo;
  consistency: SeriesInfo;
  effectiveDimension: SeriesInfo;
  memorization: MemorizationInfo | null;
}

export interface CorrelationInfo {
  pearson: number | null;
  spearman: number | null;
  n: number;
  riseStep: number | null;
  coverage: CoverageInfo;
}

const COVERAGE = 'coverage { expected computed pending failed missing complete }';

export interface SampleInfo {
  id: string;
  index: number;
  externalId: string | null;
  group: string | null;
  text: string;
}

export interface SampleRoutingInfo {
  experts: number;
  nll: number | null;
  tokenCount: number | null;
  layers: { layer: number; weights: number[] }[];
  /** The pathway at the requested tau, as the API extracts it (method.md 3). */
  pathway: { layers: number[][]; text: string };
}

export async function fetchRuns(): Promise<GraphQLAnswer<{ runs: RunSummary[] }>> {
  return query<{ runs: RunSummary[] }>('Runs', `query Runs { runs(limit: 400) { id name architecture createdAt checkpointCount probeSets { id domain } } }`);
}

/** Checkpoints per request: each carries its jobs and scores, so a page costs about 25k of the 50k allowed. */
export const CHECKPOINT_PAGE = 100;

const CHECKPOINT_FIELDS = `id step tokensSeen status
  captureJobs(limit: 10) { probeSetId status done total error }
  metricsJobs(limit: 100) { probeSetId status error note }
  evaluationJobs(limit: 20) { task status done total error }
  evaluations(limit: 100) { task metric value stderr n }`;

/** A run with every checkpoint: the first page with the run, the rest a page per request. */
export async function fetchRun(id: string): Promise<GraphQLAnswer<{ run: RunDetail | null }>> {
  const first = await query<{ run: (RunDetail & { checkpointCount: number }) | null }>(
    'Run',
    `query Run($id: ID!) {
    run(id: $id) {
      id name architecture watchDir tasks thresholds createdAt checkpointCount
      probeSets { id name domain sampleCount }
      checkpoints(limit: ${CHECKPOINT_PAGE}) { ${CHECKPOINT_FIELDS} }
      grokkingAlerts(limit: 1000) { probeSetId domain startStep endStep agreeing evidence detectedAt }
      scheduleChanges { name fromStep toStep before after }
    }
  }`,
    { id },
  );
  const run = first.data.run;
  if (run === null) return first;
  const errors = [...first.errors];
  for (let offset = CHECKPOINT_PAGE; offset < run.checkpointCount; offset += CHECKPOINT_PAGE) {
    const page = await query<{ run: { checkpoints: CheckpointInfo[] } | null }>(
      'RunCheckpoints',
      `query RunCheckpoints($id: ID!, $offset: Int!) {
      run(id: $id) { checkpoints(offset: $offset, limit: ${CHECKPOINT_PAGE}) { ${CHECKPOINT_FIELDS} } }
    }`,
      { id, offset },
    );
    errors.push(...page.errors);
    if (page.data.run === null || page.data.run.checkpoints.length === 0) break;
    run.checkpoints.push(...page.data.run.checkpoints);
  }
  return { data: { run }, errors };
}

export async function fetchDomainSeries(runId: string, probeSet: string, tau: number): Promise<GraphQLAnswer<{ run: DomainSeries | null }>> {
  const sel = 'probeSet: $ps, threshold: $tau';
  return query<{ run: DomainSeries | null }>(
    'DomainSeries',
    `query DomainSeries($id: ID!, $ps: ID!, $tau: Float!) {
    run(id: $id) {
      loss: metricSeries(${sel}, metric: training_loss) { points { step value } ${COVERAGE} }
      targetLoss: metricSeries(${sel}, metric: target_loss) { points { step value } ${COVERAGE} }
      distance: metricSeries(${sel}, metric: distance) { points { step value } ${COVERAGE} }
      distanceNormalized: metricSeries(${sel}, normalized: true, metric: distance) { points { step value } ${COVERAGE} }
      consistency: metricSeries(${sel}, metric: consistency) { points { step value } ${COVERAGE} }
      effectiveDimension: metricSeries(${sel}, metric: effective_dimension) { points { step value } ${COVERAGE} }
      memorization(probeSet: $ps) { eps calibrated inBand delta total memorized fraction steps groups { label step size } }
    }
  }`,
    { id: runId, ps: probeSet, tau },
  );
}

/** The metrics correlated with test accuracy, as GraphQL aliases and their arguments. */
export const CORRELATED = [
  { key: 'distance', label: 'pathway distance', args: 'metric: distance', expected: '−' },
  { key: 'distanceNormalized', label: 'normalized distance', args: 'metric: distance, normalized: true', expected: '−' },
  { key: 'consistency', label: 'consistency', args: 'metric: consistency', expected: '+' },
  { key: 'effectiveDimension', label: 'effective dimension', args: 'metric: effective_dimension', expected: '−' },
  { key: 'loss', label: 'training loss', args: 'metric: training_loss', expected: 'weak' },
] as const;

export type CorrelationKey = (typeof CORRELATED)[number]['key'];
export type DomainCorrelation = Record<CorrelationKey | `${CorrelationKey}Rise`, CorrelationInfo>;

export async function fetchCorrelation(
  runId: string,
  probeSet: string,
  tau: number,
  benchmark: string,
  benchmarkMetric: string,
): Promise<GraphQLAnswer<{ run: DomainCorrelation | null }>> {
  const fields = CORRELATED.flatMap((m) => [
    `${m.key}: correlation(probeSet: $ps, threshold: $tau, benchmark: $b, benchmarkMetric: $bm, ${m.args}) { ...C }`,
    `${m.key}Rise: correlation(probeSet: $ps, threshold: $tau, benchmark: $b, benchmarkMetric: $bm, afterRise: true, ${m.args}) { ...C }`,
  ]);
  return query<{ run: DomainCorrelation | null }>(
    'Correlation',
    `query Correlation($id: ID!, $ps: ID!, $tau: Float!, $b: String!, $bm: String) {
    run(id: $id) { ${fields.join('\n')} }
  }
  fragment C on Correlation { pearson spearman n riseStep ${COVERAGE} }`,
    { id: runId, ps: probeSet, tau, b: benchmark, bm: benchmarkMetric },
  );
}

export interface SamplePage {
  probeSet: { id: string; sampleCount: number; samples: SampleInfo[] } | null;
}

export async function fetchSamples(probeSet: string, limit: number, offset: number): Promise<GraphQLAnswer<SamplePage>> {
  return query<SamplePage>(
    'Samples',
    `query Samples($ps: ID!, $limit: Int!, $offset: Int!) {
    probeSet(id: $ps) { id sampleCount samples(limit: $limit, offset: $offset) { id index externalId group text } }
  }`,
    { ps: probeSet, limit, offset },
  );
}

/** The sample's routing at each checkpoint, one aliased field per checkpoint (c0, c1, ...). */
export interface SampleRoutingAnswer {
  /** False when the sample id no longer exists. */
  found: boolean;
  /** Per checkpoint id given, its routing or null (not captured). */
  routing: (SampleRoutingInfo | null)[];
  /** Per checkpoint, why its routing failed to load (null: it did not fail). */
  problems: (string | null)[];
  /** Errors not tied to one checkpoint. */
  errors: GraphQLErrorItem[];
}

/** Checkpoints per routing request: each is charged its layers twice (weights and pathway, at most 128 each), so 100 stay within the 50k cost. */
export const ROUTING_CHECKPOINTS_PER_REQUEST = 100;

export async function fetchSampleRouting(sampleId: string, checkpointIds: readonly string[], tau: number): Promise<SampleRoutingAnswer> {
  const parts: SampleRoutingAnswer[] = [];
  for (let from = 0; from === 0 || from < checkpointIds.length; from += ROUTING_CHECKPOINTS_PER_REQUEST) {
    parts.push(await fetchSampleRoutingPart(sampleId, checkpointIds.slice(from, from + ROUTING_CHECKPOINTS_PER_REQUEST), tau));
  }
  return {
    found: parts.every((p) => p.found),
    routing: parts.flatMap((p) => p.routing),
    problems: parts.flatMap((p) => p.problems),
    errors: parts.flatMap((p) => p.errors),
  };
}

async function fetchSampleRoutingPart(sampleId: string, checkpointIds: readonly string[], tau: number): Promise<SampleRoutingAnswer> {
  const vars: Record<string, unknown> = { s: sampleId, tau };
  const decls = ['$s: ID!', '$tau: Float!'];
  const fields = checkpointIds.map((id, i) => {
    vars[`c${i}`] = id;
    decls.push(`$c${i}: ID!`);
    return `c${i}: routing(checkpoint: $c${i}) { experts nll tokenCount layers { layer weights } pathway(tau: $tau) { layers text } }`;
  });
  const answer = await query<{ sample: (Record<string, SampleRoutingInfo | null> & { id: string }) | null }>(
    'SampleRouting',
    `query SampleRouting(${decls.join(', ')}) { sample(id: $s) { id ${fields.join('\n')} } }`,
    vars,
  );
  const sample = answer.data.sample;
  const routing = checkpointIds.map((_, i) => (sample ? (sample[`c${i}`] as SampleRoutingInfo | null) : null));
  const alias = (e: GraphQLErrorItem): string | undefined => (e.path?.[0] === 'sample' ? String(e.path[1] ?? '') : undefined);
  const problems = checkpointIds.map((_, i) => answer.errors.find((e) => alias(e) === `c${i}`)?.message ?? null);
  return { found: sample !== null, routing, problems, errors: answer.errors.filter((e) => !/^c\d+$/.test(alias(e) ?? '')) };
}

/** The API compares at most this many checkpoints per request (Sample.pathwayDistances). */
const DISTANCE_CHECKPOINTS_PER_REQUEST = 1000;

/**
 * The pathway distance between the sample's pathways at consecutive checkpoints of `checkpointIds`
 * (n - 1 values), computed by the API; requests overlap by one checkpoint so no pair is lost.
 */
export async function fetchPathwayDistances(sampleId: string, checkpointIds: readonly string[], tau: number): Promise<(number | null)[]> {
  const out: (number | null)[] = [];
  for (let from = 0; from < checkpointIds.length - 1; from += DISTANCE_CHECKPOINTS_PER_REQUEST - 1) {
    const ids = checkpointIds.slice(from, from + DISTANCE_CHECKPOINTS_PER_REQUEST);
    const answer = await query<{ sample: { pathwayDistances: (number | null)[] } | null }>(
      'PathwayDistances',
      'query PathwayDistances($s: ID!, $ids: [ID!]!, $tau: Float!) { sample(id: $s) { pathwayDistances(checkpointIds: $ids, tau: $tau) } }',
      { s: sampleId, ids, tau },
    );
    if (answer.errors.length > 0) throw new Error(describeErrors(answer.errors).join('; '));
    out.push(...(answer.data.sample?.pathwayDistances ?? ids.slice(1).map(() => null)));
  }
  return out;
}

export interface LayerHealthInfo {
  layer: number;
  deadExperts: number;
  coefficientOfVariation: number;
  maxOverMean: number;
  normalizedEntropy: number;
}

export interface RoutingHealthInfo {
  step: number;
  complete: boolean;
  samples: number;
  expectedSamples: number;
  basis: string | null;
  layers: LayerHealthInfo[];
}

export interface CollapseAlertInfo {
  recoveredStep: number | null;
  layer: number;
  step: number;
  deadExperts: number;
  baselineDead: number;
  experts: number;
}

const HEALTH_PAGE = 100;

/** Routing health at every checkpoint of the run over all its probe sets, and the run's collapse alerts. */
export async function fetchRoutingHealth(runId: string): Promise<GraphQLAnswer<{ points: RoutingHealthInfo[]; alerts: CollapseAlertInfo[] }>> {
  const points: RoutingHealthInfo[] = [];
  const errors: GraphQLErrorItem[] = [];
  let alerts: CollapseAlertInfo[] = [];
  for (let offset = 0; ; offset += HEALTH_PAGE) {
    const page = await query<{ run: { routingHealth: RoutingHealthInfo[]; routingCollapseAlerts?: CollapseAlertInfo[] } | null }>(
      'RoutingHealth',
      `query RoutingHealth($id: ID!, $o: Int!) {
      run(id: $id) {
        routingHealth(offset: $o, limit: ${HEALTH_PAGE}) { step complete samples expectedSamples basis layers { layer deadExperts coefficientOfVariation maxOverMean normalizedEntropy } }
        ${offset === 0 ? 'routingCollapseAlerts(limit: 500) { layer step deadExperts baselineDead experts recoveredStep }' : ''}
      }
    }`,
      { id: runId, o: offset },
    );
    errors.push(...page.errors);
    const run = page.data.run;
    if (run === null) break;
    if (run.routingCollapseAlerts) alerts = run.routingCollapseAlerts;
    points.push(...run.routingHealth);
    if (run.routingHealth.length < HEALTH_PAGE) break;
  }
  return { data: { points, alerts }, errors };
}

export interface StepGroupInfo {
  label: string;
  step: number;
  size: number;
}

/** A probe set's training groups paired with its domain's test groups (Run.groupPairing). */
export interface GroupPairingInfo {
  probeSetId: string;
  domain: string;
  tasks: string[];
  embedding: { source: string; model: string | null; step: number | null };
  trainGroups: StepGroupInfo[];
  testGroups: StepGroupInfo[];
  pairs: { train: StepGroupInfo; test: StepGroupInfo; lag: number; similarity: number; metrics: { step: number; distance: number | null; meanNll: number | null }[] }[];
  unpairedTrain: string[];
  unpairedTest: string[];
  dataGroups: { group: string; samples: number; memorized: number; memorizedStep: number | null; items: number; generalized: number; generalizedStep: number | null }[];
  together: boolean;
  note: string;
  partial: boolean;
}

/** Pairs drawn per probe set (the view's arrows; the API pages them). */
export const PAIRS_SHOWN = 50;

export async function fetchGroupPairing(runId: string, probeSet: string): Promise<GraphQLAnswer<{ run: { groupPairing: GroupPairingInfo | null } | null }>> {
  return query<{ run: { groupPairing: GroupPairingInfo | null } | null }>(
    'GroupPairing',
    `query GroupPairing($id: ID!, $ps: ID!) {
    run(id: $id) {
      groupPairing(probeSet: $ps) {
        probeSetId domain tasks embedding { source model step }
        trainGroups { label step size } testGroups { label step size }
        pairs(limit: ${PAIRS_SHOWN}) { train { label step size } test { label step size } lag similarity metrics { step distance meanNll } }
        unpairedTrain unpairedTest together note partial
        dataGroups { group samples memorized memorizedStep items generalized generalizedStep }
      }
    }
  }`,
    { id: runId, ps: probeSet },
  );
}
