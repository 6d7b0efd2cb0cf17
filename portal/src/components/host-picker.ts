/**
 * `<ol-host-picker>`: chooses the target hosts of a job by IP (typed list), from the inventory,
 * by CMDB topology (a set or module) or by dynamic group. Topology and groups are resolved to
 * hosts when added, so the job runs on exactly the hosts shown. Fires `hosts-changed`.
 */
import { LitElement, html, css, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { HostView } from '@opsloom/core/job-api';
import { jobApi, type CmdbHost } from '../api/job-endpoints.js';
import { FetchController } from '../controllers/fetch-controller.js';
import { parseHostList } from '../model/host-list.js';
import { sharedStyles } from './shared-styles.js';

/** One chosen target. */
export interface PickedHost {
  hostId?: string;
  cloudArea: number;
  ip: string;
  label: string;
}

type Mode = 'ip' | 'inventory' | 'topology' | 'group';

@customElement('ol-host-picker')
export class HostPicker extends LitElement {
  static override styles = [sharedStyles, css`
    :host { display: block; }
    fieldset { border: 1px solid #e2e8f0; border-radius: 8px; padding: 8px 12px; margin: 0; }
    .modes { display: flex; gap: 4px; flex-wrap: wrap; margin-bottom: 8px; }
    .modes button[aria-pressed='true'] { background: #dbeafe; border-color: #93c5fd; font-weight: 600; }
    .list { max-height: 200px; overflow: auto; border: 1px solid #e2e8f0; border-radius: 6px; padding: 4px 8px; }
    ul.chosen { list-style: none; margin: 6px 0 0; padding: 0; display: flex; flex-wrap: wrap; gap: 4px; }
    ul.chosen li { background: #f1f5f9; border-radius: 12px; padding: 1px 4px 1px 10px; display: inline-flex; align-items: center; gap: 4px; }
    ul.chosen button { min-height: 22px; padding: 0 6px; border: 0; background: transparent; }
    textarea { width: 100%; min-height: 70px; }
    .online { color: #15803d; } .offline { color: #b91c1c; }
  `];

  @property() project = '';
  @property({ attribute: false }) value: PickedHost[] = [];
  @state() private mode: Mode = 'inventory';
  @state() private search = '';
  @state() private error = '';

  #inventory = new FetchController(this, () => jobApi.inventory(this.project, { limit: 500, ...(this.search ? { search: this.search } : {}) }),
    () => [this.project, this.mode === 'inventory' ? this.search : undefined]);
  #topology = new FetchController(this, () => jobApi.topology(this.project), () => [this.project, this.mode === 'topology']);
  #groups = new FetchController(this, () => jobApi.groups(this.project), () => [this.project, this.mode === 'group']);

  override render() {
    const modes: [Mode, string][] = [['inventory', 'Inventory'], ['ip', 'By IP'], ['topology', 'By topology'], ['group', 'Dynamic group']];
    return html`<fieldset><legend>Target hosts</legend>
      <div class="modes" role="group" aria-label="Choose hosts by">${modes.map(([m, label]) => html`<button type="button" aria-pressed=${String(this.mode === m)}
        @click=${() => { this.mode = m; this.error = ''; }}>${label}</button>`)}</div>
      ${this.#mode()}
      ${this.error ? html`<p class="field-error" role="alert">${this.error}</p>` : nothing}
      <p class="hint" role="status">${this.value.length} host${this.value.length === 1 ? '' : 's'} selected</p>
      ${this.value.length ? html`<ul class="chosen" aria-label="Selected hosts">${this.value.map((h) => html`<li>${h.label}
        <button type="button" aria-label=${`Remove ${h.label}`} @click=${() => this.#set(this.value.filter((x) => x !== h))}>✕</button></li>`)}</ul>` : nothing}
    </fieldset>`;
  }

  #mode() {
    switch (this.mode) {
      case 'ip': return html`<label for="ips">IP addresses, one per line or comma separated (<code>cloudArea:ip</code> for another cloud area)</label>
        <textarea id="ips" placeholder="10.0.0.5&#10;2:10.0.0.5"></textarea><button type="button" @click=${this.#addIps}>Add these hosts</button>`;
      case 'topology': return this.#topology.render({
        pending: () => html`<p role="status">Loading the topology…</p>`,
        error: (e) => html`<p class="notice warn">The CMDB topology is not available: ${e.message}</p>`,
        complete: (t) => t.sets.length === 0 ? html`<p class="empty">No sets in the CMDB yet.</p>` : html`<div class="list">${t.sets.map((s) => html`
          <div><button type="button" @click=${() => this.#addCmdb({ set: s.name }, `set ${s.name}`)}>Add set ${s.name}</button>
          ${s.modules.map((m) => html`<button type="button" @click=${() => this.#addCmdb({ set: s.name, module: m.name }, `module ${s.name}/${m.name}`)}>
            ${m.name} (${m.hostCount})</button>`)}</div>`)}</div>`,
      });
      case 'group': return this.#groups.render({
        pending: () => html`<p role="status">Loading dynamic groups…</p>`,
        error: (e) => html`<p class="notice warn">Dynamic groups are not available: ${e.message}</p>`,
        complete: (g) => g.items.length === 0 ? html`<p class="empty">No dynamic group in this project.</p>` : html`<div class="list">${g.items.map((d) => html`
          <button type="button" @click=${() => this.#addGroup(d.name)}>Add ${d.name}</button>${d.description ? html` <span class="hint">${d.description}</span>` : nothing}<br>`)}</div>`,
      });
      default: return html`<label for="host-search">Search hosts</label>
        <input id="host-search" type="search" placeholder="IP or host name" @change=${(e: Event) => { this.search = (e.target as HTMLInputElement).value.trim(); }}>
        ${this.#inventory.render({
          pending: () => html`<p role="status">Loading hosts…</p>`,
          error: (e) => html`<p class="notice error">${e.message}</p>`,
          complete: (r) => r.items.length === 0 ? html`<p class="empty">No host${this.search ? ' matches' : ' has enrolled yet: start an agent (Hosts & agents tab)'}.</p>`
            : html`<div class="list" role="group" aria-label="Hosts">${r.items.map((h) => this.#hostBox(h))}</div>`,
        })}`;
    }
  }

  #hostBox(h: HostView) {
    const checked = this.value.some((v) => v.hostId === h.id);
    return html`<label class="inline"><input type="checkbox" data-ip=${h.ip} .checked=${checked} @change=${(e: Event) => {
      const on = (e.target as HTMLInputElement).checked;
      this.#set(on ? [...this.value, { hostId: h.id, cloudArea: h.cloudArea, ip: h.ip, label: `${h.ip} (${h.hostname})` }] : this.value.filter((v) => v.hostId !== h.id));
    }}>${h.ip} <span class="hint">${h.hostname}${h.cloudArea ? ` · area ${h.cloudArea}` : ''}</span>
      <span class=${h.online ? 'online' : 'offline'}>${h.online ? '● online' : '○ offline'}</span></label>`;
  }

  #addIps(): void {
    const area = this.renderRoot.querySelector<HTMLTextAreaElement>('#ips')!;
    const parsed = parseHostList(area.value);
    if (parsed.errors.length) {
      this.error = parsed.errors.join('; ');
      return;
    }
    this.error = '';
    this.#merge(parsed.hosts.map((h) => ({ ...h, label: h.cloudArea ? `${h.cloudArea}:${h.ip}` : h.ip })));
    area.value = '';
  }

  async #addCmdb(node: { set?: string; module?: string }, what: string): Promise<void> {
    try {
      const r = await jobApi.cmdbHosts(this.project, { ...node, limit: 5000 });
      this.#fromCmdb(r.items, what);
    } catch (err) {
      this.error = `Could not resolve ${what}: ${(err as Error).message}`;
    }
  }

  async #addGroup(name: string): Promise<void> {
    try {
      this.#fromCmdb((await jobApi.groupHosts(this.project, name)).items, `group ${name}`);
    } catch (err) {
      this.error = `Could not resolve group ${name}: ${(err as Error).message}`;
    }
  }

  #fromCmdb(hosts: CmdbHost[], what: string): void {
    if (hosts.length === 0) {
      this.error = `${what} has no hosts right now.`;
      return;
    }
    this.error = '';
    this.#merge(hosts.map((h) => ({ hostId: h.id, cloudArea: h.cloudArea, ip: h.ip, label: `${h.ip} (${h.hostname})` })));
  }

  #merge(add: PickedHost[]): void {
    const key = (h: PickedHost): string => h.hostId ?? `${h.cloudArea}:${h.ip}`;
    const seen = new Set(this.value.map(key));
    this.#set([...this.value, ...add.filter((h) => !seen.has(key(h)) && seen.add(key(h)))]);
  }

  #set(next: PickedHost[]): void {
    this.value = next;
    this.dispatchEvent(new CustomEvent('hosts-changed', { detail: { hosts: next }, bubbles: true, composed: true }));
  }
}
