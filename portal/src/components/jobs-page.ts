/**
 * `<ol-jobs-page>`: bk-job's pages under one section: run a script now, the job history, the
 * script library, high-risk rules with their hits, and hosts with agent enrolment.
 */
import { LitElement, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { JobStatus, JobView } from '@opsloom/core/job-api';
import { jobApi } from '../api/job-endpoints.js';
import { PagedController, pageAfterLast } from '../controllers/paged-controller.js';
import { unsuccessfulHosts } from '../model/job-types.js';
import { routeHash } from '../model/route.js';
import { apiErrorNotice } from './api-missing.js';
import { sharedStyles } from './shared-styles.js';
import { tabLinks, tabStyles } from './tab-links.js';
import './danger-rules.js';
import './fast-execute.js';
import './hosts-agents.js';
import './script-library.js';

/** Jobs per page of the history. */
const PAGE = 100;
const TABS = [['run', 'Run script'], ['history', 'History'], ['scripts', 'Scripts'], ['rules', 'High-risk rules'], ['hosts', 'Hosts & agents']] as const;
const STATUSES: JobStatus[] = ['running', 'paused', 'confirming', 'success', 'failed', 'cancelled'];

@customElement('ol-jobs-page')
export class JobsPage extends LitElement {
  static override styles = [sharedStyles, tabStyles];

  @property() project = '';
  @property() tab = 'run';
  @property({ type: Boolean }) isAdmin = false;
  @state() private status: JobStatus | '' = '';

  #jobs = new PagedController(this, async (before?: string) => pageAfterLast((await jobApi.jobs(this.project, { status: this.status, limit: PAGE, ...(before ? { before } : {}) })).items, PAGE, (j) => j.id),
    () => [this.project, this.tab === 'history', this.status]);

  override render() {
    const tab = TABS.some(([k]) => k === this.tab) ? this.tab : 'run';
    return html`<h1>Jobs</h1>
      ${tabLinks('Job sections', TABS, tab, (k) => routeHash({ page: 'jobs', project: this.project, query: k === 'run' ? {} : { tab: k } }))}
      ${this.#tab(tab)}`;
  }

  #tab(tab: string) {
    switch (tab) {
      case 'history': return this.#history();
      case 'scripts': return html`<ol-script-library .project=${this.project}></ol-script-library>`;
      case 'rules': return html`<ol-danger-rules .project=${this.project} .isAdmin=${this.isAdmin}></ol-danger-rules>`;
      case 'hosts': return html`<ol-hosts-agents .project=${this.project}></ol-hosts-agents>`;
      default: return html`<ol-fast-execute .project=${this.project}></ol-fast-execute>`;
    }
  }

  #history() {
    return html`<div class="row"><label class="inline" for="job-status">Status
        <select id="job-status" @change=${(e: Event) => { this.status = (e.target as HTMLSelectElement).value as JobStatus | ''; }}>
          <option value="">all</option>${STATUSES.map((s) => html`<option ?selected=${s === this.status}>${s}</option>`)}</select></label>
        <button @click=${() => this.#jobs.reload()}>Refresh</button></div>
      ${this.#jobs.render({
        pending: () => html`<p role="status">Loading jobs…</p>`,
        error: (e) => apiErrorNotice(e, 'jobs API'),
        complete: (items) => this.#table(items),
      })}
      ${this.#jobs.more('Older jobs')}`;
  }

  #table(items: JobView[]) {
    if (items.length === 0) return html`<p class="empty">No job${this.status ? ` in status ${this.status}` : ''} yet.</p>`;
    return html`<table>
      <thead><tr><th>Job</th><th>Status</th><th>Hosts</th><th>By</th><th>Started</th><th>Ended</th></tr></thead>
      <tbody>${items.map((j) => html`<tr><td><a href=${routeHash({ page: 'job', project: this.project, id: j.id })}>${j.name}</a></td>
        <td><span class="badge ${j.status === 'success' ? 'finished' : j.status}">${j.status}</span></td>
        <td>${j.hostCount}${unsuccessfulHosts(j.counts) ? html` <span class="hint">${unsuccessfulHosts(j.counts)} did not succeed</span>` : nothing}</td><td>${j.createdBy ?? '—'} <span class="hint">${j.origin}</span></td>
        <td>${new Date(j.createdAt).toLocaleString()}</td><td>${j.endedAt ? new Date(j.endedAt).toLocaleString() : ''}</td></tr>`)}</tbody></table>`;
  }
}
