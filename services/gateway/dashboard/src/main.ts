// The dashboard's composition root: reads the selection from the URL hash, loads the chosen run
// through the GraphQL API, renders every section, and refreshes while the platform works.
import { describeErrors } from './api.js';
import { onChartZoom } from './chart.js';
import { openChartDialog } from './chart-zoom.js';
import { code, fill, h, notice } from './dom.js';
import { GraphQLRequestError } from './errors.js';
import { StepHover } from './hover.js';
import { benchmarkOf, DEFAULT_TAU, phaseAlerts, type DomainData, type RunView } from './model.js';
import { fetchCorrelation, fetchDomainSeries, fetchGroupPairing, fetchRoutingHealth, fetchRun, fetchRuns, type DomainSeries, type RunDetail, type RunSummary } from './queries.js';
import type { StepScaleKind } from './scale.js';
import { renderCorrelations, type CorrelationResult } from './views/correlation.js';
import { renderCurves, stepAxisNote } from './views/curves.js';
import { renderHealth, type RunHealth } from './views/health.js';
import { renderMemorization } from './views/memorization.js';
import { renderGroups, type DomainPairing } from './views/groups.js';
import { renderOverview } from './views/overview.js';
import { SampleExplorer, type SampleSelection } from './views/samples.js';

const REFRESH_MS = 10_000;
/** The run a visit opens on when the address names none: the last one chosen here, else the bundled signature run, else the newest. */
const REMEMBERED_RUN = 'grokwatch.run';
const BUNDLED_RUN = 'grokking-clean';

function rememberedRun(): string | null {
  try {
    return localStorage.getItem(REMEMBERED_RUN);
  } catch {
    return null; // storage disabled: the address alone says
  }
}

function rememberRun(id: string): void {
  try {
    localStorage.setItem(REMEMBERED_RUN, id);
  } catch {
    // storage disabled
  }
}

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`dashboard page lacks #${id}`);
  return el as T;
}

const ui = {
  runSelect: byId<HTMLSelectElement>('run-select'),
  compareSelect: byId<HTMLSelectElement>('compare-select'),
  tauSelect: byId<HTMLSelectElement>('tau-select'),
  scaleLinear: byId<HTMLButtonElement>('scale-linear'),
  scaleLog: byId<HTMLButtonElement>('scale-log'),
  auto: byId<HTMLInputElement>('auto-refresh'),
  status: byId<HTMLElement>('status'),
  overview: byId<HTMLElement>('overview-body'),
  curves: byId<HTMLElement>('curves-body'),
  correlation: byId<HTMLElement>('correlation-body'),
  memorization: byId<HTMLElement>('memorization-body'),
  groups: byId<HTMLElement>('groups-body'),
  health: byId<HTMLElement>('health-body'),
  samples: byId<HTMLElement>('samples-body'),
};

interface State {
  runId: string | null;
  /** Another run overlaid on the curves (same domains), or null. */
  compareRunId: string | null;
  tau: number;
  scale: StepScaleKind;
  sample: SampleSelection;
}

function readHash(): State {
  const p = new URLSearchParams(location.hash.slice(1));
  const num = (k: string): number | null => (p.get(k) !== null && Number.isFinite(Number(p.get(k))) ? Number(p.get(k)) : null);
  return {
    runId: p.get('run'),
    compareRunId: p.get('vs'),
    tau: num('tau') ?? DEFAULT_TAU,
    scale: p.get('scale') === 'log' ? 'log' : 'linear',
    sample: { probeSetId: p.get('ps'), sampleId: p.get('sample'), checkpointId: p.get('cp'), tau: num('stau') ?? num('tau') ?? DEFAULT_TAU },
  };
}

function writeHash(s: State): void {
  const p = new URLSearchParams();
  if (s.runId) p.set('run', s.runId);
  if (s.compareRunId) p.set('vs', s.compareRunId);
  p.set('tau', String(s.tau));
  p.set('scale', s.scale);
  if (s.sample.probeSetId) p.set('ps', s.sample.probeSetId);
  if (s.sample.sampleId) p.set('sample', s.sample.sampleId);
  if (s.sample.checkpointId) p.set('cp', s.sample.checkpointId);
  p.set('stau', String(s.sample.tau));
  history.replaceState(null, '', `#${p.toString()}`);
}

onChartZoom((spec, axis) => void openChartDialog(spec, axis));

const state = readHash();
const hover = new StepHover();
const explorer = new SampleExplorer(state.sample, (sel) => {
  state.sample = sel;
  writeHash(state);
});
ui.samples.append(explorer.root);

let runs: RunSummary[] = [];
let lastView: RunView | null = null;
let loading = false;
let timer: number | undefined;

/** Panels (details[data-panel]) a person opened or closed keep that state when a refresh redraws them. */
const panelState = new Map<string, boolean>();
document.addEventListener(
  'toggle',
  (ev) => {
    const el = ev.target;
    if (el instanceof HTMLDetailsElement && el.dataset.panel !== undefined) panelState.set(el.dataset.panel, el.open);
  },
  true,
);

