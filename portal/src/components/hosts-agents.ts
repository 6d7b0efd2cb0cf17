/**
 * `<ol-hosts-agents>`: the project's hosts with their agents' state, the hosts removed (kept out until
 * re-admitted, for project administrators), and agent enrolment: create a token (its secret is shown
 * once, with the command that starts an agent), list and revoke tokens.
 */
import { LitElement, html, css, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { jobApi } from '../api/job-endpoints.js';
import { FetchController } from '../controllers/fetch-controller.js';
import { agentStartCommand } from '../model/job-types.js';
import { ApiError } from '../model/problem.js';
import { apiErrorNotice } from './api-missing.js';
import { sharedStyles } from './shared-styles.js';

@customElement('ol-hosts-agents')
export class HostsAgents extends LitElement {
  static override styles = [sharedStyles, css`
    .layout { display: grid; grid-template-columns: minmax(0, 3fr) minmax(280px, 2fr); gap: 16px; }
    section { background: #fff; border: 1px solid #e2e8f0; border-radius: 8px; padding: 12px; min-width: 0; overflow-x: auto; }
    .online { color: #15803d; } .offline { color: #b91c1c; }
    pre.command { white-space: pre-wrap; word-break: break-all; }
    @media (max-width: 900px) { .layout { grid-template-columns: 1fr; } }
  `];

  @property() project = '';
  @state() private created: { name: string; token: string } | undefined;
  @state() private search = '';
  @state() private error = '';

  #hosts = new FetchController(this, () => jobApi.inventory(this.project, { limit: 1000, ...(this.search ? { search: this.search } : {}) }), () => [this.project, this.search]);
  #tokens = new FetchController(this, () => jobApi.tokens(this.project), () => [this.project]);
  #removed = new FetchController(this, () => jobApi.removedHosts(this.project, { limit: 1000 }), () => [this.project]);

  override render() {
    return html`${this.error ? html`<p class="notice error" role="alert">${this.error}</p>` : nothing}<div class="layout">
      <section aria-labelledby="hosts-h"><div class="row"><h2 id="hosts-h">Hosts</h2><span class="spacer"></span>
        <label class="sr-only" for="host-filter">Filter hosts</label>
        <input id="host-filter" type="search" placeholder="IP or host name" @change=${(e: Event) => { this.search = (e.target as HTMLInputElement).value.trim(); }}>
        <button @click=${() => this.#hosts.run()}>Refresh</button></div>
        ${this.#hosts.render({
          pending: () => html`<p role="status">Loading hosts…</p>`,
          error: (e) => apiErrorNotice(e, 'hosts API'),
          complete: (r) => r.items.length === 0 ? html`<p class="empty">No host${this.search ? ' matches' : ' yet: create an enrolment token and start an agent with it'}.</p>` : html`
            <p class="hint" role="status">${r.total} host${r.total === 1 ? '' : 's'}, ${r.items.filter((h) => h.online).length} online</p>
            <table><thead><tr><th>IP</th><th>Host name</th><th>Cloud area</th><th>Agent</th><th>Last seen</th><th></th></tr></thead>
            <tbody>${r.items.map((h) => html`<tr data-ip=${h.ip}><td>${h.ip}</td><td>${h.hostname}</td><td>${h.cloudArea}</td>
              <td class=${h.online ? 'online' : 'offline'}>${h.online ? '● online' : '○ offline'}</td>
              <td>${h.lastSeenAt ? new Date(h.lastSeenAt).toLocaleString() : '—'}</td>
              <td><button class="danger" aria-label=${`Remove host ${h.ip}`} title="Disconnect its agent and keep the host out until it is re-admitted"
                @click=${() => this.#act(() => jobApi.removeHost(this.project, h.id))}>Remove</button></td></tr>`)}</tbody></table>`,
        })}
        ${this.#removed.render({
          // Only project administrators see removals; for others the list is simply absent.
          error: (e) => e instanceof ApiError && e.status === 403 ? nothing : apiErrorNotice(e, 'removed hosts API'),
          complete: (r) => r.items.length === 0 ? nothing : html`<h3 id="removed-h">Removed hosts</h3>
            <p class="hint">Their agents are refused, and so is enrolling them again with any token of this project, until they are re-admitted.</p>
            <table aria-labelledby="removed-h"><thead><tr><th>IP</th><th>Host name</th><th>Cloud area</th><th>Removed</th><th></th></tr></thead>
            <tbody>${r.items.map((h) => html`<tr data-removed-ip=${h.ip}><td>${h.ip}</td><td>${h.hostname}</td><td>${h.cloudArea}</td>
              <td>${new Date(h.removedAt).toLocaleString()} by ${h.removedBy}</td>
              <td><button aria-label=${`Re-admit host ${h.ip}`} @click=${() => this.#act(() => jobApi.readmitHost(this.project, h.id))}>Re-admit</button></td></tr>`)}</tbody></table>`,
        })}</section>
      <section aria-labelledby="tokens-h"><h2 id="tokens-h">Agent enrolment</h2>
        <form class="row" @submit=${this.#create}><label class="sr-only" for="token-name">Token name</label>
          <input id="token-name" name="name" required placeholder="token name, e.g. web servers">
          <button class="primary" type="submit">Create enrolment token</button></form>
        ${this.created ? html`<div class="notice ok" role="status"><p><strong>Token “${this.created.name}” created.</strong> Copy it now: it is not shown again.</p>
          <label for="agent-cmd">Start an agent on a host with</label>
          <pre class="command" id="agent-cmd" tabindex="0">${agentStartCommand(location.origin, this.created.token)}</pre>
          <button @click=${() => void navigator.clipboard?.writeText(agentStartCommand(location.origin, this.created!.token))}>Copy command</button></div>` : nothing}
        ${this.#tokens.render({
          pending: () => html`<p role="status">Loading tokens…</p>`,
          error: (e) => apiErrorNotice(e, 'enrolment tokens API'),
          complete: (r) => r.items.length === 0 ? html`<p class="empty">No enrolment token.</p>` : html`<table>
            <thead><tr><th>Name</th><th>Uses</th><th>Expires</th><th></th></tr></thead>
            <tbody>${r.items.map((t) => html`<tr><td>${t.name}${t.revokedAt ? html` <span class="badge failed">revoked</span>` : nothing}</td><td>${t.uses}</td>
              <td>${t.expiresAt ? new Date(t.expiresAt).toLocaleString() : 'never'}</td>
              <td>${t.revokedAt ? nothing : html`<button class="danger" aria-label=${`Revoke token ${t.name}`} @click=${() => this.#act(() => jobApi.revokeToken(this.project, t.id))}>Revoke</button>`}</td></tr>`)}
            </tbody></table>`,
        })}</section></div>`;
  }

  async #act(run: () => Promise<unknown>): Promise<void> {
    try {
      await run();
      this.error = '';
    } catch (err) {
      this.error = (err as Error).message;
    }
    await Promise.all([this.#hosts.run(), this.#removed.run(), this.#tokens.run()]);
  }

  #create(e: SubmitEvent): void {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const name = String(new FormData(form).get('name') ?? '').trim();
    void this.#act(async () => {
      const t = await jobApi.createToken(this.project, { name });
      this.created = { name: t.name, token: t.token };
      form.reset();
    });
  }
}
