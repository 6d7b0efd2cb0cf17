/**
 * `<ol-script-library>`: the project's scripts with their versions and statuses (draft, online,
 * offline, disabled): create a script, add a version, edit a draft, publish (the previous online
 * version goes offline) and disable (every run that references the version is refused).
 */
import { LitElement, html, css, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { ScriptDetailView, ScriptVersionView } from '@opsloom/core/job-api';
import { jobApi } from '../api/job-endpoints.js';
import { FetchController } from '../controllers/fetch-controller.js';
import { SCRIPT_LANGUAGES, scriptTemplate, type ScriptLanguage } from '../model/script-highlight.js';
import { apiErrorNotice } from './api-missing.js';
import { sharedStyles } from './shared-styles.js';
import './script-editor.js';

/** Why a version cannot be published or disabled now (undefined: it can). */
export function versionRules(v: Pick<ScriptVersionView, 'status'>): { publish?: string; disable?: string; edit?: string } {
  return {
    ...(v.status === 'online' ? { publish: 'this version is online already' } : v.status === 'disabled' ? { publish: 'a disabled version cannot go online again' } : {}),
    ...(v.status === 'disabled' ? { disable: 'this version is disabled already' } : v.status === 'draft' ? { disable: 'a draft is not used by any run; delete it instead' } : {}),
    ...(v.status === 'draft' ? {} : { edit: 'only drafts can be edited; add a new version instead' }),
  };
}

@customElement('ol-script-library')
export class ScriptLibrary extends LitElement {
  static override styles = [sharedStyles, css`
    .layout { display: grid; grid-template-columns: 260px minmax(0, 1fr); gap: 16px; }
    ul.scripts { list-style: none; padding: 0; margin: 0; }
    ul.scripts button { width: 100%; justify-content: space-between; margin: 2px 0; }
    ul.scripts button[aria-current='true'] { background: #dbeafe; border-color: #93c5fd; }
    section { background: #fff; border: 1px solid #e2e8f0; border-radius: 8px; padding: 12px; min-width: 0; }
    .badge.online { background: #dcfce7; } .badge.draft { background: #dbeafe; } .badge.disabled { background: #fee2e2; }
    .op { display: inline-flex; flex-direction: column; } .reason { font-size: 11px; color: #64748b; max-width: 160px; }
    form.new { display: grid; gap: 4px; margin-top: 12px; }
    @media (max-width: 800px) { .layout { grid-template-columns: 1fr; } }
  `];

  @property() project = '';
  @state() private scriptId = '';
  @state() private versionId = '';
  @state() private draft = '';
  @state() private newLanguage: ScriptLanguage = 'bash';
  @state() private newContent = scriptTemplate('bash');
  @state() private message = '';
  @state() private error = '';

  #list = new FetchController(this, () => jobApi.scripts(this.project), () => [this.project]);
  #script = new FetchController(this, async () => (this.scriptId ? jobApi.script(this.project, this.scriptId) : null), () => [this.project, this.scriptId]);

  override render() {
    return html`${this.message ? html`<p class="notice ok" role="status">${this.message}</p>` : nothing}
      ${this.error ? html`<p class="notice error" role="alert">${this.error}</p>` : nothing}
      <div class="layout"><div>
        ${this.#list.render({
          pending: () => html`<p role="status">Loading scripts…</p>`,
          error: (e) => apiErrorNotice(e, 'script library API'),
          complete: (r) => r.items.length === 0 ? html`<p class="empty">No script yet.</p>`
            : html`<ul class="scripts" aria-label="Scripts">${r.items.map((s) => html`<li><button aria-current=${String(s.id === this.scriptId)}
              @click=${() => { this.scriptId = s.id; this.versionId = ''; }}>${s.name}<span class="hint">${s.language}${s.onlineVersionId ? ' · online' : ''}</span></button></li>`)}</ul>`,
        })}
        <form class="new" @submit=${this.#create}><h3>New script</h3>
          <label for="s-name">Name</label><input id="s-name" name="name" required>
          <label for="s-lang">Language</label><select id="s-lang" @change=${(e: Event) => {
            this.newLanguage = (e.target as HTMLSelectElement).value as ScriptLanguage;
            this.newContent = scriptTemplate(this.newLanguage);
          }}>${SCRIPT_LANGUAGES.map((l) => html`<option ?selected=${l === this.newLanguage}>${l}</option>`)}</select>
          <label for="s-version">First version label</label><input id="s-version" name="version" value="1.0.0">
          <ol-script-editor label="Content of the new script" .language=${this.newLanguage} .value=${this.newContent}
            @input=${(e: Event) => { this.newContent = (e.target as HTMLElement & { value: string }).value; }}></ol-script-editor>
          <button class="primary" type="submit">Create script</button></form>
      </div>
      <section aria-label="Script versions">${this.#script.render({
        pending: () => html`<p class="hint">${this.scriptId ? 'Loading…' : 'Choose a script to see its versions.'}</p>`,
        error: (e) => apiErrorNotice(e, 'script library API'),
        complete: (s) => (s ? this.#detail(s) : html`<p class="hint">Choose a script to see its versions.</p>`),
      })}</section></div>`;
  }

  #detail(s: ScriptDetailView) {
    const current = s.versions.find((v) => v.id === this.versionId) ?? s.versions.find((v) => v.status === 'online') ?? s.versions[0];
    return html`<h2>${s.name} <span class="hint">${s.language}</span></h2>${s.description ? html`<p>${s.description}</p>` : nothing}
      <table><caption class="sr-only">Versions</caption><thead><tr><th>Version</th><th>Status</th><th>Created</th><th>Actions</th></tr></thead>
        <tbody>${s.versions.map((v) => {
          const rules = versionRules(v);
          return html`<tr data-version=${v.version}><td><button @click=${() => { this.versionId = v.id; this.draft = v.content; }}
              aria-pressed=${String(current?.id === v.id)}>${v.version}</button></td>
            <td><span class="badge ${v.status}">${v.status}</span></td><td>${new Date(v.createdAt).toLocaleString()} <span class="hint">${v.createdBy}</span></td>
            <td class="row">${this.#op('Publish', rules.publish, `${v.id}-publish`, () => jobApi.publish(this.project, s.id, v.id), `${v.version} is online.`)}
              ${this.#op('Disable', rules.disable, `${v.id}-disable`, () => jobApi.disable(this.project, s.id, v.id), `${v.version} is disabled.`, true)}</td></tr>`;
        })}</tbody></table>
      ${current ? html`<h3>Version ${current.version}</h3>
        <ol-script-editor label=${`Content of version ${current.version}`} .language=${s.language} ?readonly=${current.status !== 'draft'}
          .value=${this.versionId === current.id ? this.draft : current.content}
          @input=${(e: Event) => { this.versionId = current.id; this.draft = (e.target as HTMLElement & { value: string }).value; }}></ol-script-editor>
        <div class="row" style="margin-top:8px">
          ${current.status === 'draft' ? html`<button @click=${() => this.#act(() => jobApi.updateVersion(this.project, s.id, current.id, { content: this.versionId === current.id ? this.draft : current.content }), 'Draft saved.')}>Save draft</button>`
            : html`<span class="hint">${versionRules(current).edit}</span>`}
          <form class="row" @submit=${(e: SubmitEvent) => this.#addVersion(e, s.id, current)}>
            <label class="sr-only" for="new-version">New version label</label><input id="new-version" name="version" required placeholder="1.0.1">
            <button type="submit">Add version from this one</button></form></div>` : nothing}`;
  }

  #op(label: string, reason: string | undefined, id: string, run: () => Promise<unknown>, done: string, danger = false) {
    return html`<span class="op"><button class=${danger ? 'danger' : ''} ?disabled=${reason !== undefined} aria-describedby=${reason ? `why-${id}` : ''}
      @click=${() => this.#act(run, done)}>${label}</button>${reason ? html`<span class="reason" id=${`why-${id}`}>${reason}</span>` : nothing}</span>`;
  }

  async #act(run: () => Promise<unknown>, done: string): Promise<void> {
    try {
      await run();
      this.message = done;
      this.error = '';
      await Promise.all([this.#script.run(), this.#list.run()]);
    } catch (err) {
      this.message = '';
      this.error = (err as Error).message;
    }
  }

  #addVersion(e: SubmitEvent, scriptId: string, from: ScriptVersionView): void {
    e.preventDefault();
    const version = String(new FormData(e.target as HTMLFormElement).get('version') ?? '').trim();
    const content = this.versionId === from.id ? this.draft : from.content;
    void this.#act(async () => {
      const v = await jobApi.addVersion(this.project, scriptId, { version, content });
      this.versionId = v.id;
      this.draft = v.content;
    }, `Draft ${version} added.`);
  }

  #create(e: SubmitEvent): void {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    const version = String(f.get('version') ?? '').trim();
    void this.#act(async () => {
      const s = await jobApi.createScript(this.project, { name: String(f.get('name')).trim(), language: this.newLanguage, content: this.newContent, ...(version ? { version } : {}) });
      this.scriptId = s.id;
      (e.target as HTMLFormElement).reset();
    }, 'Script created as a draft; publish it to use it.');
  }
}
