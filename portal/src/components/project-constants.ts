/**
 * `<ol-project-constants>`: the project's constants, which every flow reads as `${_env_KEY}`.
 * Every member sees them; project admins add, change and delete them.
 */
import { LitElement, html, css, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { constantApi, type ConstantReader, type ProjectConstant } from '../api/constant-endpoints.js';
import { FetchController } from '../controllers/fetch-controller.js';
import { routeHash } from '../model/route.js';
import { apiErrorNotice } from './api-missing.js';
import { sharedStyles } from './shared-styles.js';

/** Characters of a value the table shows; the form shows all of it. */
const SHOWN_CHARS = 160;

@customElement('ol-project-constants')
export class ProjectConstants extends LitElement {
  static override styles = [sharedStyles, css`
    section { background: #fff; border: 1px solid #e2e8f0; border-radius: 8px; padding: 12px; overflow-x: auto; max-width: 960px; }
    form { display: grid; gap: 2px; max-width: 560px; margin-top: 12px; } form input, form textarea { width: 100%; }
    td code { white-space: pre-wrap; word-break: break-all; }
    td.actions { white-space: nowrap; text-align: right; }
    form .row { margin-top: 8px; }
  `];

  @property() project = '';
  /** Whether the caller may change constants (a project admin). */
  @property({ type: Boolean }) canManage = false;
  /** The constant the form edits; null: the form adds one. */
  @state() private editing: ProjectConstant | null = null;
  @state() private message = '';
  @state() private readers: ConstantReader[] = [];
  @state() private error = '';

  #list = new FetchController(this, () => constantApi.list(this.project), () => [this.project]);

  override render() {
    return html`<section aria-labelledby="constants-h"><h2 id="constants-h">Constants</h2>
      <p class="hint">Every flow of this project reads a constant as <code>\${_env_KEY}</code>, e.g. <code>\${_env_DB_HOST}</code>.
        A task reads the value when an expression runs, so a change reaches the next node that reads it.</p>
      ${this.message ? html`<div class="notice ok" role="status">${this.message}${this.#readers()}</div>` : nothing}
      ${this.error ? html`<p class="notice error" role="alert">${this.error}</p>` : nothing}
      ${this.#list.render({
        pending: () => html`<p role="status">Loading constants…</p>`,
        error: (e) => apiErrorNotice(e, 'project constants API'),
        complete: (r) => r.items.length === 0 ? html`<p class="empty">No constants yet.</p>` : this.#table(r.items),
      })}
      ${this.canManage ? this.#form() : html`<p class="hint">Only project admins add, change or delete constants.</p>`}</section>`;
  }

  #table(items: ProjectConstant[]) {
    return html`<table><caption class="sr-only">Project constants</caption>
      <thead><tr><th>Key</th><th>Value</th><th>Description</th>${this.canManage ? html`<th><span class="sr-only">Actions</span></th>` : nothing}</tr></thead>
      <tbody>${items.map((c) => html`<tr data-key=${c.key}>
        <td><code>${c.key}</code></td>
        <td><code title=${c.value.length > SHOWN_CHARS ? c.value.slice(0, 2000) : nothing}>${c.value.length > SHOWN_CHARS ? `${c.value.slice(0, SHOWN_CHARS)}…` : c.value}</code></td>
        <td>${c.description ?? ''}</td>
        ${this.canManage ? html`<td class="actions">
          <button aria-label=${`Edit ${c.key}`} @click=${() => this.#edit(c)}>Edit</button>
          <button class="danger" aria-label=${`Delete ${c.key}`} @click=${() => this.#delete(c.key)}>Delete</button></td>` : nothing}
      </tr>`)}</tbody></table>`;
  }

  #form() {
    const c = this.editing;
    return html`<form @submit=${this.#save} aria-label=${c ? `Change constant ${c.key}` : 'Add a constant'}>
      <h3>${c ? html`Change <code>${c.key}</code>` : 'Add a constant'}</h3>
      <label for="c-key">Key <span class="hint">(letters, digits, _ and $, not starting with a digit; at most 128)</span></label>
      <input id="c-key" name="key" required maxlength="128" pattern="[A-Za-z_$][A-Za-z0-9_$]*" autocomplete="off" spellcheck="false"
        .value=${c?.key ?? ''} ?readonly=${c !== null}>
      <label for="c-value">Value</label>
      <textarea id="c-value" name="value" rows="3" spellcheck="false" .value=${c?.value ?? ''}></textarea>
      <label for="c-description">Description <span class="hint">(optional)</span></label>
      <input id="c-description" name="description" maxlength="500" .value=${c?.description ?? ''}>
      <div class="row"><button class="primary" type="submit">${c ? 'Save' : 'Add constant'}</button>
        ${c ? html`<button type="button" @click=${() => { this.editing = null; }}>Cancel</button>` : nothing}</div></form>`;
  }

  /** The templates a deleted constant leaves reading nothing. */
  #readers() {
    if (this.readers.length === 0) return nothing;
    return html` Still read by ${this.readers.map((t, i) => html`${i ? ', ' : ''}<a href=${routeHash({ page: 'flow-editor', project: this.project, id: t.templateId })}>${t.name}</a>`)}:
      their nodes that read it fail until it is set again.`;
  }

  #edit(c: ProjectConstant): void {
    this.editing = c;
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLTextAreaElement>('#c-value')?.focus());
  }

  #save(e: SubmitEvent): void {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const f = new FormData(form);
    const key = String(f.get('key') ?? '').trim();
    const description = String(f.get('description') ?? '').trim();
    const existed = this.#list.value?.items.some((c) => c.key === key) ?? false;
    void this.#act(async () => {
      await constantApi.set(this.project, key, { value: String(f.get('value') ?? ''), description: description || null });
      this.editing = null;
      form.reset();
      return [];
    }, `${existed ? 'Changed' : 'Added'} ${key}.`);
  }

  #delete(key: string): void {
    void this.#act(async () => {
      const { usedBy } = await constantApi.remove(this.project, key);
      if (this.editing?.key === key) this.editing = null;
      return usedBy;
    }, `Deleted ${key}.`);
  }

  async #act(run: () => Promise<ConstantReader[]>, done: string): Promise<void> {
    try {
      this.readers = await run();
      this.error = '';
      this.message = done;
    } catch (err) {
      this.message = '';
      this.readers = [];
      this.error = (err as Error).message;
    }
    await this.#list.run();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ol-project-constants': ProjectConstants;
  }
}
