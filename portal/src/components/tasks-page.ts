/** `<ol-tasks-page>`: the project's tasks, filtered by state, newest first, a page at a time. */
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { portalApi } from '../api/endpoints.js';
import { FetchController } from '../controllers/fetch-controller.js';
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
  /** Pages loaded after the first, with the cursor of the next one. */
  @state() private older: { items: Task[]; next: string | null } | undefined;
  @state() private error = '';
  @state() private busy = false;

  #tasks = new FetchController(this, () => portalApi.tasks(this.project, { state: this.filter, limit: PAGE }), () => [this.project, this.filter]);

  protected override willUpdate(changed: PropertyValues): void {
    if (changed.has('project') || changed.has('filter')) {
      this.older = undefined;
      this.error = '';
    }
  }

  override render() {
    return html`<div class="row"><h1>Tasks</h1><span class="spacer"></span>
        <label for="state" class="inline">State
          <select id="state" @change=${(e: Event) => { this.filter = (e.target as HTMLSelectElement).value as TaskState | ''; }}>
            <option value="">all</option>${STATES.map((s) => html`<option ?selected=${s === this.filter}>${s}</option>`)}</select></label>
        <a class="button primary" href=${routeHash({ page: 'task-new', project: this.project })}>New task</a></div>
      ${this.#tasks.render({
        pending: () => html`<p role="status">Loading tasks…</p>`,
        error: (e) => apiErrorNotice(e, 'tasks API'),
        complete: (t) => {
          const next = this.older ? this.older.next : t.next;
          return html`${this.#table([...t.items, ...(this.older?.items ?? [])])}
            ${this.error ? html`<p class="notice error" role="alert">${this.error}</p>` : nothing}
            ${next ? html`<p><button class="older" ?disabled=${this.busy} @click=${() => this.#loadOlder(next)}>Older tasks</button></p>` : nothing}`;
        },
      })}`;
  }

  async #loadOlder(before: string): Promise<void> {
    const filter = this.filter;
    this.busy = true;
    try {
      const page = await portalApi.tasks(this.project, { state: filter, limit: PAGE, before });
      if (filter !== this.filter) return;
      this.older = { items: [...(this.older?.items ?? []), ...page.items], next: page.next };
      this.error = '';
    } catch (err) {
      this.error = `Could not load older tasks: ${(err as Error).message}`;
    } finally {
      this.busy = false;
    }
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
