// One probe sample up close: its pathway at every checkpoint (extracted by the API at a tau of the
// user's choice, with the distance to the previous one) and a layer x expert heatmap of its routing.
import { describeErrors } from '../api.js';
import { code, fill, h, notice } from '../dom.js';
import { formatStep, formatValue } from '../format.js';
import { renderHeatmap } from '../heatmap.js';
import type { RunView } from '../model.js';
import { fetchPathwayDistances, fetchSampleRouting, fetchSamples, type SampleInfo, type SampleRoutingInfo } from '../queries.js';

const PAGE = 100;

interface CheckpointPathway {
  checkpointId: string;
  step: number;
  routing: SampleRoutingInfo | null;
  /** Edit distance to the previous checkpoint's pathway that exists; null for the first. */
  distance: number | null;
  problem: string | null;
}

export interface SampleSelection {
  probeSetId: string | null;
  sampleId: string | null;
  checkpointId: string | null;
  tau: number;
}

/** Keeps its own selection across refreshes of the run; `onChange` persists it (URL hash). */
export class SampleExplorer {
  readonly root = h('div', { class: 'samples' });
  private view: RunView | null = null;
  private samples: SampleInfo[] = [];
  private sampleCount = 0;
  private filter = '';
  private routing: CheckpointPathway[] = [];
  /** Identifies the routing loaded, so a refresh only refetches when something changed. */
  private routingKey = '';
  private loadSeq = 0;
  /** The run's probe sets and checkpoints last rendered. */
  private viewKey = '';

  constructor(
    private sel: SampleSelection,
    private readonly onChange: (sel: SampleSelection) => void,
  ) {}

  /** Shows the run's samples; a failed request is shown in the inspector, not thrown. */
  async setView(view: RunView): Promise<void> {
    this.view = view;
    const ids = view.run.probeSets.map((p) => p.id);
    if (this.sel.probeSetId === null || !ids.includes(this.sel.probeSetId)) {
      this.sel = { ...this.sel, probeSetId: ids[0] ?? null, sampleId: null, checkpointId: null };
      this.samples = [];
    }
    try {
      const fresh = this.samples.length === 0;
      if (fresh && this.sel.probeSetId !== null) await this.loadSamples(0);
      // Re-rendering on every refresh would take the focus from the filter box as the user types.
      const viewKey = `${ids.join(',')}|${view.checkpoints.map((c) => c.id).join(',')}`;
      const viewChanged = viewKey !== this.viewKey;
      this.viewKey = viewKey;
      if ((await this.loadRouting(false)) || fresh || viewChanged) this.render();
    } catch (err) {
      this.showError(err);
    }
  }

  private async loadSamples(offset: number): Promise<void> {
    const probeSetId = this.sel.probeSetId;
    if (probeSetId === null) return;
    const answer = await fetchSamples(probeSetId, PAGE, offset);
    const ps = answer.data.probeSet;
    if (ps === null) return;
    this.samples = offset === 0 ? ps.samples : [...this.samples, ...ps.samples];
    this.sampleCount = ps.sampleCount;
    if (this.sel.sampleId === null || !this.samples.some((x) => x.id === this.sel.sampleId)) {
      if (offset === 0) this.sel = { ...this.sel, sampleId: this.samples[0]?.id ?? null, checkpointId: null };
    }
  }

  /** Loads the selected sample's routing at every checkpoint; false when nothing could have changed. */
  private async loadRouting(force: boolean): Promise<boolean> {
    const view = this.view;
    const sampleId = this.sel.sampleId;
    if (view === null || sampleId === null) {
      this.routing = [];
      return true;
    }
    const checkpoints = view.checkpoints;
    const missing = this.routing.some((r) => r.routing === null);
    const key = `${sampleId}|${this.sel.tau}|${checkpoints.map((c) => c.id).join(',')}`;
    if (!force && key === this.routingKey && !missing) return false;
    const seq = ++this.loadSeq;
    const tau = this.sel.tau;
    const answer = await fetchSampleRouting(
      sampleId,
      checkpoints.map((c) => c.id),
      tau,
    );
    if (seq !== this.loadSeq) return false;
    this.routingKey = key;
    if (answer.errors.length > 0) throw new Error(describeErrors(answer.errors).join('; '));
    const routed = checkpoints.filter((_, i) => answer.routing[i]);
    const distances = await fetchPathwayDistances(
      sampleId,
      routed.map((c) => c.id),
      tau,
    );
    if (seq !== this.loadSeq) return false;
    const distanceOf = new Map(routed.slice(1).map((c, i) => [c.id, distances[i] ?? null]));
    this.routing = checkpoints.map((c, i) => ({
      checkpointId: c.id,
      step: c.step,
      routing: answer.routing[i] ?? null,
      distance: distanceOf.get(c.id) ?? null,
      problem: answer.problems[i] ? `step ${c.step}: ${answer.problems[i]}` : null,
    }));
    return true;
  }

