/**
 * `<ol-task-variables>`: a task's results (the flow's declared outputs) and every variable as it
 * is now, read again whenever `revision` changes (the monitor bumps it as nodes finish).
 */
import { LitElement, html, css, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { portalApi } from '../api/endpoints.js';
import { FetchController } from '../controllers/fetch-controller.js';
import type { JsonValue } from '@opsloom/core/model';
import { apiErrorNotice } from './api-missing.js';
import { sharedStyles } from './shared-styles.js';

@customElement('ol-task-variables')
export class TaskVariablesView extends LitElement {
  static override styles = [sharedStyles, css`
    table { width: 100%; border-collapse: collapse; font-size: 13px; }
    th, td { text-align: left; vertical-align: top; padding: 3px 6px; border-bottom: 1px solid #e2e8f0; }
    td pre { margin: 0; white-space: pre-wrap; word-break: break-all; font-size: 12px; }
  `];

  @property() project = '';
  @property() taskId = '';
  /** Changes when the variables may have: each finished node, each task state. */
  @property() revision = '';

  #load = new FetchController(this, (signal) => portalApi.taskVariables(this.project, this.taskId, signal), () => [this.project, this.taskId, this.revision]);

  override render() {
    if (this.#load.error) return apiErrorNotice(this.#load.error, 'task variables API');
    const v = this.#load.value;
    if (!v) return html`<p role="status">Loading variables…</p>`;
    const results = Object.entries(v.outputs);
    return html`${results.length ? html`<h2>Results</h2>${this.#table('Results of the task', results)}` : nothing}
      <h2>Variables</h2>${Object.keys(v.variables).length ? this.#table('Variables as they are now', Object.entries(v.variables)) : html`<p class="hint">This task has no variables.</p>`}`;
  }

  #table(caption: string, rows: [string, JsonValue][]) {
    return html`<table><caption class="sr-only">${caption}</caption><thead><tr><th>Name</th><th>Value</th></tr></thead>
      <tbody>${rows.map(([k, value]) => html`<tr data-key=${k}><td><code>${k}</code></td><td><pre>${typeof value === 'string' ? value : JSON.stringify(value, null, 1)}</pre></td></tr>`)}</tbody></table>`;
  }
}
