/**
 * `<ol-job-result>`: one job, live: hosts grouped by status and result tag, each host's log
 * (followed by byte offset while it runs, searchable), a search over every host's log, and the
 * job operations (retry failed, run again, terminate, continue a rolling job), each disabled
 * with its reason.
 */
import { LitElement, html, css, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { HostResultView, JobView, LogSearchHitView, ResultGroup } from '@opsloom/core/job-api';
import { jobApi } from '../api/job-endpoints.js';
import { PollController } from '../controllers/poll-controller.js';
import { jobOperations, LogFollower, matchingLines, orderGroups, statusLabel, type JobOperation } from '../model/job-types.js';
import { routeHash } from '../model/route.js';
import { sharedStyles } from './shared-styles.js';
import './script-editor.js';

/** Host results per page. */
const HOST_PAGE = 1000;

@customElement('ol-job-result')
export class JobResult extends LitElement {
  static override styles = [sharedStyles, css`
    .layout { display: grid; grid-template-columns: minmax(0, 2fr) minmax(0, 3fr); gap: 16px; }
    section { background: #fff; border: 1px solid #e2e8f0; border-radius: 8px; padding: 12px; min-width: 0; margin-bottom: 12px; }
    .groups { display: flex; flex-wrap: wrap; gap: 6px; list-style: none; padding: 0; margin: 0 0 8px; }
    .groups button[aria-pressed='true'] { outline: 2px solid #1d4ed8; }
    .g-success { background: #dcfce7; } .g-failed, .g-timeout { background: #fee2e2; } .g-running, .g-waiting { background: #dbeafe; }
    .g-agent_offline, .g-not_allowed, .g-cancelled { background: #fef9c3; }
    tr[aria-selected='true'] { background: #eff6ff; }
    tr.host { cursor: pointer; }
    .op { display: inline-flex; flex-direction: column; } .reason { font-size: 11px; color: #64748b; max-width: 180px; }
    pre.log { max-height: 420px; min-height: 120px; background: #0f172a; color: #e2e8f0; }
    mark { background: #fde047; color: #0f172a; }
    @media (max-width: 900px) { .layout { grid-template-columns: 1fr; } }
  `];

  @property() project = '';
  @property() jobId = '';
  @state() private job: JobView | undefined;
  @state() private hosts: HostResultView[] = [];
  @state() private group: ResultGroup | undefined;
  /** Where the page of hosts shown starts, among those of the group. */
  @state() private hostOffset = 0;
  @state() private selected: HostResultView | undefined;
  @state() private logText = '';
  @state() private logComplete = false;
  @state() private needle = '';
  @state() private hits: LogSearchHitView[] | undefined;
  /** Where the log search goes on, when it stopped before the last host. */
  @state() private searchNext: { keyword: string; after: string } | undefined;
  @state() private error = '';
  @state() private busy = false;
  #follower: LogFollower | undefined;

  #poll = new PollController(this, 800, () => !!this.job && (!this.job.finished || (!!this.selected && !this.logComplete)), () => this.#refresh());

  protected override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('jobId') || changed.has('project')) {
      this.job = undefined;
      this.selected = undefined;
      this.group = undefined;
      this.hostOffset = 0;
      void this.#refresh().then(() => this.#poll.wake());
    }
  }

  async #refresh(): Promise<void> {
    const { group, hostOffset } = this;
    try {
      const [job, hosts] = await Promise.all([
        jobApi.job(this.project, this.jobId),
        jobApi.hosts(this.project, this.jobId, {
          ...(group ? { status: group.status, ...(group.tag ? { tag: group.tag } : {}) } : {}), limit: HOST_PAGE, offset: hostOffset,
        }),
      ]);
      this.job = job;
      // Another group or page asked for meanwhile: its own answer fills the table.
      if (group !== this.group || hostOffset !== this.hostOffset) return;
      this.hosts = hosts.items;
      if (this.selected) {
        this.selected = hosts.items.find((h) => h.runId === this.selected!.runId) ?? this.selected;
        await this.#readLog();
      }
      this.error = '';
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  override render() {
    const j = this.job;
    if (!j) return this.error ? html`<h1>Job</h1><p class="notice error" role="alert">${this.error}</p>` : html`<p role="status">Loading job…</p>`;
    return html`<p><a href=${routeHash({ page: 'jobs', project: this.project, query: { tab: 'history' } })}>← Jobs</a></p>
      <div class="row"><h1>${j.name}</h1><span class="badge ${j.status === 'success' ? 'finished' : j.status}" data-status=${j.status}>${j.status}</span>
        <span class="hint">${j.hostCount} host${j.hostCount === 1 ? '' : 's'} · ${j.language}${j.runAs ? ` as ${j.runAs}` : ''} · timeout ${j.timeoutSeconds}s
          ${j.rolling ? ` · batch ${j.rolling.currentBatch}/${j.rolling.batchCount} (${j.rolling.expression})` : ''}</span>
        <span class="spacer"></span>
        ${jobOperations(j).map((o) => html`<span class="op"><button class=${o.op === 'terminate' ? 'danger' : ''} data-op=${o.op}
          ?disabled=${!o.enabled || this.busy} aria-describedby=${o.enabled ? '' : `why-${o.op}`} @click=${() => this.#operate(o.op)}>${o.label}</button>
          ${o.enabled ? nothing : html`<span class="reason" id=${`why-${o.op}`}>${o.reason}</span>`}</span>`)}</div>
      ${this.error ? html`<p class="notice error" role="alert">${this.error}</p>` : nothing}
      <div class="layout">
        <section aria-labelledby="hosts-h"><h2 id="hosts-h">Hosts by result</h2>
          <ul class="groups" aria-label="Result groups">
            <li><button aria-pressed=${String(!this.group)} @click=${() => this.#filter(undefined)}>All (${j.hostCount})</button></li>
            ${orderGroups(j.groups).map((g) => html`<li><button class="g-${g.status}" aria-pressed=${String(this.group?.status === g.status && this.group?.tag === g.tag)}
              @click=${() => this.#filter(g)}>${statusLabel(g.status)}${g.tag ? ` · ${g.tag}` : ''} (${g.count})</button></li>`)}
          </ul>
          <table><caption class="sr-only">Hosts; choose one to read its log</caption>
            <thead><tr><th>Host</th><th>Status</th><th>Exit</th><th>Tag</th></tr></thead>
            <tbody>${this.hosts.map((h) => html`<tr class="host" tabindex="0" data-ip=${h.ip} aria-selected=${String(this.selected?.runId === h.runId)}
              @click=${() => this.#select(h)} @keydown=${(e: KeyboardEvent) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); this.#select(h); } }}>
              <td>${h.ip}${h.cloudArea ? html` <span class="hint">area ${h.cloudArea}</span>` : nothing}${h.attempt > 1 ? html` <span class="hint">attempt ${h.attempt}</span>` : nothing}</td>
              <td><span class="badge g-${h.status}">${statusLabel(h.status)}</span>${h.failure ? html`<div class="hint">${h.failure.message ?? h.failure.code}</div>` : nothing}</td>
              <td>${h.exitCode ?? h.signal ?? ''}</td><td>${h.tag ?? ''}</td></tr>`)}</tbody></table>
          ${this.#pager(j)}
        </section>
        <section aria-labelledby="log-h">${this.#logPanel()}</section>
      </div>
      <section aria-labelledby="search-h"><h2 id="search-h">Search every host's log</h2>
        <form class="row" role="search" @submit=${this.#searchAll}><label class="sr-only" for="keyword">Keyword</label>
          <input id="keyword" name="keyword" required placeholder="keyword"><button type="submit">Search logs</button></form>
        ${this.hits === undefined ? nothing : this.hits.length === 0 ? html`<p class="empty" role="status">${this.searchNext ? 'No host\'s log read so far contains it.' : 'No host\'s log contains it.'}</p>`
          : html`<ul role="status">${this.hits.map((h) => html`<li><strong>${h.ip}</strong><pre>${h.lines.map((l) => `${l.text}\n`)}</pre></li>`)}</ul>`}
        ${this.searchNext ? html`<p><button class="more" @click=${() => this.#searchMore(this.searchNext!)}>Search further</button></p>` : nothing}
      </section>
      <section aria-labelledby="script-h"><h2 id="script-h">Script${j.params ? html` <span class="hint">parameters: <code>${j.params}</code></span>` : nothing}</h2>
        <ol-script-editor label="Script that ran (read only)" readonly .language=${j.language} .value=${j.script}></ol-script-editor></section>`;
  }

  /** Pages through the hosts of the group shown when they are more than one page. */
  #pager(j: JobView) {
    const total = this.group ? j.groups.find((g) => g.status === this.group!.status && g.tag === this.group!.tag)?.count ?? 0 : j.hostCount;
    if (total <= HOST_PAGE && this.hostOffset === 0) return nothing;
    const first = this.hostOffset + 1;
    return html`<div class="row pager"><span role="status">Hosts ${first}–${this.hostOffset + this.hosts.length} of ${total}</span>
      <button ?disabled=${this.hostOffset === 0} @click=${() => this.#page(-HOST_PAGE)}>Previous hosts</button>
      <button ?disabled=${this.hostOffset + HOST_PAGE >= total} @click=${() => this.#page(HOST_PAGE)}>Next hosts</button></div>`;
  }

  #page(by: number): void {
    this.hostOffset = Math.max(0, this.hostOffset + by);
    void this.#refresh();
  }

  #logPanel() {
    const h = this.selected;
    if (!h) return html`<h2 id="log-h">Log</h2><p class="hint">Choose a host to read its log.</p>`;
    const lines = this.needle ? matchingLines(this.logText, this.needle) : [];
    return html`<h2 id="log-h">Log of ${h.ip} <span class="badge g-${h.status}">${statusLabel(h.status)}</span></h2>
      <div class="row"><label class="sr-only" for="log-filter">Find in this log</label>
        <input id="log-filter" type="search" placeholder="Find in this log" .value=${this.needle}
          @input=${(e: Event) => { this.needle = (e.target as HTMLInputElement).value; }}>
        ${this.needle ? html`<span role="status">${lines.length} matching line${lines.length === 1 ? '' : 's'}</span>` : nothing}
        <span class="spacer"></span><span class="hint">${this.logComplete ? 'complete' : 'following…'}</span></div>
      <pre class="log" tabindex="0" aria-label=${`Log of ${h.ip}`}>${this.needle ? this.#highlight(this.logText, this.needle) : this.logText || ' '}</pre>`;
  }

  #highlight(text: string, needle: string) {
    const n = needle.toLowerCase();
    const lower = text.toLowerCase();
    const out: unknown[] = [];
    let at = 0;
    for (let i = lower.indexOf(n); i >= 0 && n; i = lower.indexOf(n, i + n.length)) {
      out.push(text.slice(at, i), html`<mark>${text.slice(i, i + n.length)}</mark>`);
      at = i + n.length;
    }
    out.push(text.slice(at));
    return out;
  }

  #filter(g: ResultGroup | undefined): void {
    this.group = g;
    this.hostOffset = 0;
    void this.#refresh();
  }

  #select(h: HostResultView): void {
    this.selected = h;
    this.#follower = new LogFollower();
    this.logText = '';
    this.logComplete = false;
    void this.#readLog().then(() => this.#poll.wake());
  }

  async #readLog(): Promise<void> {
    const h = this.selected;
    const follower = this.#follower;
    if (!h || !follower || follower.complete) return;
    // Read what is there now, page by page; the poll comes back for more while the host runs.
    for (let pages = 0; pages < 16; pages++) {
      const page = await jobApi.log(this.project, this.jobId, h.runId, follower.offset);
      if (follower !== this.#follower || !follower.add(page)) return;
      if (page.complete || page.nextOffset >= page.storedBytes) break;
    }
    this.logText = follower.text;
    this.logComplete = follower.complete;
  }

  async #searchAll(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const keyword = String(new FormData(e.target as HTMLFormElement).get('keyword') ?? '').trim();
    this.hits = undefined;
    await this.#searchMore({ keyword });
  }

  /** The next page of a log search: core reads a bounded amount of log per request and says where to go on. */
  async #searchMore(q: { keyword: string; after?: string }): Promise<void> {
    try {
      const page = await jobApi.searchLogs(this.project, this.jobId, q.keyword, q.after);
      this.hits = [...(q.after ? this.hits ?? [] : []), ...page.items];
      this.searchNext = page.next ? { keyword: q.keyword, after: page.next } : undefined;
    } catch (err) {
      this.error = `Log search failed: ${(err as Error).message}`;
    }
  }

  async #operate(op: JobOperation): Promise<void> {
    this.busy = true;
    try {
      this.job = op === 'terminate' ? await jobApi.terminate(this.project, this.jobId)
        : op === 'confirm' ? await jobApi.confirm(this.project, this.jobId)
          : await jobApi.retry(this.project, this.jobId, op === 'retry-all' ? 'all' : 'failed');
      this.error = '';
      // A retry makes new runs: follow the selected host's new attempt from the start.
      if (op.startsWith('retry')) this.selected = undefined;
      await this.#refresh();
      this.#poll.wake();
    } catch (err) {
      this.error = `${op} failed: ${(err as Error).message}`;
    } finally {
      this.busy = false;
    }
  }
}
