/**
 * `<ol-periodic-page>`: periodic tasks (a flow run on a 5-field cron in the project's time zone)
 * and clocked tasks (one run at a set time): create with a live preview of the next runs,
 * enable or disable, see each one's upcoming runs and history, delete.
 */
import { LitElement, html, css, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { JsonValue } from '@opsloom/core/model';
import { portalApi } from '../api/endpoints.js';
import { periodicApi, type PeriodicInput, type PeriodicTask } from '../api/periodic-endpoints.js';
import { FetchController } from '../controllers/fetch-controller.js';
import { isKnownTimeZone, nextRuns, parseCronExpression } from '../model/cron-preview.js';
import { routeHash } from '../model/route.js';
import { apiErrorNotice } from './api-missing.js';
import { sharedStyles } from './shared-styles.js';

const EXAMPLES: [string, string][] = [['*/15 * * * *', 'every 15 minutes'], ['0 2 * * *', 'daily at 02:00'], ['30 9 * * mon-fri', 'weekdays at 09:30'], ['0 0 1 * *', 'monthly']];
/** A slot's outcome as a badge: `claimed` is a slot being started (by its scheduler, or after it stopped, by the next one). */
const OUTCOME_BADGE: Record<string, string> = { started: 'finished', claimed: 'running', missed: 'paused' };

@customElement('ol-periodic-page')
export class PeriodicPage extends LitElement {
  static override styles = [sharedStyles, css`
    .layout { display: grid; grid-template-columns: minmax(0, 3fr) minmax(300px, 2fr); gap: 16px; }
    section { background: #fff; border: 1px solid #e2e8f0; border-radius: 8px; padding: 12px; min-width: 0; overflow-x: auto; margin-bottom: 12px; }
    form { display: grid; gap: 2px; } form input:not([type='checkbox']):not([type='radio']), form select, form textarea { width: 100%; }
    .kinds { display: flex; gap: 12px; }
    ol.preview { margin: 4px 0; padding-left: 20px; font-size: 13px; }
    tr[aria-selected='true'] { background: #eff6ff; }
    button.link { border: 0; background: none; color: #1d4ed8; padding: 0; min-height: 0; text-decoration: underline; font-weight: 600; }
    @media (max-width: 900px) { .layout { grid-template-columns: 1fr; } }
  `];

  @property() project = '';
  /** The project's time zone (schedules default to it). */
  @property() timeZone = '';
  @state() private kind: 'periodic' | 'clocked' = 'periodic';
  @state() private cron = '0 2 * * *';
  @state() private zone = '';
  @state() private selected = '';
  @state() private message = '';
  @state() private error = '';

  #list = new FetchController(this, () => periodicApi.list(this.project), () => [this.project]);
  #templates = new FetchController(this, () => portalApi.allTemplates(this.project), () => [this.project]);
  #detail = new FetchController(this, async () => (this.selected ? Promise.all([periodicApi.get(this.project, this.selected), periodicApi.history(this.project, this.selected)]) : null),
    () => [this.project, this.selected]);

  override render() {
    return html`<h1>Periodic tasks</h1>
      ${this.message ? html`<p class="notice ok" role="status">${this.message}</p>` : nothing}
      ${this.error ? html`<p class="notice error" role="alert">${this.error}</p>` : nothing}
      <div class="layout"><div>
        <section aria-labelledby="list-h"><h2 id="list-h">Schedules</h2>${this.#list.render({
          pending: () => html`<p role="status">Loading…</p>`,
          error: (e) => apiErrorNotice(e, 'periodic tasks API'),
          complete: (r) => r.items.length === 0 ? html`<p class="empty">No periodic or clocked task yet.</p>` : this.#table(r.items),
        })}</section>
        ${this.selected ? this.#history() : nothing}
      </div>
      <section aria-labelledby="new-h"><h2 id="new-h">New schedule</h2>${this.#form()}</section></div>`;
  }

  #table(items: PeriodicTask[]) {
    return html`<table><caption class="sr-only">Periodic and clocked tasks</caption>
      <thead><tr><th>Name</th><th>Schedule</th><th>Next run</th><th>Runs</th><th>Enabled</th><th></th></tr></thead>
      <tbody>${items.map((p) => html`<tr data-name=${p.name} aria-selected=${String(p.id === this.selected)}>
        <td><button class="link" @click=${() => { this.selected = p.id; }} aria-label=${`Show runs of ${p.name}`}>${p.name}</button>
          <div class="hint">flow ${this.#templates.value?.items.find((t) => t.id === p.templateId)?.name ?? p.templateId}${p.templateVersion ? ` v${p.templateVersion}` : ' (latest)'}</div></td>
        <td>${p.kind === 'clocked' ? html`once at ${p.runAt ? new Date(p.runAt).toLocaleString() : '—'}` : html`<code>${p.cron}</code> <span class="hint">${p.timeZone ?? ''}</span>`}</td>
        <td>${p.enabled && p.nextRunAt ? new Date(p.nextRunAt).toLocaleString() : '—'}</td>
        <td>${p.totalRuns}${p.lastRunAt ? html`<div class="hint">last ${new Date(p.lastRunAt).toLocaleString()}</div>` : nothing}</td>
        <td><input type="checkbox" .checked=${p.enabled} aria-label=${`${p.name} enabled`}
          @change=${(e: Event) => this.#act(() => periodicApi.update(this.project, p.id, { enabled: (e.target as HTMLInputElement).checked }), `${p.name} ${(e.target as HTMLInputElement).checked ? 'enabled' : 'disabled'}.`)}></td>
        <td><button class="danger" aria-label=${`Delete ${p.name}`} @click=${() => this.#act(async () => {
          await periodicApi.remove(this.project, p.id);
          if (this.selected === p.id) this.selected = '';
        }, `${p.name} deleted.`)}>Delete</button></td></tr>`)}</tbody></table>`;
  }

  #history() {
    return html`<section aria-labelledby="hist-h">${this.#detail.render({
      pending: () => html`<p role="status">Loading runs…</p>`,
      error: (e) => apiErrorNotice(e, 'periodic history API'),
      complete: (d) => {
        if (!d) return nothing;
        const [p, h] = d;
        return html`<h2 id="hist-h">${p.name}</h2>
          ${p.upcoming?.length ? html`<h3>Next runs</h3><ol class="preview">${p.upcoming.map((t) => html`<li>${t ? new Date(t).toLocaleString() : '—'}</li>`)}</ol>` : nothing}
          <h3>History</h3>${h.items.length === 0 ? html`<p class="empty">It has not fired yet.</p>` : html`<table>
            <thead><tr><th>Slot</th><th>Outcome</th><th>Task</th></tr></thead>
            <tbody>${h.items.map((r) => html`<tr><td>${new Date(r.slotAt).toLocaleString()}</td>
              <td><span class="badge ${OUTCOME_BADGE[r.outcome ?? ''] ?? 'failed'}">${r.outcome ?? ''}</span>${r.error ? html`<div class="hint">${r.error}</div>` : nothing}</td>
              <td>${r.taskId ? html`<a href=${routeHash({ page: 'task', project: this.project, id: String(r.taskId) })}>open task</a>` : ''}</td></tr>`)}</tbody></table>`}`;
      },
    })}</section>`;
  }

  #form() {
    const zone = this.zone || this.timeZone || Intl.DateTimeFormat().resolvedOptions().timeZone;
    return html`<form @submit=${this.#create} aria-label="New periodic or clocked task">
      <label for="p-name">Name</label><input id="p-name" name="name" required>
      <label for="p-template">Flow</label>${this.#templates.render({
        pending: () => html`<select id="p-template" disabled><option>Loading flows…</option></select>`,
        error: (e) => html`<select id="p-template" disabled></select>${apiErrorNotice(e, 'templates API')}`,
        complete: (t) => t.items.length === 0 ? html`<p class="empty">No flow in this project yet. <a href=${routeHash({ page: 'flow-editor', project: this.project, id: 'new' })}>Create one</a>.</p>`
          : html`<select id="p-template" name="templateId" required>${t.items.map((x) => html`<option value=${x.id}>${x.name} (v${x.latestVersion})</option>`)}</select>`,
      })}
      <label for="p-version">Flow version <span class="hint">(empty: the latest when it runs)</span></label><input id="p-version" name="version" type="number" min="1">
      <fieldset class="kinds"><legend class="sr-only">Kind</legend>
        <label class="inline"><input type="radio" name="kind" value="periodic" .checked=${this.kind === 'periodic'} @change=${() => { this.kind = 'periodic'; }}> Periodic (cron)</label>
        <label class="inline"><input type="radio" name="kind" value="clocked" .checked=${this.kind === 'clocked'} @change=${() => { this.kind = 'clocked'; }}> Clocked (once)</label></fieldset>
      ${this.kind === 'periodic' ? this.#cronFields(zone) : html`<label for="p-at">Run at (your local time)</label><input id="p-at" name="runAt" type="datetime-local" required>`}
      <label for="p-vars">Variables (JSON object, optional)</label><textarea id="p-vars" name="variables" placeholder='{"host": "10.0.0.5"}'></textarea>
      <label class="inline"><input type="checkbox" name="enabled" checked> Enabled</label>
      <button class="primary" type="submit">Create schedule</button></form>`;
  }

  #cronFields(zone: string) {
    const parsed = parseCronExpression(this.cron);
    const zoneOk = isKnownTimeZone(zone);
    const runs = parsed.ok && zoneOk ? nextRuns(parsed.schedule, new Date(), 5, zone) : [];
    const fmt = zoneOk ? new Intl.DateTimeFormat(undefined, { timeZone: zone, dateStyle: 'medium', timeStyle: 'short' }) : undefined;
    return html`<label for="p-cron">Cron <span class="hint">(minute hour day-of-month month day-of-week)</span></label>
      <input id="p-cron" name="cron" required .value=${this.cron} aria-describedby="cron-preview" aria-invalid=${String(!parsed.ok)}
        @input=${(e: Event) => { this.cron = (e.target as HTMLInputElement).value; }}>
      <div class="row">${EXAMPLES.map(([c, label]) => html`<button type="button" @click=${() => { this.cron = c; }}>${label}</button>`)}</div>
      <label for="p-zone">Time zone</label><input id="p-zone" name="timeZone" .value=${zone} @change=${(e: Event) => { this.zone = (e.target as HTMLInputElement).value.trim(); }}>
      <div id="cron-preview" aria-live="polite">${!parsed.ok ? html`<p class="field-error">${parsed.error}</p>`
        : !zoneOk ? html`<p class="field-error">Unknown time zone “${zone}”.</p>`
          : html`<p class="hint">Next runs (${zone}):</p><ol class="preview">${runs.map((d) => html`<li>${fmt!.format(d)}</li>`)}</ol>`}</div>`;
  }

  async #act(run: () => Promise<unknown>, done: string): Promise<void> {
    try {
      await run();
      this.error = '';
      this.message = done;
    } catch (err) {
      this.message = '';
      this.error = (err as Error).message;
    }
    await Promise.all([this.#list.run(), this.selected ? this.#detail.run() : undefined]);
  }

  #create(e: SubmitEvent): void {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const f = new FormData(form);
    const text = (k: string): string => String(f.get(k) ?? '').trim();
    let variables: Record<string, JsonValue> | undefined;
    if (text('variables')) {
      try {
        const v = JSON.parse(text('variables')) as unknown;
        if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
        variables = v as Record<string, JsonValue>;
      } catch {
        this.error = 'Variables must be a JSON object, e.g. {"host": "10.0.0.5"}.';
        return;
      }
    }
    const body: PeriodicInput = {
      name: text('name'), templateId: text('templateId'), enabled: f.get('enabled') !== null,
      ...(text('version') ? { version: Number(text('version')) } : {}), ...(variables ? { variables } : {}),
      ...(this.kind === 'periodic' ? { cron: text('cron'), ...(text('timeZone') ? { timeZone: text('timeZone') } : {}) }
        : { runAt: new Date(text('runAt')).toISOString() }),
    };
    void this.#act(async () => {
      const p = await periodicApi.create(this.project, body);
      this.selected = p.id;
      // Only the name is cleared: the schedule fields follow state, and a reset would blank them.
      (form.elements.namedItem('name') as HTMLInputElement).value = '';
    }, `Schedule “${body.name}” created.`);
  }
}
