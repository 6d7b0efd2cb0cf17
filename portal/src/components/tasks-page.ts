/** `<ol-tasks-page>`: the project's tasks, filtered by state, newest first, a page at a time. */
import { LitElement, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { portalApi } from '../api/endpoints.js';
import { PagedController } from '../controllers/paged-controller.js';
import { routeHash } from '../model/route.js';
import type { Task, TaskState } from '../model/task-types.js';
import { apiErrorNotice } from './api-missing.js';
import { sharedStyles } from './shared-styles.js';

/** Tasks per page. */
const PAGE = 100;
const STATES: TaskState[] = ['created', 'running', 'paused', 'failed', 'finished', 'revoked'];

@customElement('ol-tasks-page')
export class TasksPage extends LitElement {
  static override styles = sharedStyles;
  @property() project = '';
  @state() private filter: TaskState | '' = '';

  #tasks = new PagedController(this, (before?: string) => portalApi.tasks(this.project, { state: this.filter, limit: PAGE, ...(before ? { before } : {}) }), () => [this.project, this.filter]);

  override render() {
    return html`<div class="row"><h1>Tasks</h1><span class="spacer"></span>
        <label for="state" class="inline">State
          <select id="state" @change=${(e: Event) => { this.filter = (e.target as HTMLSelectElement).value as TaskState | ''; }}>
            <option value="">all</option>${STATES.map((s) => html`<option ?selected=${s === this.filter}>${s}</option>`)}</select></label>
        <a class="button primary" href=${routeHash({ page: 'task-new', project: this.project })}>New task</a></div>
      ${this.#tasks.render({
        pending: () => html`<p role="status">Loading tasks…</p>`,
        error: (e) => apiErrorNotice(e, 'tasks API'),
        complete: (items) => this.#table(items),
      })}
      ${this.#tasks.more('Older tasks')}`;
  }

  #table(items: Task[]) {
    if (items.length === 0) return html`<p class="empty">No tasks${this.filter ? ` in state ${this.filter}` : ''}. Create one from a flow.</p>`;
    return html`<table><thead><tr><th>Task</th><th>State</th><th>Flow</th><th>Created</th><th>Finished</th></tr></thead>
      <tbody>${items.map((t) => html`<tr>
        <td><a href=${routeHash({ page: 'task', project: this.project, id: t.id })}>${t.name || t.id}</a></td>
        <td><span class="badge ${t.state}">${t.state}</span></td>
        <td>${t.templateId} v${t.templateVersion}</td>
        <td>${new Date(t.createdAt).toLocaleString()}</td>
        <td>${t.finishedAt ? new Date(t.finishedAt).toLocaleString() : nothing}</td></tr>`)}</tbody></table>`;
  }
}
