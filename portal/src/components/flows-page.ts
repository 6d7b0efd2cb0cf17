/** `<ol-flows-page>`: the project's flow templates, a page at a time, with new, import, edit, run, export and delete. */
import { LitElement, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { portalApi, type TemplateSummary } from '../api/endpoints.js';
import { PagedController } from '../controllers/paged-controller.js';
import { importBody } from '../model/flow-document.js';
import { ApiError } from '../model/problem.js';
import { mayDevelop } from '../model/project-roles.js';
import { routeHash } from '../model/route.js';
import { apiErrorNotice } from './api-missing.js';
import { sharedStyles } from './shared-styles.js';

/** Templates per page. */
const PAGE = 100;

@customElement('ol-flows-page')
export class FlowsPage extends LitElement {
  static override styles = sharedStyles;
  @property() project = '';
  /** The signed-in user's role here: developers and admins may delete flows. */
  @property() projectRole = '';
  @state() private message = '';
  @state() private error = '';
  /** The flow whose deletion waits for a confirmation; `inUse` once core said what still uses it. */
  @state() private deleting: { template: TemplateSummary; inUse?: string } | undefined;
  @state() private busy = false;

  // Core pages templates by offset: the next page starts after the ones loaded.
  #templates = new PagedController(this, async (offset: number = 0) => {
    const { items } = await portalApi.templates(this.project, { limit: PAGE, offset });
    return { items, next: items.length === PAGE ? offset + PAGE : null };
  }, () => [this.project]);

  override render() {
    return html`<div class="row"><h1>Flows</h1><span class="spacer"></span>
        <label class="button" for="import">Import JSON…</label>
        <input id="import" type="file" accept="application/json,.json" class="sr-only" @change=${this.#import}>
        <a class="button primary" href=${routeHash({ page: 'flow-editor', project: this.project, id: 'new' })}>New flow</a></div>
      ${this.message ? html`<p class="notice" role="status">${this.message}</p>` : nothing}
      ${this.error ? html`<p class="notice error" role="alert">${this.error}</p>` : nothing}
      ${this.deleting ? this.#confirmDelete(this.deleting) : nothing}
      ${this.#templates.render({
        pending: () => html`<p role="status">Loading flows…</p>`,
        error: (e) => apiErrorNotice(e, 'templates API'),
        complete: (items) => this.#table(items),
      })}
      ${this.#templates.more('More flows')}`;
  }

  #table(items: TemplateSummary[]) {
    if (items.length === 0) return html`<p class="empty">No flows yet. Draw one with <strong>New flow</strong>.</p>`;
    return html`<table><thead><tr><th>Name</th><th>Version</th><th>Updated</th><th><span class="sr-only">Actions</span></th></tr></thead>
      <tbody>${items.map((t) => html`<tr>
        <td><a href=${routeHash({ page: 'flow-editor', project: this.project, id: t.id })}>${t.name}</a>
          ${t.description ? html`<div class="hint">${t.description}</div>` : nothing}</td>
        <td>v${t.latestVersion}</td>
        <td>${t.updatedAt ? new Date(t.updatedAt).toLocaleString() : ''}${t.updatedBy ? html` <span class="hint">by ${t.updatedBy}</span>` : nothing}</td>
        <td class="row"><a class="button" href=${routeHash({ page: 'task-new', project: this.project, query: { template: t.id } })}>Run…</a>
          <a class="button" href=${portalApi.exportUrl(this.project, t.id)} download>Export</a>
          ${mayDevelop(this.projectRole) ? html`<button class="danger" aria-label=${`Delete ${t.name}`} @click=${() => this.#askDelete(t)}>Delete</button>` : nothing}</td></tr>`)}</tbody></table>`;
  }

  #confirmDelete({ template, inUse }: { template: TemplateSummary; inUse?: string }) {
    return html`<div class="notice warn" role="alertdialog" aria-label="Delete flow">
      ${inUse
        ? html`<p>${inUse}</p><p>Deleting it anyway leaves them pointing at a flow that is gone: they fail when they next run it.</p>`
        : html`<p>Delete <strong>${template.name}</strong>? Tasks already created from it keep their copy and run on; no new task can be created from it.</p>`}
      <div class="row"><button class="danger" ?disabled=${this.busy} @click=${() => this.#delete(template, inUse !== undefined)}>${inUse ? 'Delete anyway' : 'Delete'}</button>
        <button ?disabled=${this.busy} @click=${() => { this.deleting = undefined; }}>Cancel</button></div></div>`;
  }

  #askDelete(template: TemplateSummary): void {
    this.message = '';
    this.error = '';
    this.deleting = { template };
  }

  async #delete(template: TemplateSummary, force: boolean): Promise<void> {
    this.busy = true;
    try {
      await portalApi.deleteTemplate(this.project, template.id, force);
      this.deleting = undefined;
      // Said once the list no longer shows it.
      await this.#templates.reload();
      this.message = `Deleted ${template.name}.`;
    } catch (err) {
      // In use: core names the periodic tasks and flows that still use it; the user decides.
      if (err instanceof ApiError && err.code === 'template_in_use') this.deleting = { template, inUse: inUseBy(template, err.problem) };
      else { this.deleting = undefined; this.error = `Not deleted: ${(err as Error).message}`; }
    } finally {
      this.busy = false;
    }
  }

  async #import(e: Event): Promise<void> {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    this.message = '';
    this.error = '';
    try {
      const doc = importBody(JSON.parse(await file.text()) as unknown, file.name);
      const t = await portalApi.importTemplate(this.project, doc);
      await this.#templates.reload();
      this.message = `Imported ${t.name}.`;
    } catch (err) {
      // A failure is an alert, not a status line that reads like the success one.
      this.error = `Import failed: ${(err as Error).message}`;
    } finally {
      input.value = '';
    }
  }
}

/** What core said still uses a template, in the portal's words. */
function inUseBy(template: TemplateSummary, problem: Readonly<Record<string, unknown>>): string {
  const names = (key: string) => (Array.isArray(problem[key]) ? (problem[key] as { name?: unknown }[]).map((u) => `“${String(u.name)}”`) : []);
  const periodic = names('periodicTasks');
  const parents = names('parentTemplates');
  return [
    `${template.name} is in use.`,
    ...(periodic.length ? [`Periodic ${periodic.length > 1 ? 'tasks' : 'task'} ${periodic.join(', ')} ${periodic.length > 1 ? 'run' : 'runs'} it.`] : []),
    ...(parents.length ? [`${parents.length > 1 ? 'Flows' : 'Flow'} ${parents.join(', ')} ${parents.length > 1 ? 'call' : 'calls'} it as a subflow.`] : []),
  ].join(' ');
}