  private showError(err: unknown): void {
    // Forget what was loaded so the next refresh fetches and renders again.
    this.routingKey = '';
    this.viewKey = '';
    fill(
      this.root,
      notice('error', 'The sample could not be loaded.', h('p', null, err instanceof Error ? err.message : String(err)), h('p', null, 'The next refresh tries again.')),
    );
  }

  /** Runs a user action; a failed request replaces the inspector with the error, not a console trace. */
  private guard(action: Promise<void>): void {
    action.catch((err: unknown) => this.showError(err));
  }

  private change(patch: Partial<SampleSelection>): void {
    this.sel = { ...this.sel, ...patch };
    this.onChange(this.sel);
  }

  private render(): void {
    const view = this.view;
    if (view === null) return;
    if (view.run.probeSets.length === 0) {
      fill(this.root, notice('empty', 'No probe sets on this run, so there are no samples to inspect.'));
      return;
    }
    fill(this.root, this.controls(view), h('div', { class: 'sample-layout' }, this.list(), this.detail(view)));
  }

  private controls(view: RunView): HTMLElement {
    const domain = h(
      'select',
      {
        'aria-label': 'probe set',
        onchange: (ev) => this.guard(this.selectProbeSet((ev.target as HTMLSelectElement).value)),
      },
      ...view.run.probeSets.map((p) => h('option', { value: p.id, selected: p.id === this.sel.probeSetId }, `${p.domain} · ${p.name}`)),
    );
    const tau = h('input', {
      type: 'number',
      min: 0.05,
      max: 1,
      step: 0.05,
      value: this.sel.tau,
      'aria-label': 'pathway threshold tau',
      class: 'tau-input',
      onchange: (ev) => {
        const v = Number((ev.target as HTMLInputElement).value);
        if (!(v > 0 && v <= 1)) return;
        this.change({ tau: v });
        this.guard(this.loadRouting(true).then(() => this.render()));
      },
    });
    const filter = h('input', {
      type: 'search',
      placeholder: 'filter by text, group or index',
      value: this.filter,
      'aria-label': 'filter samples',
      oninput: (ev) => {
        this.filter = (ev.target as HTMLInputElement).value;
        const list = this.root.querySelector('.sample-list');
        if (list) list.replaceWith(this.list());
      },
    });
    return h('div', { class: 'controls' }, h('label', null, 'Probe set ', domain), h('label', null, 'Pathway τ ', tau), filter);
  }

  private list(): HTMLElement {
    const q = this.filter.trim().toLowerCase();
    const shown = this.samples.filter((x) => q === '' || String(x.index) === q || x.text.toLowerCase().includes(q) || (x.group ?? '').toLowerCase().includes(q));
    const items = shown.map((x) =>
      h(
        'li',
        null,
        h(
          'button',
          {
            type: 'button',
            class: `sample-item${x.id === this.sel.sampleId ? ' selected' : ''}`,
            'data-sample-index': x.index,
            onclick: () => this.guard(this.selectSample(x.id)),
          },
          h('span', { class: 'idx' }, `#${x.index}`),
          x.group ? h('span', { class: 'chip' }, x.group) : null,
          h('span', { class: 'preview' }, x.text.slice(0, 90)),
        ),
      ),
    );
    const more =
      this.samples.length < this.sampleCount
        ? h(
            'button',
            { type: 'button', class: 'link', onclick: () => this.guard(this.loadSamples(this.samples.length).then(() => this.render())) },
            `load more (${this.samples.length} of ${this.sampleCount})`,
          )
        : null;
    return h(
      'div',
      { class: 'sample-list' },
      h('ul', null, ...items),
      shown.length === 0 ? h('p', { class: 'muted' }, this.samples.length ? 'No sample matches the filter.' : 'This probe set has no samples.') : null,
      more,
    );
  }

