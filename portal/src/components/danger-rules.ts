/**
 * `<ol-danger-rules>`: high-risk command rules (regular expressions per language; `scan` records
 * a hit, `intercept` refuses the run) and the hits recorded in this project. Changing rules needs
 * an administrator; the controls say so.
 */
import { LitElement, html, css, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { DangerHitDetailView } from '@opsloom/core/job-api';
import { jobApi } from '../api/job-endpoints.js';
import { FetchController } from '../controllers/fetch-controller.js';
import { PagedController, pageAfterLast } from '../controllers/paged-controller.js';
import { SCRIPT_LANGUAGES, type ScriptLanguage } from '../model/script-highlight.js';
import { apiErrorNotice } from './api-missing.js';
import { sharedStyles } from './shared-styles.js';
import './script-editor.js';

/** Hits per page. */
const HITS_PAGE = 100;

@customElement('ol-danger-rules')
export class DangerRules extends LitElement {
  static override styles = [sharedStyles, css`
    section { background: #fff; border: 1px solid #e2e8f0; border-radius: 8px; padding: 12px; margin-bottom: 12px; overflow-x: auto; }
    form.new { display: grid; grid-template-columns: 2fr 2fr 1fr auto; gap: 8px; align-items: end; }
    form.new label { margin: 0; } form.new input, form.new select { width: 100%; }
    fieldset { border: 0; padding: 0; margin: 0; grid-column: 1 / -1; }
    .badge.intercept, .badge.blocked { background: #fee2e2; } .badge.scan { background: #fef9c3; }
    @media (max-width: 800px) { form.new { grid-template-columns: 1fr; } }
  `];

  @property() project = '';
  @property({ type: Boolean }) isAdmin = false;
  @state() private error = '';
  /** The hit whose screened script is shown under the table. */
  @state() private shown?: DangerHitDetailView;

  #rules = new FetchController(this, () => jobApi.rules());
  #hits = new PagedController(this, async (before?: number) => pageAfterLast((await jobApi.hits(this.project, { limit: HITS_PAGE, ...(before ? { before } : {}) })).items, HITS_PAGE, (h) => h.id),
    () => [this.project]);

  override render() {
    const why = this.isAdmin ? '' : 'only an administrator can change high-risk rules';
    return html`${this.error ? html`<p class="notice error" role="alert">${this.error}</p>` : nothing}
      <section aria-labelledby="rules-h"><h2 id="rules-h">High-risk command rules</h2>
        ${this.#rules.render({
          pending: () => html`<p role="status">Loading rules…</p>`,
          error: (e) => apiErrorNotice(e, 'high-risk rules API'),
          complete: (r) => r.items.length === 0 ? html`<p class="empty">No rule.</p>` : html`<table>
            <thead><tr><th>Expression</th><th>Description</th><th>Languages</th><th>Action</th><th>Enabled</th><th></th></tr></thead>
            <tbody>${r.items.map((rule) => html`<tr><td><code>${rule.expression}</code></td><td>${rule.description}</td><td>${rule.languages.join(', ')}</td>
              <td><span class="badge ${rule.action}">${rule.action === 'intercept' ? 'block' : 'record'}</span></td>
              <td><input type="checkbox" .checked=${rule.enabled} ?disabled=${!this.isAdmin} title=${why} aria-label=${`Rule ${rule.description} enabled`}
                @change=${(e: Event) => this.#act(() => jobApi.updateRule(rule.id, { enabled: (e.target as HTMLInputElement).checked }))}></td>
              <td><button class="danger" ?disabled=${!this.isAdmin} title=${why} aria-label=${`Delete rule ${rule.description}`}
                @click=${() => this.#act(() => jobApi.deleteRule(rule.id))}>Delete</button></td></tr>`)}</tbody></table>`,
        })}
        ${this.isAdmin ? html`<form class="new" @submit=${this.#create}><h3 style="grid-column:1/-1">Add a rule</h3>
            <label>Regular expression <input name="expression" required placeholder="rm\\s+-rf\\s+/"></label>
            <label>Description <input name="description" required placeholder="deletes the root file system"></label>
            <label>Action <select name="action"><option value="scan">record a hit</option><option value="intercept">block the run</option></select></label>
            <button class="primary" type="submit">Add rule</button>
            <fieldset><legend class="hint">Languages</legend>${SCRIPT_LANGUAGES.map((l) => html`<label class="inline"><input type="checkbox" name="languages" value=${l} checked>${l}</label>`)}</fieldset>
          </form>` : html`<p class="hint">${why}.</p>`}
      </section>
      <section aria-labelledby="hits-h"><h2 id="hits-h">Hits in this project</h2>
        ${this.#hits.render({
          pending: () => html`<p role="status">Loading hits…</p>`,
          error: (e) => apiErrorNotice(e, 'high-risk hits API'),
          complete: (items) => items.length === 0 ? html`<p class="empty">No script of this project has matched a rule.</p>` : html`<table>
            <thead><tr><th>When</th><th>Who</th><th>Rule</th><th>Line</th><th>Outcome</th><th></th></tr></thead>
            <tbody>${items.map((h) => html`<tr><td>${new Date(h.at).toLocaleString()}</td><td>${h.username ?? '—'} <span class="hint">${h.origin}</span></td>
              <td>${h.description}<div class="hint"><code>${h.expression}</code></div></td><td>${h.line}: <code>${h.lineContent}</code></td>
              <td><span class="badge ${h.blocked ? 'blocked' : 'scan'}">${h.blocked ? 'blocked' : 'recorded'}</span></td>
              <td><button aria-label=${`Script of the hit at ${new Date(h.at).toLocaleString()}, line ${h.line}`} @click=${() => this.#show(h.id)}>Script</button></td></tr>`)}</tbody></table>`,
        })}
        ${this.#hits.more('Older hits')}
        ${this.shown ? html`<ol-script-editor label=${`Script screened ${new Date(this.shown.at).toLocaleString()} (line ${this.shown.line} matched; read only)`} readonly
            .language=${this.shown.language} .value=${this.shown.script}></ol-script-editor>` : nothing}
      </section>`;
  }

  async #show(id: number): Promise<void> {
    try {
      this.shown = await jobApi.hit(this.project, id);
      this.error = '';
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  async #act(run: () => Promise<unknown>): Promise<void> {
    try {
      await run();
      this.error = '';
    } catch (err) {
      this.error = (err as Error).message;
    }
    await this.#rules.run();
  }

  #create(e: SubmitEvent): void {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const f = new FormData(form);
    const languages = f.getAll('languages').map(String) as ScriptLanguage[];
    if (languages.length === 0) {
      this.error = 'Choose at least one language for the rule.';
      return;
    }
    void this.#act(async () => {
      await jobApi.createRule({ expression: String(f.get('expression')), description: String(f.get('description')).trim(), action: f.get('action') === 'intercept' ? 'intercept' : 'scan', languages });
      form.reset();
    });
  }
}
