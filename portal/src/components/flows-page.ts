/** `<ol-flows-page>`: the project's flow templates, a page at a time, with new, import, edit, run and export. */
import { LitElement, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { portalApi, type TemplateSummary } from '../api/endpoints.js';
import { PagedController } from '../controllers/paged-controller.js';
import { routeHash } from '../model/route.js';
import { apiErrorNotice } from './api-missing.js';
import { sharedStyles } from './shared-styles.js';

/** Templates per page. */
const PAGE = 100;

@customElement('ol-flows-page')
export class FlowsPage extends LitElement {
  static override styles = sharedStyles;
  @property() project = '';
  @state() private message = '';

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
          <a class="button" href=${portalApi.exportUrl(this.project, t.id)} download>Export</a></td></tr>`)}</tbody></table>`;
  }

  async #import(e: Event): Promise<void> {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    try {
      const doc = JSON.parse(await file.text()) as unknown;
      const t = await portalApi.importTemplate(this.project, doc);
      this.message = `Imported ${t.name}.`;
      await this.#templates.reload();
    } catch (err) {
      this.message = `Import failed: ${(err as Error).message}`;
    } finally {
      input.value = '';
    }
  }
}
