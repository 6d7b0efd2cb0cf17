/**
 * `<ol-node-inspector>`: edits the selected node (name, plugin and its generated input form,
 * error policy, flags, subflow template, gateway strategy) or the selected flow (its condition).
 * Fires `graph-edit` with an edit function, and `connect-to` for keyboard connecting.
 */
import { LitElement, html, css, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import {
  isConditionalGateway, type ActivityNode, type ErrorPolicy, type FlowEdge, type FlowGraph, type FlowNode, type InputValue,
} from '@opsloom/core/model';
import { replaceNode, setFlowCondition } from '../model/graph-edit.js';
import { kindLabel, type PluginSummary } from '../model/node-kinds.js';
import { fieldsFromSchema } from '../model/schema-form.js';
import { sharedStyles } from './shared-styles.js';
import './schema-form-view.js';
import './expression-input.js';

@customElement('ol-node-inspector')
export class NodeInspector extends LitElement {
  static override styles = [sharedStyles, css`
    :host { display: block; }
    input[type='text'], input[type='number'], select, textarea { width: 100%; }
    textarea { min-height: 90px; }
    .pair { display: grid; grid-template-columns: 1fr 1fr; gap: 6px; }
    details { margin: 10px 0; } summary { cursor: pointer; font-weight: 600; }
  `];

  @property({ attribute: false }) graph!: FlowGraph;
  @property({ attribute: false }) node: FlowNode | undefined;
  @property({ attribute: false }) flow: FlowEdge | undefined;
  @property({ attribute: false }) plugins: PluginSummary[] | null | undefined;
  @property({ attribute: false }) problems: string[] = [];

  override render() {
    if (this.flow) return this.#flow(this.flow);
    if (!this.node) {
      return html`<h2>Inspector</h2><p class="hint">Select a node or a flow to edit it. Keyboard: Tab to a node, Enter to select it,
        arrows to move it, C then Enter on another node to connect, Delete to remove, Ctrl+Z / Ctrl+Y to undo / redo.</p>`;
    }
    const n = this.node;
    return html`<h2>${kindLabel(n.type)} <code>${n.id}</code></h2>
      ${this.problems.length ? html`<div class="notice error" role="alert"><ul>${this.problems.map((p) => html`<li>${p}</li>`)}</ul></div>` : nothing}
      <label for="name">Name</label>
      <input id="name" type="text" .value=${n.name ?? ''} @change=${(e: Event) => this.#patch({ name: (e.target as HTMLInputElement).value })}>
      ${n.type === 'task' ? this.#task(n) : nothing}
      ${n.type === 'subflow' ? this.#subflow(n) : nothing}
      ${n.type === 'exclusive' ? html`<label for="strategy">When several conditions are true</label>
        <select id="strategy" @change=${(e: Event) => this.#patch({ strategy: (e.target as HTMLSelectElement).value as 'only' | 'first' })}>
          <option value="only" ?selected=${n.strategy !== 'first'}>Fail (exactly one may be true)</option>
          <option value="first" ?selected=${n.strategy === 'first'}>Take the first true flow</option></select>` : nothing}
      ${n.type === 'task' || n.type === 'subflow' ? this.#policy(n) : nothing}
      ${this.#connectTo(n)}`;
  }

  #task(n: Extract<FlowNode, { type: 'task' }>) {
    const catalog = this.plugins ?? [];
    const versions = catalog.filter((p) => p.name === n.plugin.name);
    const plugin = versions.find((p) => p.version === n.plugin.version) ?? versions[0];
    const names = [...new Set(catalog.map((p) => p.name))];
    const schema = plugin?.inputs;
    return html`<div class="pair">
        <div><label for="plugin">Plugin</label>
          <input id="plugin" type="text" list="plugin-names" .value=${n.plugin.name} placeholder="@opsloom/plugin-script"
            @change=${(e: Event) => this.#patch({ plugin: { ...n.plugin, name: (e.target as HTMLInputElement).value.trim() } })}>
          <datalist id="plugin-names">${names.map((name) => html`<option value=${name}></option>`)}</datalist></div>
        <div><label for="version">Version</label>
          <input id="version" type="text" list="plugin-versions" .value=${n.plugin.version} placeholder="^1.0.0"
            @change=${(e: Event) => this.#patch({ plugin: { ...n.plugin, version: (e.target as HTMLInputElement).value.trim() } })}>
          <datalist id="plugin-versions">${versions.map((p) => html`<option value=${p.version}></option>`)}</datalist></div>
      </div>
      <h3>Inputs</h3>
      ${schema ? html`<ol-schema-form .fields=${fieldsFromSchema(schema)} .value=${n.inputs as Record<string, unknown>}
          .variables=${Object.keys(this.graph.variables)}
          @value-change=${(e: CustomEvent<{ value: Record<string, InputValue> }>) => this.#patch({ inputs: e.detail.value })}></ol-schema-form>`
        : html`<p class="hint">${this.plugins === null ? 'No plugin catalog yet, so no input form:' : 'Plugin not in the catalog:'} edit the inputs as JSON.</p>
          ${this.#json('inputs', 'Inputs (JSON object)', n.inputs, (v) => this.#patch({ inputs: v as Record<string, InputValue> }))}`}
      <h3>Outputs into variables</h3>
      ${this.#json('outputs', 'Output mapping (plugin output → variable)', n.outputs ?? {}, (v) => this.#patch({ outputs: v as Record<string, string> }))}`;
  }

  #subflow(n: Extract<FlowNode, { type: 'subflow' }>) {
    return html`<div class="pair">
        <div><label for="tpl">Template id</label><input id="tpl" type="text" .value=${n.template.id}
          @change=${(e: Event) => this.#patch({ template: { ...n.template, id: (e.target as HTMLInputElement).value.trim() } })}></div>
        <div><label for="tplv">Version</label><input id="tplv" type="text" .value=${String(n.template.version)}
          @change=${(e: Event) => {
            const v = (e.target as HTMLInputElement).value.trim();
            this.#patch({ template: { ...n.template, version: /^\d+$/.test(v) ? Number(v) : v } });
          }}></div></div>
      ${this.#json('params', 'Parameters for the template’s shown variables (JSON)', n.params, (v) => this.#patch({ params: v as Record<string, InputValue> }))}`;
  }

  #policy(n: ActivityNode) {
    const p: ErrorPolicy = n.onError ?? {};
    const set = (next: ErrorPolicy): void => {
      const clean: ErrorPolicy = {};
      if (next.ignore) clean.ignore = true;
      if (next.retry && next.retry.times > 0) clean.retry = next.retry;
      if (next.timeout && next.timeout.seconds > 0) clean.timeout = next.timeout;
      this.#patch({ onError: Object.keys(clean).length ? clean : undefined });
    };
    return html`<details ?open=${Boolean(n.onError)}><summary>On error and flags</summary>
      <label class="inline"><input type="checkbox" .checked=${p.ignore === true} @change=${(e: Event) => set({ ...p, ignore: (e.target as HTMLInputElement).checked })}>Ignore errors and carry on</label>
      <div class="pair">
        <div><label for="retry">Automatic retries</label><input id="retry" type="number" min="0" max="10" .value=${String(p.retry?.times ?? 0)}
          @change=${(e: Event) => set({ ...p, retry: { times: Number((e.target as HTMLInputElement).value), intervalMs: p.retry?.intervalMs ?? 0 } })}></div>
        <div><label for="interval">Retry interval (ms)</label><input id="interval" type="number" min="0" .value=${String(p.retry?.intervalMs ?? 0)}
          @change=${(e: Event) => set({ ...p, retry: { times: p.retry?.times ?? 0, intervalMs: Number((e.target as HTMLInputElement).value) } })}></div>
        <div><label for="timeout">Timeout (s, 0 = none)</label><input id="timeout" type="number" min="0" .value=${String(p.timeout?.seconds ?? 0)}
          @change=${(e: Event) => set({ ...p, timeout: { seconds: Number((e.target as HTMLInputElement).value), action: p.timeout?.action ?? 'fail' } })}></div>
        <div><label for="taction">On timeout</label><select id="taction"
          @change=${(e: Event) => set({ ...p, timeout: { seconds: p.timeout?.seconds ?? 0, action: (e.target as HTMLSelectElement).value as 'fail' | 'fail-and-skip' } })}>
          <option value="fail" ?selected=${p.timeout?.action !== 'fail-and-skip'}>fail</option>
          <option value="fail-and-skip" ?selected=${p.timeout?.action === 'fail-and-skip'}>fail and skip</option></select></div>
      </div>
      <label class="inline"><input type="checkbox" .checked=${n.retryable !== false} @change=${(e: Event) => this.#patch({ retryable: (e.target as HTMLInputElement).checked ? undefined : false })}>Operators may retry</label>
      <label class="inline"><input type="checkbox" .checked=${n.skippable !== false} @change=${(e: Event) => this.#patch({ skippable: (e.target as HTMLInputElement).checked ? undefined : false })}>Operators may skip</label>
      <label class="inline"><input type="checkbox" .checked=${n.optional === true} @change=${(e: Event) => this.#patch({ optional: (e.target as HTMLInputElement).checked || undefined })}>Optional (may be excluded from a task)</label>
      </details>`;
  }

  #connectTo(n: FlowNode) {
    if (n.type === 'end') return nothing;
    const targets = this.graph.nodes.filter((t) => t.id !== n.id && t.type !== 'start');
    return html`<form class="row" style="margin-top:12px" @submit=${(e: SubmitEvent) => {
        e.preventDefault();
        const target = String(new FormData(e.target as HTMLFormElement).get('target') ?? '');
        if (target) this.dispatchEvent(new CustomEvent('connect-to', { detail: { source: n.id, target }, bubbles: true, composed: true }));
      }}>
      <label for="target" style="margin:0">Connect to</label>
      <select id="target" name="target" style="flex:1">${targets.map((t) => html`<option value=${t.id}>${t.name || t.id} (${t.id})</option>`)}</select>
      <button type="submit">Connect</button></form>`;
  }

  #flow(f: FlowEdge) {
    const source = this.graph.nodes.find((n) => n.id === f.source);
    const conditional = source ? isConditionalGateway(source.type) : false;
    const edit = (c: Parameters<typeof setFlowCondition>[2]): void => this.#emit((g) => setFlowCondition(g, f.id, c), 'edit condition');
    return html`<h2>Flow <code>${f.id}</code></h2>
      <p>${f.source} → ${f.target}</p>
      ${this.problems.length ? html`<div class="notice error" role="alert"><ul>${this.problems.map((p) => html`<li>${p}</li>`)}</ul></div>` : nothing}
      ${conditional ? html`
        <label class="inline"><input type="checkbox" .checked=${f.default === true}
          @change=${(e: Event) => edit((e.target as HTMLInputElement).checked ? 'default' : { expression: '' })}>Default flow (taken when no condition is true)</label>
        ${f.default ? nothing : html`
          <label for="cond">Condition</label>
          <ol-expression-input id="cond" label="Condition" .value=${f.condition?.expression ?? ''} placeholder="\${count} > 3 && env == 'prod'"
            .variables=${Object.keys(this.graph.variables)}
            @value-commit=${(e: CustomEvent<{ value: string }>) => {
              if (e.detail.value !== (f.condition?.expression ?? '')) edit({ expression: e.detail.value, ...(f.condition?.name ? { name: f.condition.name } : {}) });
            }}></ol-expression-input>
          <div class="hint">A JavaScript expression over the flow's variables, e.g. <code>\${count} > 3</code>.</div>
          <label for="branch">Branch name</label>
          <input id="branch" type="text" .value=${f.condition?.name ?? ''}
            @change=${(e: Event) => edit({ expression: f.condition?.expression ?? '', name: (e.target as HTMLInputElement).value })}>`}`
        : html`<p class="hint">Flows leaving a ${source ? kindLabel(source.type).toLowerCase() : 'node'} carry no condition; only exclusive and conditional-parallel gateways choose branches.</p>`}
      <p><button class="danger" @click=${() => this.dispatchEvent(new CustomEvent('delete-selection', { bubbles: true, composed: true }))}>Delete flow</button></p>`;
  }

  #json(id: string, label: string, value: unknown, set: (v: unknown) => void) {
    return html`<label for=${id}>${label}</label>
      <textarea id=${id} .value=${JSON.stringify(value ?? {}, null, 2)} @change=${(e: Event) => {
        const el = e.target as HTMLTextAreaElement;
        try {
          const v = JSON.parse(el.value) as unknown;
          if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('must be a JSON object');
          el.setCustomValidity('');
          set(v);
        } catch (err) {
          el.setCustomValidity(`${label}: ${(err as Error).message}`);
          el.reportValidity();
        }
      }}></textarea>`;
  }

  #patch(patch: Record<string, unknown>): void {
    const node = this.node!;
    const next = { ...node, ...patch } as Record<string, unknown>;
    for (const [k, v] of Object.entries(patch)) if (v === undefined) delete next[k];
    this.#emit((g) => replaceNode(g, next as unknown as FlowNode), 'edit node');
  }

  #emit(edit: (g: FlowGraph) => FlowGraph, label: string): void {
    this.dispatchEvent(new CustomEvent('graph-edit', { detail: { edit, label }, bubbles: true, composed: true }));
  }
}
