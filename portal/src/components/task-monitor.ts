/**
 * `<ol-task-monitor>`: one task, live. Node colours follow Server-Sent Events; the toolbar holds
 * the task operations (each disabled with its reason); below, the Gantt timeline; beside, the
 * selected node's detail and operations or, with no node chosen, the task's results and variables.
 */
import { LitElement, html, css, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { portalApi } from '../api/endpoints.js';
import { FetchController } from '../controllers/fetch-controller.js';
import { TaskEventsController, type TaskEventsState } from '../controllers/task-events-controller.js';
import { autoLayout } from '../model/auto-layout.js';
import { taskOperations, type TaskOperation } from '../model/task-operations.js';
import { applyTaskEvent, isTaskOver, type Task, type TaskEvent } from '../model/task-types.js';
import { buildTimeline } from '../model/timeline.js';
import { apiErrorNotice } from './api-missing.js';
import { sharedStyles } from './shared-styles.js';
import './flow-canvas.js';
import './gantt-chart.js';
import './node-detail.js';
import './task-variables.js';

/** What the task's variables can have changed with: its state, and each node that finished. */
const revision = (t: Task): string => `${t.state}:${Object.values(t.nodes).filter((n) => n.state === 'finished').length}`;

const LIVE_LABELS: Record<TaskEventsState, string> = { live: '● live', reconnecting: '○ reconnecting…', refused: '○ live updates stopped; reload the page' };

@customElement('ol-task-monitor')
export class TaskMonitor extends LitElement {
  static override styles = [sharedStyles, css`
    :host { display: grid; grid-template-columns: 1fr 380px; grid-template-rows: auto 1fr auto; height: calc(100vh - 50px); }
    .bar { grid-column: 1 / -1; display: flex; flex-wrap: wrap; gap: 8px; align-items: center; padding: 8px 12px; background: #fff; border-bottom: 1px solid #e2e8f0; }
    .bar h1 { margin: 0; font-size: 17px; }
    .op { display: inline-flex; flex-direction: column; }
    .reason { font-size: 11px; color: #64748b; max-width: 180px; }
    ol-flow-canvas { min-height: 300px; }
    aside { grid-row: 2 / 4; grid-column: 2; border-left: 1px solid #e2e8f0; background: #fff; padding: 10px 12px; overflow: auto; }
    .timeline { grid-column: 1; padding: 8px 12px; background: #fff; border-top: 1px solid #e2e8f0; max-height: 30vh; overflow: auto; }
    .live { font-size: 12px; color: #15803d; } .live.off { color: #a16207; }
    @media (max-width: 900px) {
      :host { grid-template-columns: 1fr; grid-template-rows: auto 55vh auto auto; height: auto; }
      aside { grid-row: auto; grid-column: 1; border-left: 0; border-top: 1px solid #e2e8f0; }
    }
  `];

  @property() project = '';
  @property() taskId = '';
  @property() username = '';
  @property() projectRole = '';
  /** Why the start asked for when the task was created failed (the task was created all the same). */
  @property() startFailed = '';
  @state() private task: Task | undefined;
  @state() private selected: string | undefined;
  @state() private error = '';
  @state() private now = Date.now();
  #timer: ReturnType<typeof setInterval> | undefined;

  #load = new FetchController(this, () => portalApi.task(this.project, this.taskId), () => [this.project, this.taskId]);
  #events = new TaskEventsController(this, (e: TaskEvent) => {
    if (!this.task) return;
    this.task = applyTaskEvent(this.task, e);
    // A task-level change may carry fields the event does not (finish time): fetch the full task.
    if (e.type === 'task') void this.#load.run();
  }, () => {
    // The server refused the stream: reading the task again says why (a 401 once the session
    // ended makes the app ask to sign in again) and shows its state as of now.
    void this.#load.run();
  });

  override connectedCallback(): void {
    super.connectedCallback();
    this.#timer = setInterval(() => {
      if (this.task && !isTaskOver(this.task.state) && this.task.state !== 'created') this.now = Date.now();
    }, 1000);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.#timer);
  }

  protected override willUpdate(changed: PropertyValues): void {
    // The element is reused when the route goes straight to another task: what was shown, chosen
    // or said about the previous task must not stay with the next.
    if (changed.has('taskId') || changed.has('project')) {
      this.task = undefined;
      this.selected = undefined;
      this.error = '';
    }
    const loaded = this.#load.value;
    if (loaded && loaded !== this.#adopted) {
      this.#adopted = loaded;
      const g = loaded.graph;
      const graph = g.layout && Object.keys(g.layout).length >= g.nodes.length ? g : { ...g, layout: autoLayout(g) };
      this.task = { ...loaded, graph };
    }
    this.#events.follow(this.task && !isTaskOver(this.task.state) ? portalApi.taskEventsUrl(this.project, this.taskId) : undefined);
  }

  #adopted: Task | undefined;

  override render() {
    if (this.#load.error && !this.task) return html`<div style="padding:16px"><h1>Task</h1>${apiErrorNotice(this.#load.error, 'tasks API')}</div>`;
    const t = this.task;
    if (!t) return html`<p role="status" style="padding:16px">Loading task…</p>`;
    const states: Record<string, string> = {};
    for (const [id, run] of Object.entries(t.nodes)) states[id] = run.state;
    return html`<div class="bar">
        <h1>${t.name}</h1><span class="badge ${t.state}">${t.state}</span>
        <span class="live ${this.#events.live ? '' : 'off'}" role="status">${isTaskOver(t.state) ? '' : LIVE_LABELS[this.#events.state]}</span>
        <span class="spacer"></span>
        ${taskOperations(t).map((o) => html`<span class="op"><button class=${o.op === 'revoke' ? 'danger' : o.op === 'start' ? 'primary' : ''}
          ?disabled=${!o.enabled} aria-describedby=${o.enabled ? '' : `why-${o.op}`} @click=${() => this.#operate(o.op)}>${o.label}</button>
          ${o.enabled ? nothing : html`<span class="reason" id=${`why-${o.op}`}>${o.reason}</span>`}</span>`)}
        ${this.startFailed && t.state === 'created' ? html`<p class="notice error" role="alert" style="width:100%">The task was created, but starting it failed: ${this.startFailed}. Start it here when ready.</p>` : nothing}
        ${this.error ? html`<p class="notice error" role="alert" style="width:100%">${this.error}</p>` : nothing}
      </div>
      <ol-flow-canvas .graph=${t.graph} .editable=${false} .states=${states} label="Task flow: node colours show their states"
        .selectedNodes=${new Set(this.selected ? [this.selected] : [])}
        .excluded=${new Set(t.graph.nodes.filter((n) => !t.nodes[n.id]).map((n) => n.id))}
        @select-node=${(e: CustomEvent<{ id: string }>) => { this.selected = e.detail.id; }}
        @keydown=${this.#key}></ol-flow-canvas>
      <aside aria-label="Node detail">${this.selected
        ? html`<ol-node-detail .project=${this.project} .task=${t} .nodeId=${this.selected} .username=${this.username} .projectRole=${this.projectRole} @task-changed=${() => this.#load.run()}></ol-node-detail>`
        : html`<h2>Node detail</h2><p class="hint">Click a node (or Tab to it and press Enter) to see its inputs, outputs, logs and operations.</p>
          <ol-task-variables .project=${this.project} .taskId=${this.taskId} .revision=${revision(t)}></ol-task-variables>`}</aside>
      <section class="timeline" aria-label="Timeline"><h2>Timeline</h2><ol-gantt-chart .timeline=${buildTimeline(t, this.now)}></ol-gantt-chart></section>`;
  }

  #key(e: KeyboardEvent): void {
    if (e.key !== 'Enter' && e.key !== ' ') return;
    const el = e.composedPath().find((x): x is HTMLElement => x instanceof HTMLElement && x.classList.contains('node'));
    if (el?.dataset.id) {
      e.preventDefault();
      this.selected = el.dataset.id;
    }
  }

  async #operate(op: TaskOperation): Promise<void> {
    try {
      await portalApi.taskAction(this.project, this.taskId, op);
      this.error = '';
      await this.#load.run();
    } catch (err) {
      this.error = `${op} failed: ${(err as Error).message}`;
    }
  }
}
