/** `<ol-audit-page>`: the audit log of the project (or of the whole system for administrators), newest first. */
import { LitElement, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { portalApi, type AuditRecord } from '../api/endpoints.js';
import { sharedStyles } from './shared-styles.js';

@customElement('ol-audit-page')
export class AuditPage extends LitElement {
  static override styles = sharedStyles;
  @property() project = '';
  @property({ type: Boolean }) isAdmin = false;
  @state() private scope: 'project' | 'system' = 'project';
  @state() private items: AuditRecord[] = [];
  @state() private next: number | null = null;
  @state() private error = '';
  @state() private loading = false;
  #filters = { actor: '', action: '' };

  override connectedCallback(): void {
    super.connectedCallback();
    void this.#load(false);
  }

  protected override updated(changed: Map<string, unknown>): void {
    if (changed.has('project') && changed.get('project') !== undefined) void this.#load(false);
  }

  override render() {
    return html`<h1>Audit log</h1>
      <form class="row" @submit=${(e: SubmitEvent) => { e.preventDefault(); this.#readFilters(e.target as HTMLFormElement); void this.#load(false); }}>
        <label class="inline" for="actor">Actor <input id="actor" name="actor" placeholder="username"></label>
        <label class="inline" for="action">Action <input id="action" name="action" placeholder="e.g. project.create"></label>
        ${this.isAdmin ? html`<label class="inline" for="scope">Scope <select id="scope" name="scope">
          <option value="project" ?selected=${this.scope === 'project'}>this project</option>
          <option value="system" ?selected=${this.scope === 'system'}>whole system</option></select></label>` : nothing}
        <button type="submit">Filter</button></form>
      ${this.error ? html`<p class="notice error" role="alert">${this.error}</p>` : nothing}
      ${this.items.length === 0 && !this.loading && !this.error ? html`<p class="empty">No audit entries match.</p>` : html`
        <table><caption class="sr-only">Audit entries, newest first</caption>
          <thead><tr><th>When</th><th>Who</th><th>Action</th><th>Target</th><th>Status</th><th>From</th></tr></thead>
          <tbody>${this.items.map((r) => html`<tr>
            <td>${new Date(r.at).toLocaleString()}</td><td>${r.actorName ?? '—'}</td><td><code>${r.action}</code></td>
            <td>${r.targetKind ? `${r.targetKind} ${r.targetId ?? ''}` : ''}${r.detail ? html`<div class="hint">${JSON.stringify(r.detail)}</div>` : nothing}</td>
            <td>${r.status ?? ''}</td><td>${r.ip ?? ''}</td></tr>`)}</tbody></table>`}
      ${this.loading ? html`<p role="status">Loading…</p>` : nothing}
      ${this.next !== null ? html`<p><button @click=${() => this.#load(true)}>Older entries</button></p>` : nothing}`;
  }

  #readFilters(form: FormData | HTMLFormElement): void {
    const data = form instanceof FormData ? form : new FormData(form);
    this.#filters = { actor: String(data.get('actor') ?? '').trim(), action: String(data.get('action') ?? '').trim() };
    const scope = data.get('scope');
    if (scope === 'system' || scope === 'project') this.scope = scope;
  }

  async #load(more: boolean): Promise<void> {
    this.loading = true;
    try {
      const page = await portalApi.audit(this.scope === 'system' ? undefined : this.project, {
        ...(this.#filters.actor ? { actor: this.#filters.actor } : {}), ...(this.#filters.action ? { action: this.#filters.action } : {}),
        limit: 50, ...(more && this.next !== null ? { before: this.next } : {}),
      });
      this.items = more ? [...this.items, ...page.items] : page.items;
      this.next = page.next;
      this.error = '';
    } catch (err) {
      this.error = (err as Error).message;
    } finally {
      this.loading = false;
    }
  }
}