function restorePanels(): void {
  for (const el of document.querySelectorAll<HTMLDetailsElement>('details[data-panel]')) {
    const open = panelState.get(el.dataset.panel!);
    if (open !== undefined && el.open !== open) el.open = open;
  }
}

function message(err: unknown): string {
  if (err instanceof GraphQLRequestError || err instanceof Error) return err.message;
  return String(err);
}

function setStatus(text: string, error = false): void {
  ui.status.textContent = text;
  ui.status.classList.toggle('status-error', error);
}

function renderRunOptions(): void {
  fill(
    ui.runSelect,
    ...runs.map((r) => h('option', { value: r.id, selected: r.id === state.runId }, `${r.name} · ${r.checkpointCount} checkpoint${r.checkpointCount === 1 ? '' : 's'}`)),
  );
  ui.runSelect.disabled = runs.length === 0;
  const others = runs.filter((r) => r.id !== state.runId);
  if (state.compareRunId !== null && !others.some((r) => r.id === state.compareRunId)) state.compareRunId = null;
  fill(
    ui.compareSelect,
    h('option', { value: '', selected: state.compareRunId === null }, 'none'),
    ...others.map((r) => h('option', { value: r.id, selected: r.id === state.compareRunId }, r.name)),
  );
  ui.compareSelect.disabled = others.length === 0;
}

/** The compared run's series of each of the domains, by domain; empty when none is chosen or it fails. */
async function loadCompared(): Promise<Map<string, { runName: string; series: DomainSeries }>> {
  const out = new Map<string, { runName: string; series: DomainSeries }>();
  if (state.compareRunId === null) return out;
  try {
    const other = (await fetchRun(state.compareRunId)).data.run;
    if (other === null) return out;
    for (const ps of other.probeSets) {
      const answer = await fetchDomainSeries(other.id, ps.id, state.tau);
      if (answer.data.run !== null) out.set(ps.domain, { runName: other.name, series: answer.data.run });
    }
  } catch (err) {
    setStatus(`comparison not loaded: ${message(err)}`, true);
  }
  return out;
}

function renderTauOptions(run: RunDetail): void {
  const taus = [...new Set([...(run.thresholds.length ? run.thresholds : [DEFAULT_TAU])])].sort((a, b) => a - b);
  if (!taus.includes(state.tau)) state.tau = taus.includes(DEFAULT_TAU) ? DEFAULT_TAU : taus[0];
  fill(ui.tauSelect, ...taus.map((t) => h('option', { value: t, selected: t === state.tau }, String(t))));
}

function renderNoRuns(): void {
  fill(
    ui.overview,
    notice(
      'empty',
      'No runs yet.',
      h('p', null, 'Start the bundled demo with ', code('npm start'), ' (it registers the grokking run and measures every checkpoint), or create a run:'),
      h('pre', null, 'grokwatch run create my-run --probe-sets ID --tasks grok_math\ngrokwatch checkpoint register --run my-run --step 1000 --uri /ckpt/step1000'),
      h('p', null, 'This page checks again every 10 seconds.'),
    ),
  );
  for (const el of [ui.curves, ui.correlation, ui.memorization, ui.groups, ui.health]) fill(el, h('p', { class: 'muted' }, 'Waiting for a run.'));
  fill(explorer.root);
}

async function loadDomain(run: RunDetail, index: number): Promise<DomainData> {
  const probeSet = run.probeSets[index];
  const alerts = phaseAlerts(run.grokkingAlerts).filter((a) => a.probeSetId === probeSet.id);
  const base: DomainData = { probeSet, series: null, problems: [], benchmark: benchmarkOf(run, probeSet.domain), alerts };
  try {
    const answer = await fetchDomainSeries(run.id, probeSet.id, state.tau);
    return { ...base, series: answer.data.run, problems: describeErrors(answer.errors) };
  } catch (err) {
    return { ...base, problems: [message(err)] };
  }
}

async function loadPairing(run: RunDetail, probeSet: { id: string; domain: string }): Promise<DomainPairing> {
  try {
    const answer = await fetchGroupPairing(run.id, probeSet.id);
    return { domain: probeSet.domain, pairing: answer.data.run?.groupPairing ?? null, problems: describeErrors(answer.errors) };
  } catch (err) {
    return { domain: probeSet.domain, pairing: null, problems: [message(err)] };
  }
}

async function loadHealth(run: RunDetail): Promise<RunHealth> {
  const base = { probeSets: run.probeSets.length, points: [], alerts: [], problems: [] };
  try {
    const answer = await fetchRoutingHealth(run.id);
    return { ...base, ...answer.data, problems: describeErrors(answer.errors) };
  } catch (err) {
    return { ...base, problems: [message(err)] };
  }
}

