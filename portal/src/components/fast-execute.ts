/**
 * `<ol-fast-execute>`: bk-job's fast script execution: a script (typed with highlighting, or an
 * online version from the library), its language, parameters (optionally sensitive: stored
 * encrypted, shown masked), the account, the timeout, optional rolling batches, and the target
 * hosts. Running it opens the live result view.
 */
import { LitElement, html, css, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { jobApi, type ExecuteScriptBody } from '../api/job-endpoints.js';
import { FetchController } from '../controllers/fetch-controller.js';
import { routeHash } from '../model/route.js';
import { SCRIPT_LANGUAGES, scriptTemplate, type ScriptLanguage } from '../model/script-highlight.js';
import { sharedStyles } from './shared-styles.js';
import type { PickedHost } from './host-picker.js';
import './host-picker.js';
import './script-editor.js';

@customElement('ol-fast-execute')
export class FastExecute extends LitElement {
  static override styles = [sharedStyles, css`
    form { display: grid; grid-template-columns: minmax(0, 3fr) minmax(260px, 2fr); gap: 16px; }
    .grid { display: grid; grid-template-columns: 1fr 1fr; gap: 0 12px; }
    .grid input:not([type='checkbox']), .grid select { width: 100%; }
    .actions { grid-column: 1 / -1; display: flex; gap: 8px; flex-wrap: wrap; align-items: center; }
    ol-script-editor { margin-top: 4px; }
    @media (max-width: 900px) { form { grid-template-columns: 1fr; } }
  `];

  @property() project = '';
  @state() private language: ScriptLanguage = 'bash';
  @state() private content = scriptTemplate('bash');
  @state() private source: 'inline' | string = 'inline';
  @state() private hosts: PickedHost[] = [];
  @state() private sensitive = false;
  @state() private error = '';
  @state() private check = '';
  @state() private busy = false;
  #edited = false;

  #scripts = new FetchController(this, () => jobApi.scripts(this.project), () => [this.project]);

  override render() {
    const library = (this.#scripts.value?.items ?? []).filter((s) => s.onlineVersionId);
    const fromLibrary = library.find((s) => s.onlineVersionId === this.source);
    return html`<form @submit=${this.#run} aria-label="Run a script">
      <div>
        <div class="grid">
          <div><label for="job-name">Job name</label><input id="job-name" name="name" placeholder="Fast execution"></div>
          <div><label for="source">Script</label><select id="source" @change=${(e: Event) => { this.source = (e.target as HTMLSelectElement).value; }}>
            <option value="inline" ?selected=${this.source === 'inline'}>Type a script</option>
            ${library.map((s) => html`<option value=${s.onlineVersionId!} ?selected=${this.source === s.onlineVersionId}>Library: ${s.name} (${s.language})</option>`)}
          </select></div>
        </div>
        ${fromLibrary ? html`<p class="notice">Runs the online version of <strong>${fromLibrary.name}</strong> from the script library.</p>` : html`
          <label for="language">Language</label>
          <select id="language" @change=${this.#language}>${SCRIPT_LANGUAGES.map((l) => html`<option ?selected=${l === this.language}>${l}</option>`)}</select>
          <ol-script-editor label="Script content" .language=${this.language} .value=${this.content}
            @input=${(e: Event) => { this.content = (e.target as HTMLElement & { value: string }).value; this.#edited = true; }}></ol-script-editor>`}
        <div class="grid">
          <div><label for="params">Parameters</label>
            <input id="params" name="params" type=${this.sensitive ? 'password' : 'text'} autocomplete="off" placeholder="--verbose 3"></div>
          <div><label class="inline" style="margin-top:28px"><input type="checkbox" name="sensitive" .checked=${this.sensitive}
            @change=${(e: Event) => { this.sensitive = (e.target as HTMLInputElement).checked; }}> Sensitive (stored encrypted, shown as ******)</label></div>
          <div><label for="run-as">Account <span class="hint">(empty: the agent's user)</span></label><input id="run-as" name="runAs" placeholder="root"></div>
          <div><label for="timeout">Timeout (seconds)</label><input id="timeout" name="timeout" type="number" min="1" max="86400" value="600"></div>
          <div><label for="rolling">Rolling batches <span class="hint">(e.g. 10% or 1 2 5)</span></label><input id="rolling" name="rolling"></div>
          <div><label for="rolling-mode">When a batch fails</label><select id="rolling-mode" name="rollingMode">
            <option value="pause-on-failure">pause</option><option value="continue">continue</option><option value="confirm">confirm every batch</option></select></div>
        </div>
      </div>
      <div><ol-host-picker .project=${this.project} .value=${this.hosts}
        @hosts-changed=${(e: CustomEvent<{ hosts: PickedHost[] }>) => { this.hosts = e.detail.hosts; }}></ol-host-picker></div>
      <div class="actions">
        <button class="primary" type="submit" ?disabled=${this.busy || this.hosts.length === 0}
          aria-describedby=${this.hosts.length === 0 ? 'why-run' : ''}>Run on ${this.hosts.length} host${this.hosts.length === 1 ? '' : 's'}</button>
        ${this.hosts.length === 0 ? html`<span class="hint" id="why-run">choose at least one target host</span>` : nothing}
        ${fromLibrary ? nothing : html`<button type="button" @click=${this.#check}>Check for high-risk commands</button>`}
        ${this.check ? html`<span role="status">${this.check}</span>` : nothing}
      </div>
      ${this.error ? html`<p class="notice error" role="alert" style="grid-column:1/-1">${this.error}</p>` : nothing}
    </form>`;
  }

  #language(e: Event): void {
    const next = (e.target as HTMLSelectElement).value as ScriptLanguage;
    // Swap the sample only while the user has not typed their own script.
    if (!this.#edited) this.content = scriptTemplate(next);
    this.language = next;
  }

  async #check(): Promise<void> {
    try {
      const r = await jobApi.checkScript(this.language, this.content);
      this.check = r.items.length === 0 ? 'No high-risk command found.'
        : r.items.map((m) => `line ${m.line}: ${m.description} (${m.action === 'intercept' ? 'would be blocked' : 'would be recorded'})`).join('; ');
    } catch (err) {
      this.check = `Check failed: ${(err as Error).message}`;
    }
  }

  async #run(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    const text = (k: string): string => String(f.get(k) ?? '').trim();
    const body: ExecuteScriptBody = {
      ...(text('name') ? { name: text('name') } : {}),
      ...(this.source === 'inline' ? { content: this.content, language: this.language } : { scriptVersionId: this.source }),
      hostIds: this.hosts.flatMap((h) => (h.hostId ? [h.hostId] : [])),
      hosts: this.hosts.filter((h) => !h.hostId).map((h) => ({ cloudArea: h.cloudArea, ip: h.ip })),
      ...(text('params') ? { params: text('params'), paramsSensitive: this.sensitive } : {}),
      ...(text('runAs') ? { runAs: text('runAs') } : {}),
      ...(text('timeout') ? { timeoutSeconds: Number(text('timeout')) } : {}),
      ...(text('rolling') ? { rolling: { expression: text('rolling'), mode: text('rollingMode') as 'continue' } } : {}),
    };
    this.busy = true;
    try {
      const job = await jobApi.execute(this.project, body);
      this.error = '';
      location.hash = routeHash({ page: 'job', project: this.project, id: job.id });
    } catch (err) {
      this.error = `Not started: ${(err as Error).message}`;
    } finally {
      this.busy = false;
    }
  }
}
