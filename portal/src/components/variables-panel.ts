/**
 * `<ol-variables-panel>`: the flow's variables (type, default, shown when creating a task,
 * required, exported as an output). Fires `graph-edit` with an edit function.
 */
import { LitElement, html, css } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import { VARIABLE_TYPES, variableKeyProblem, type FlowGraph, type JsonValue, type VariableDef, type VariableType } from '@opsloom/core/model';
import { removeVariable, renameVariable, setVariable, toggleOutput } from '../model/graph-edit.js';
import { sharedStyles } from './shared-styles.js';

@customElement('ol-variables-panel')
export class VariablesPanel extends LitElement {
  static override styles = [sharedStyles, css`
    :host { display: block; }
    .var { border: 1px solid #e2e8f0; border-radius: 6px; padding: 6px 8px; margin: 6px 0; }
    input[type='text'], select { width: 100%; }
    .grid { display: grid; grid-template-columns: 1fr 110px; gap: 6px; }
  `];

  @property({ attribute: false }) graph!: FlowGraph;
  @state() private error = '';

  override render() {
    const vars = Object.entries(this.graph.variables);
    return html`<h2>Variables</h2>
      <p class="hint">Use them in inputs and conditions as <code>\${key}</code>. Shown variables are asked for when a task is created.</p>
      ${vars.length === 0 ? html`<p class="empty">No variables yet.</p>` : vars.map(([key, def]) => this.#variable(key, def))}
      <form class="row" @submit=${this.#add}>
        <label for="new-var" class="sr-only">New variable key</label>
        <input id="new-var" name="key" type="text" placeholder="new_variable" style="flex:1">
        <button type="submit">Add variable</button>
      </form>
      ${this.error ? html`<p class="field-error" role="alert">${this.error}</p>` : ''}`;
  }

  #variable(key: string, def: VariableDef) {
    const id = `v-${key}`;
    const value = def.value === undefined ? '' : typeof def.value === 'string' ? def.value : JSON.stringify(def.value);
    return html`<div class="var" role="group" aria-label=${`Variable ${key}`}>
      <div class="grid">
        <div><label for=${`${id}-key`}>Key</label>
          <input id=${`${id}-key`} type="text" .value=${live(key)} @change=${(e: Event) => this.#rename(key, (e.target as HTMLInputElement).value)}></div>
        <div><label for=${`${id}-type`}>Type</label>
          <select id=${`${id}-type`} @change=${(e: Event) => this.#edit((g) => setVariable(g, key, { ...def, type: (e.target as HTMLSelectElement).value as VariableType }))}>
            ${[...new Set([...VARIABLE_TYPES, def.type])].map((t) => html`<option ?selected=${t === def.type}>${t}</option>`)}</select></div>
      </div>
      <label for=${`${id}-value`}>Default value</label>
      <input id=${`${id}-value`} type=${def.type === 'password' ? 'password' : 'text'} .value=${value}
        @change=${(e: Event) => this.#edit((g) => setVariable(g, key, { ...def, value: parseValue(def.type, (e.target as HTMLInputElement).value) }))}>
      <div class="row">
        <label class="inline"><input type="checkbox" .checked=${def.show === true}
          @change=${(e: Event) => this.#edit((g) => setVariable(g, key, { ...def, show: (e.target as HTMLInputElement).checked }))}>Shown</label>
        <label class="inline"><input type="checkbox" .checked=${def.required === true}
          @change=${(e: Event) => this.#edit((g) => setVariable(g, key, { ...def, required: (e.target as HTMLInputElement).checked }))}>Required</label>
        <label class="inline"><input type="checkbox" .checked=${this.graph.outputs.includes(key)}
          @change=${(e: Event) => this.#edit((g) => toggleOutput(g, key, (e.target as HTMLInputElement).checked))}>Output</label>
        <span class="spacer"></span>
        <button class="danger" aria-label=${`Delete variable ${key}`} @click=${() => this.#edit((g) => removeVariable(g, key))}>Delete</button>
      </div></div>`;
  }

  #add(e: SubmitEvent): void {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const key = String(new FormData(form).get('key') ?? '').trim();
    const problem = variableKeyProblem(key);
    if (problem) {
      this.error = `Variable key ${JSON.stringify(key)} ${problem}`;
      return;
    }
    if (key in this.graph.variables) {
      this.error = `There is already a variable ${key}`;
      return;
    }
    this.error = '';
    form.reset();
    this.#edit((g) => setVariable(g, key, { type: 'string', value: '', show: true }));
  }

  #rename(from: string, to: string): void {
    const problem = variableKeyProblem(to);
    if (problem || to in this.graph.variables) {
      // The refused key stays in the input until rendered again: live() puts the key back.
      this.error = problem ? `Variable key ${JSON.stringify(to)} ${problem}` : `There is already a variable ${to}`;
      this.requestUpdate();
      return;
    }
    this.error = '';
    this.#edit((g) => renameVariable(g, from, to));
  }

  #edit(fn: (g: FlowGraph) => FlowGraph): void {
    this.dispatchEvent(new CustomEvent('graph-edit', { detail: { edit: fn, label: 'edit variables' }, bubbles: true, composed: true }));
  }
}

function parseValue(type: string, text: string): JsonValue {
  if (text.includes('${')) return text;
  if (type === 'number') return text === '' ? null : Number.isFinite(Number(text)) ? Number(text) : text;
  if (type === 'boolean') return text === 'true';
  if (type === 'json' || type === 'hosts' || type === 'select') {
    try {
      return JSON.parse(text) as JsonValue;
    } catch {
      return type === 'hosts' ? text.split(/[\s,]+/).filter(Boolean) : text;
    }
  }
  return text;
}