async function loadCorrelation(run: RunDetail, d: DomainData): Promise<CorrelationResult | null> {
  const b = d.benchmark;
  if (b === null || b.metric === null || b.points.length < 2) return null;
  try {
    const answer = await fetchCorrelation(run.id, d.probeSet.id, state.tau, b.task, b.metric);
    return { data: answer.data.run, problems: describeErrors(answer.errors) };
  } catch (err) {
    return { data: null, problems: [message(err)] };
  }
}

function renderCurvesSection(view: RunView): void {
  fill(ui.curves, stepAxisNote(view), renderCurves(view));
}

async function load(): Promise<void> {
  if (loading) return;
  loading = true;
  setStatus('loading…');
  try {
    runs = (await fetchRuns()).data.runs;
    // The bundled run first (scratch runs must not push it aside), then the newest.
    runs.sort((a, b) => Number(b.name === BUNDLED_RUN) - Number(a.name === BUNDLED_RUN) || b.createdAt.localeCompare(a.createdAt));
    if (runs.length === 0) {
      state.runId = null;
      renderRunOptions();
      renderNoRuns();
      setStatus(`no runs · checked ${new Date().toLocaleTimeString()}`);
      return;
    }
    if (state.runId === null || !runs.some((r) => r.id === state.runId)) {
      const remembered = rememberedRun();
      state.runId = remembered !== null && runs.some((r) => r.id === remembered) ? remembered : runs[0].id;
    }
    renderRunOptions();
    const run = (await fetchRun(state.runId)).data.run;
    if (run === null) {
      fill(ui.overview, notice('error', `Run ${state.runId} no longer exists.`));
      return;
    }
    renderTauOptions(run);
    writeHash(state);
    const checkpoints = [...run.checkpoints].sort((a, b) => a.step - b.step);
    const compared = await loadCompared();
    const domains = (await Promise.all(run.probeSets.map((_, i) => loadDomain(run, i)))).map((d) => ({ ...d, compare: compared.get(d.probeSet.domain) ?? null }));
    const view: RunView = {
      run,
      checkpoints,
      tau: state.tau,
      domains,
      alerts: phaseAlerts(run.grokkingAlerts),
      axis: { steps: checkpoints.map((c) => c.step), kind: state.scale, hover },
    };
    lastView = view;
    fill(ui.overview, renderOverview(view));
    restorePanels();
    renderCurvesSection(view);
    fill(ui.memorization, renderMemorization(domains));
    fill(ui.groups, renderGroups(view, await Promise.all(run.probeSets.map((p) => loadPairing(run, p)))));
    fill(ui.health, renderHealth(view, await loadHealth(run)));
    const correlations = new Map<string, CorrelationResult>();
    const answers = await Promise.all(domains.map((d) => loadCorrelation(run, d)));
    domains.forEach((d, i) => {
      const a = answers[i];
      if (a) correlations.set(d.probeSet.id, a);
    });
    fill(ui.correlation, renderCorrelations(domains, correlations));
    await explorer.setView(view);
    setStatus(`updated ${new Date().toLocaleTimeString()}`);
  } catch (err) {
    setStatus(message(err), true);
    fill(
      ui.overview,
      notice(
        'error',
        'The dashboard could not load its data.',
        h('p', null, message(err)),
        h('p', null, 'Check that the gateway is running; this page retries on the next refresh.'),
      ),
    );
  } finally {
    loading = false;
    schedule();
  }
}

function schedule(): void {
  window.clearTimeout(timer);
  if (ui.auto.checked) timer = window.setTimeout(() => void load(), REFRESH_MS);
}

function setScale(kind: StepScaleKind): void {
  state.scale = kind;
  ui.scaleLinear.setAttribute('aria-pressed', String(kind === 'linear'));
  ui.scaleLog.setAttribute('aria-pressed', String(kind === 'log'));
  writeHash(state);
  if (lastView) {
    lastView = { ...lastView, axis: { ...lastView.axis, kind } };
    renderCurvesSection(lastView);
  }
}

ui.runSelect.addEventListener('change', () => {
  state.runId = ui.runSelect.value;
  rememberRun(state.runId);
  state.sample = { ...state.sample, probeSetId: null, sampleId: null, checkpointId: null };
  void load();
});
ui.compareSelect.addEventListener('change', () => {
  state.compareRunId = ui.compareSelect.value === '' ? null : ui.compareSelect.value;
  writeHash(state);
  void load();
});
ui.tauSelect.addEventListener('change', () => {
  state.tau = Number(ui.tauSelect.value);
  void load();
});
ui.scaleLinear.addEventListener('click', () => setScale('linear'));
ui.scaleLog.addEventListener('click', () => setScale('log'));
ui.auto.addEventListener('change', schedule);
window.addEventListener('unhandledrejection', (ev) => {
  setStatus(message(ev.reason), true);
  ev.preventDefault();
});

setScale(state.scale);
void load();