  private detail(view: RunView): HTMLElement {
    const sample = this.samples.find((x) => x.id === this.sel.sampleId);
    if (!sample) return h('div', { class: 'sample-detail' }, notice('info', 'Pick a sample on the left.'));
    const withRouting = this.routing.filter((r) => r.routing !== null);
    const head = h(
      'div',
      { class: 'sample-head' },
      h('div', null, h('strong', null, `Sample #${sample.index}`), sample.externalId ? ` (${sample.externalId})` : '', sample.group ? ` · group ${sample.group}` : ''),
      h('blockquote', { class: 'sample-text' }, sample.text.length > 400 ? `${sample.text.slice(0, 400)}…` : sample.text),
    );
    if (withRouting.length === 0) {
      return h(
        'div',
        { class: 'sample-detail' },
        head,
        notice(
          'empty',
          `No routing of this sample at any of the ${view.checkpoints.length} checkpoints yet.`,
          h('p', null, 'Capture it with ', code('grokwatch capture --checkpoint ID --probe-set ID'), ' or send it with the ', code('ingestRouting'), ' mutation.'),
        ),
      );
    }
    const selected = this.routing.find((r) => r.checkpointId === this.sel.checkpointId && r.routing !== null) ?? withRouting[withRouting.length - 1];
    const rows = this.routing.map((r) => {
      const text = r.routing?.pathway.text ?? null;
      const dist = r.distance;
      return h(
        'tr',
        {
          class: `${r === selected ? 'selected ' : ''}${r.routing ? 'clickable' : 'muted'}`,
          'data-pathway-step': r.step,
          onclick: r.routing ? () => this.selectCheckpoint(r.checkpointId) : undefined,
        },
        h('td', { class: 'num' }, formatStep(r.step)),
        h('td', { class: 'num' }, formatValue(r.routing?.nll ?? null)),
        h('td', { class: 'num' }, text === null ? '–' : String(text.length)),
        h('td', { class: 'num' }, dist === null ? '–' : String(dist)),
        h(
          'td',
          { class: 'pathway', title: text ?? r.problem ?? 'not captured at this checkpoint' },
          text ?? (r.problem ? h('span', { class: 'error-text' }, r.problem) : h('span', { class: 'muted' }, 'not captured')),
        ),
      );
    });
    const heat = selected.routing
      ? renderHeatmap({ weights: selected.routing.layers.map((l) => l.weights), pathway: selected.routing.pathway.layers, tau: this.sel.tau })
      : notice('error', selected.problem ?? 'This routing cannot be drawn.');
    return h(
      'div',
      { class: 'sample-detail' },
      head,
      h('h4', null, `Pathway at τ = ${this.sel.tau}, per checkpoint`),
      h(
        'p',
        { class: 'muted small' },
        'Experts per layer by weight until the cumulative weight exceeds τ, joined by ",", layers by "-". Δ prev: character edit distance to the previous checkpoint\'s pathway. Click a row for its heatmap.',
      ),
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          { class: 'table pathways' },
          h('thead', null, h('tr', null, ...['step', 'NLL', 'length', 'Δ prev', 'pathway'].map((t) => h('th', null, t)))),
          h('tbody', null, ...rows),
        ),
      ),
      h(
        'h4',
        null,
        `Step ${formatStep(selected.step)}: pathway${selected.routing ? ` (${selected.routing.pathway.text.length} characters)` : ''} and routing (layer × expert, token-mean router softmax)`,
      ),
      selected.routing ? fullPathway(selected.routing.pathway.layers) : null,
      heat,
    );
  }

  private async selectProbeSet(id: string): Promise<void> {
    this.change({ probeSetId: id, sampleId: null, checkpointId: null });
    this.samples = [];
    this.filter = '';
    await this.loadSamples(0);
    await this.loadRouting(true);
    this.render();
  }

  private async selectSample(id: string): Promise<void> {
    this.change({ sampleId: id, checkpointId: null });
    this.render();
    await this.loadRouting(true);
    this.render();
  }

  private selectCheckpoint(id: string): void {
    this.change({ checkpointId: id });
    this.render();
  }
}

/** The whole pathway string, each layer's segment shaded alternately so layers can be told apart. */
function fullPathway(layers: readonly (readonly number[])[]): HTMLElement {
  const parts: (HTMLElement | string)[] = [];
  layers.forEach((experts, l) => {
    if (l > 0) parts.push('-');
    parts.push(h('span', { class: `pw-layer pw-layer-${l % 2}`, title: `layer ${l}: ${experts.length} expert${experts.length === 1 ? '' : 's'}` }, experts.join(',')));
  });
  return h('div', { class: 'pathway-full', 'data-pathway-full': '' }, ...parts);
}
