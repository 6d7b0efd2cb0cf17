/**
 * `<ol-node-detail>`: one node of a running task: its rendered inputs, outputs, history and
 * logs, and every node operation, each disabled with the reason when not allowed now.
 */
import { LitElement, html, css, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { FlowNode, JsonValue } from '@opsloom/core/model';
import { portalApi } from '../api/endpoints.js';
import { FetchController } from '../controllers/fetch-controller.js';
import { PollController } from '../controllers/poll-controller.js';
import { changedInputs, retryFormInputs } from '../model/retry-inputs.js';
import { nodeOperations, type NodeOperation } from '../model/task-operations.js';
import { mayDevelop } from '../model/project-roles.js';
import type { LogLine, NodeDetail, Task } from '../model/task-types.js';
import { apiErrorNotice } from './api-missing.js';
import { sharedStyles } from './shared-styles.js';


@customElement('ol-node-detail')
export class NodeDetailView extends LitElement {
  static override styles = [sharedStyles, css`
    :host { display: block; }
    .ops { display: flex; flex-wrap: wrap; gap: 6px; margin: 8px 0; }
    .op { display: flex; flex-direction: column; max-width: 100%; }
    .reason { font-size: 11px; color: #64748b; max-width: 220px; }
    textarea { width: 100%; min-height: 90px; }
    .log { font-family: ui-monospace, monospace; font-size: 12px; }
    .log .error { color: #b91c1c; } .log .warn { color: #a16207; }
  `];

  @property() project = '';
  @property({ attribute: false }) task!: Task;
  @property() nodeId = '';
  /** The signed-in user and their role in the project: an approval decision names them. */
  @property() username = '';
  @property() projectRole = '';
  @state() private form: NodeOperation | undefined;
  @state() private error = '';
  @state() private busy = false;
  /** Earlier log lines loaded for the detail shown (dropped when the detail reloads). */
  @state() private earlier: { detail: NodeDetail; lines: LogLine[]; more: boolean } | undefined;
  /** Lines logged since the detail shown was read, while the node runs or waits (dropped when it reloads). */
  @state() private newer: { detail: NodeDetail; lines: LogLine[] } | undefined;

  #detail = new FetchController(this, (signal) => this.#load(signal),
    () => [this.project, this.task.id, this.task.state, this.nodeId, this.task.nodes[this.nodeId]?.state, this.task.nodes[this.nodeId]?.version]);

  // The detail reloads when the node changes state or version, but a node that runs or waits
  // (a poll, say) logs without either: follow its log meanwhile.
  #follow = new PollController(this, 1000, () => this.#following(), () => this.#loadNewer());

  /** The node's detail; for a subflow under way, with the state of the task it runs (which its pause and resume depend on). */
  async #load(signal: AbortSignal): Promise<NodeDetail & { childTask?: Pick<Task, 'state'> }> {
    const d = await portalApi.node(this.project, this.task.id, this.nodeId);
    if (!d.childTaskId || d.state !== 'waiting') return d;
    return { ...d, childTask: await portalApi.taskStatus(this.project, d.childTaskId, signal) };
  }

  protected override willUpdate(): void {
    // The element is reused when another node is selected: a form, message or log page opened for
    // the previous node must not stay, or a retry typed for one node would be sent to the next.
    const shown = `${this.task.id}/${this.nodeId}`;
    if (shown !== this.#shown) {
      this.#shown = shown;
      this.form = undefined;
      this.error = '';
      this.earlier = undefined;
      this.newer = undefined;
    }
  }

  protected override updated(): void {
    this.#follow.wake();
  }

  #shown = '';

  override render() {
    const node = this.task.graph.nodes.find((n) => n.id === this.nodeId);
    if (!node) return html`<p class="hint">Select a node on the canvas to see its details.</p>`;
    const run = this.task.nodes[node.id];
    const d = this.#detail.value;
    const current = d?.id === node.id ? d : undefined;
    // The detail's inputs are this attempt's only while it is the detail of the run that waits.
    const decider = current && current.state === 'waiting' && current.version === run?.version ? { role: this.projectRole, inputs: current.inputs } : undefined;
    const ops = nodeOperations(this.task, node, run, current?.childTask, decider);
    return html`<h2>${node.name || node.id} <span class="badge ${run?.state ?? 'pending'}">${run?.state ?? 'pending'}</span></h2>
      ${run?.error ? html`<p class="notice error">${run.error}</p>` : nothing}
      <div class="ops" role="group" aria-label="Node operations">${ops.map((o) => html`<div class="op">
        <button ?disabled=${!o.enabled || this.busy} aria-describedby=${o.enabled ? '' : `why-${o.op}`}
          @click=${() => this.#choose(o.op, node)}>${o.op === 'breakpoint' && run?.breakpoint ? 'Remove breakpoint' : o.label}</button>
        ${o.enabled ? nothing : html`<span class="reason" id=${`why-${o.op}`}>${o.reason}</span>`}</div>`)}</div>
      ${this.#opForm(node)}
      ${this.error ? html`<p class="notice error" role="alert">${this.error}</p>` : nothing}
      ${this.#detail.render({
        pending: () => html`<p role="status">Loading node details…</p>`,
        error: (e) => apiErrorNotice(e, 'node detail API'),
        complete: (d) => html`
          <h3>Inputs (rendered)</h3><pre>${JSON.stringify(d.inputs ?? {}, null, 2)}</pre>
          <h3>Outputs</h3><pre>${JSON.stringify(d.outputs ?? {}, null, 2)}</pre>
          <h3>History</h3>${d.history?.length ? html`<pre>${JSON.stringify(d.history, null, 2)}</pre>` : html`<p class="hint">No earlier attempts.</p>`}
          <h3>Logs</h3>${this.#logs(d)}`,
      })}`;
  }

  /** The newest lines come with the detail; earlier ones load a page at a time, in front. */
  #logs(d: NodeDetail) {
    const shown = d.logs ?? [];
    const earlier = this.earlier?.detail === d ? this.earlier : undefined;
    const newer = this.newer?.detail === d ? this.newer.lines : [];
    const lines = [...(earlier?.lines ?? []), ...shown, ...newer];
    if (lines.length === 0) return html`<p class="hint">No log lines.</p>`;
    const more = earlier ? earlier.more : Boolean(d.earlierLogs);
    return html`${more ? html`<button type="button" class="earlier" ?disabled=${this.busy} @click=${() => this.#loadEarlier(d, lines[0]!.seq)}>Show earlier lines</button>` : nothing}
      <div class="log">${lines.map((l) => html`<div class=${l.level}>${new Date(l.at).toLocaleTimeString()} [${l.level}] ${l.message}</div>`)}</div>`;
  }

  #following(): boolean {
    const state = this.task.nodes[this.nodeId]?.state;
    return (state === 'running' || state === 'waiting') && this.#detail.value?.id === this.nodeId && !this.#detail.loading;
  }

  /** Appends the lines logged after the last one shown. */
  async #loadNewer(): Promise<void> {
    const d = this.#detail.value!;
    const kept = this.newer?.detail === d ? this.newer.lines : [];
    const after = kept.at(-1)?.seq ?? d.logs?.at(-1)?.seq ?? 0;
    const page = await portalApi.nodeLogs(this.project, this.task.id, this.nodeId, { after, limit: 1000 });
    if (this.#detail.value !== d || page.items.length === 0) return;
    this.newer = { detail: d, lines: [...kept, ...page.items] };
  }

  async #loadEarlier(d: NodeDetail, before: number): Promise<void> {
    this.busy = true;
    try {
      const page = await portalApi.nodeLogs(this.project, this.task.id, this.nodeId, { before, limit: 1000 });
      const kept = this.earlier?.detail === d ? this.earlier.lines : [];
      this.earlier = { detail: d, lines: [...page.items, ...kept], more: page.more };
    } catch (err) {
      this.error = `Could not load earlier log lines: ${(err as Error).message}`;
    } finally {
      this.busy = false;
    }
  }

  #opForm(node: FlowNode) {
    if (this.form === 'retry' && node.type === 'task') {
      // An earlier retry's inputs stay in effect (core keeps them): the form starts from those, as
      // read for the node's current version. A detail still loading after the node moved on (a
      // retry that failed again) may predate the last retry's inputs.
      const d = this.#detail.value;
      const current = this.task.nodes[node.id]?.version;
      if (!d || d.id !== node.id || (current !== undefined && d.version !== undefined && String(d.version) !== String(current))) {
        return html`<p role="status">Reading the inputs in effect…</p>`;
      }
      const override = d.inputOverride;
      const shown = retryFormInputs(override ? { inputs: override } : node);
      return html`<form @submit=${(e: SubmitEvent) => this.#submitRetry(e, shown)}>
        <label for="retry-inputs">Inputs for the retry, as ${override ? 'an earlier retry set them' : 'the flow defines them'} (JSON; only what you change is sent, leave as is to retry unchanged)</label>
        <textarea id="retry-inputs" name="json">${JSON.stringify(shown, null, 2)}</textarea>
        <div class="row"><button class="primary" type="submit">Retry</button><button type="button" @click=${() => { this.form = undefined; }}>Cancel</button></div></form>`;
    }
    if (this.form === 'callback') {
      return html`<form @submit=${this.#submitCallback}>
        <label for="cb">Callback data (JSON)</label><textarea id="cb" name="json">{}</textarea>
        <div class="row"><button class="primary" type="submit">Send callback</button><button type="button" @click=${() => { this.form = undefined; }}>Cancel</button></div></form>`;
    }
    if (this.form === 'approve') {
      return html`<form @submit=${this.#submitDecision} aria-label="Approval decision"><fieldset><legend>Decision</legend>
          <label class="inline"><input type="radio" name="decision" value="approve" checked> Approve</label>
          <label class="inline"><input type="radio" name="decision" value="reject"> Reject</label></fieldset>
        <label for="approval-comment">Comment</label><textarea id="approval-comment" name="comment" style="min-height:50px"></textarea>
        <p class="hint">Recorded as ${this.username || 'you'}${this.projectRole ? ` (${this.projectRole})` : ''}.</p>
        <div class="row"><button class="primary" type="submit">Send decision</button><button type="button" @click=${() => { this.form = undefined; }}>Cancel</button></div></form>`;
    }
    if (this.form === 'skip-gateway') {
      const flows = this.task.graph.flows.filter((f) => f.source === node.id);
      return html`<form @submit=${this.#submitBranches}><fieldset><legend>Branches to take</legend>
        ${flows.map((f) => html`<label class="inline"><input type="checkbox" name="flow" value=${f.id}>${f.condition?.name || f.id} → ${f.target}</label>`)}</fieldset>
        <div class="row"><button class="primary" type="submit">Take the selected branch(es)</button><button type="button" @click=${() => { this.form = undefined; }}>Cancel</button></div></form>`;
    }
    return nothing;
  }

  #choose(op: NodeOperation, node: FlowNode): void {
    this.error = '';
    // Only a task node takes new inputs on retry (core refuses inputs for any other node), so
    // the others retry at once, like a skip.
    // Only a developer may change a node's inputs on retry (core refuses others): an operator retries it as it is.
    if ((op === 'retry' && node.type === 'task' && mayDevelop(this.projectRole)) || op === 'callback' || op === 'skip-gateway' || op === 'approve') {
      this.form = op;
      return;
    }
    if (op === 'breakpoint') {
      void this.#send(op, { enabled: !this.task.nodes[node.id]?.breakpoint });
      return;
    }
    void this.#send(op);
  }

  /** Retries with only the inputs changed from `shown`; none when left as is. */
  #submitRetry(e: SubmitEvent, shown: Record<string, JsonValue>): void {
    e.preventDefault();
    const edited = this.#readJson(e, 'inputs');
    if (edited === undefined) return;
    if (!edited || typeof edited !== 'object' || Array.isArray(edited)) {
      this.error = 'The inputs must be a JSON object of input names and values.';
      return;
    }
    const inputs = changedInputs(shown, edited);
    void this.#send('retry', Object.keys(inputs).length ? { inputs } : {});
  }

  #submitCallback(e: SubmitEvent): void {
    e.preventDefault();
    const data = this.#readJson(e, 'data');
    if (data !== undefined) void this.#send('callback', { version: String(this.task.nodes[this.nodeId]?.version ?? ''), data });
  }

  /** The JSON typed in the submitted form; undefined (and says why) when it does not parse. */
  #readJson(e: SubmitEvent, what: string): JsonValue | undefined {
    const text = String(new FormData(e.target as HTMLFormElement).get('json') ?? '');
    try {
      return JSON.parse(text) as JsonValue;
    } catch {
      this.error = `The ${what} are not valid JSON.`;
      return undefined;
    }
  }

  /** An approval goes through core's approval route, which records who decided from the session. */
  #submitDecision(e: SubmitEvent): void {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    const comment = String(f.get('comment') ?? '').trim();
    void this.#send('approve', { decision: f.get('decision') === 'reject' ? 'reject' : 'approve', comment });
  }

  #submitBranches(e: SubmitEvent): void {
    e.preventDefault();
    const flowIds = new FormData(e.target as HTMLFormElement).getAll('flow').map(String);
    if (flowIds.length === 0) {
      this.error = 'Choose at least one branch.';
      return;
    }
    void this.#send('skip-gateway', { flowIds });
  }

  async #send(op: NodeOperation, body?: unknown): Promise<void> {
    this.busy = true;
    try {
      await portalApi.nodeAction(this.project, this.task.id, this.nodeId, op, body);
      this.form = undefined;
      this.dispatchEvent(new CustomEvent('task-changed', { bubbles: true, composed: true }));
      await this.#detail.run();
    } catch (err) {
      this.error = `${op} failed: ${(err as Error).message}`;
    } finally {
      this.busy = false;
    }
  }
}
