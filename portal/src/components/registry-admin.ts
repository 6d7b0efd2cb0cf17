/**
 * `<ol-registry-admin>`: the project's remote sources (other organisations' registries: add,
 * remove, import a package) and the trust store (organisations' keys: add, pin, unpin, remove).
 * Changing the trust store needs an administrator; the forms say so instead of failing late.
 */
import { LitElement, html, css, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { marketApi } from '../api/market-endpoints.js';
import { FetchController } from '../controllers/fetch-controller.js';
import { apiErrorNotice } from './api-missing.js';
import { sharedStyles } from './shared-styles.js';

@customElement('ol-registry-admin')
export class RegistryAdmin extends LitElement {
  static override styles = [sharedStyles, css`
    :host { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
    section { background: #fff; border: 1px solid #e2e8f0; border-radius: 8px; padding: 12px; min-width: 0; }
    form { display: grid; gap: 4px; margin-top: 8px; }
    textarea { min-height: 70px; }
    .key { word-break: break-all; }
    @media (max-width: 900px) { :host { grid-template-columns: 1fr; } }
  `];

  @property() project = '';
  @property({ type: Boolean }) isAdmin = false;
  @state() private message = '';
  @state() private error = '';

  #sources = new FetchController(this, () => marketApi.sources(this.project), () => [this.project]);
  #trust = new FetchController(this, () => marketApi.trust());

  override render() {
    return html`${this.message || this.error ? html`<p class="notice ${this.error ? 'error' : 'ok'}" role=${this.error ? 'alert' : 'status'}
        style="grid-column:1/-1">${this.error || this.message}</p>` : nothing}
      <section aria-labelledby="sources-h"><h2 id="sources-h">Remote sources</h2>
        <p class="hint">Registries of other organisations this project imports plugins from. They are cached, so imported plugins keep installing when the source is down.</p>
        ${this.#sources.render({
          pending: () => html`<p role="status">Loading sources…</p>`,
          error: (e) => apiErrorNotice(e, 'remote sources API'),
          complete: (r) => r.items.length === 0 ? html`<p class="empty">No remote source.</p>` : html`<table>
            <thead><tr><th>Name</th><th>URL and scopes</th><th></th></tr></thead>
            <tbody>${r.items.map((s) => html`<tr><td>${s.name}${s.hasToken ? html` <span class="badge" title="a token is stored, sealed">token</span>` : nothing}</td>
              <td><code>${s.url}</code><div class="hint">${s.scopes.join(', ')}</div></td>
              <td><button class="danger" aria-label=${`Remove source ${s.name}`} @click=${() => this.#do(() => marketApi.removeSource(this.project, s.name), `Removed ${s.name}.`)}>Remove</button></td></tr>`)}
            </tbody></table>
            <form @submit=${this.#import}><h3>Import a package</h3>
              <label for="imp-source">Source</label><select id="imp-source" name="source">${r.items.map((s) => html`<option>${s.name}</option>`)}</select>
              <label for="imp-package">Package</label><input id="imp-package" name="package" required placeholder="@orgb/ping">
              <button type="submit">Import</button></form>`,
        })}
        <form @submit=${this.#addSource}><h3>Add a source</h3>
          <label for="src-name">Name</label><input id="src-name" name="name" required pattern="[a-z0-9][a-z0-9_-]*" placeholder="orgb">
          <label for="src-url">Registry URL</label><input id="src-url" name="url" type="url" required placeholder="https://registry.orgb.example/">
          <label for="src-scopes">Scopes it serves (comma separated)</label><input id="src-scopes" name="scopes" required placeholder="@orgb">
          <label for="src-token">Token (optional, stored encrypted)</label><input id="src-token" name="token" type="password" autocomplete="off">
          <button class="primary" type="submit">Add source</button></form>
      </section>
      <section aria-labelledby="trust-h"><h2 id="trust-h">Trusted organisations</h2>
        <p class="hint">Only pinned keys verify plugin signatures. A plugin signed by an organisation not pinned here installs only with explicit approval.</p>
        ${this.#trust.render({
          pending: () => html`<p role="status">Loading the trust store…</p>`,
          error: (e) => apiErrorNotice(e, 'trust store API'),
          complete: (r) => r.items.length === 0 ? html`<p class="empty">No organisation key.</p>` : html`<table>
            <thead><tr><th>Organisation</th><th>Key</th><th>State</th><th></th></tr></thead>
            <tbody>${r.items.map((k) => html`<tr><td>${k.org}${k.note ? html`<div class="hint">${k.note}</div>` : nothing}</td>
              <td class="key"><code>${k.keyId}</code></td><td><span class="badge ${k.pinned ? 'finished' : 'paused'}">${k.pinned ? 'pinned (trusted)' : 'not pinned'}</span></td>
              <td class="row"><button ?disabled=${!this.isAdmin} title=${this.isAdmin ? '' : 'only an administrator can change the trust store'}
                  @click=${() => this.#do(() => marketApi.pinTrust(k.org, k.keyId, !k.pinned), `${k.pinned ? 'Unpinned' : 'Pinned'} ${k.org}/${k.keyId}.`)}>${k.pinned ? 'Unpin' : 'Pin'}</button>
                <button class="danger" ?disabled=${!this.isAdmin} aria-label=${`Remove key ${k.keyId} of ${k.org}`}
                  @click=${() => this.#do(() => marketApi.removeTrust(k.org, k.keyId), `Removed ${k.org}/${k.keyId}.`)}>Remove</button></td></tr>`)}
            </tbody></table>`,
        })}
        ${this.isAdmin ? html`<form @submit=${this.#addKey}><h3>Add an organisation key</h3>
            <label for="key-org">Organisation</label><input id="key-org" name="org" required pattern="[a-z0-9][a-z0-9._-]*">
            <label for="key-pem">Ed25519 public key (PEM or base64)</label><textarea id="key-pem" name="publicKey" required></textarea>
            <label for="key-note">Note</label><input id="key-note" name="note">
            <label class="inline"><input type="checkbox" name="pinned" checked> Pin (trust) it now</label>
            <button class="primary" type="submit">Add key</button></form>`
          : html`<p class="hint">Only an administrator can add or pin keys.</p>`}
      </section>`;
  }

  /** Runs a change; the message is what the action returns when it is a string, else `done`. */
  async #do(action: () => Promise<unknown>, done: string): Promise<void> {
    try {
      const said = await action();
      this.error = '';
      this.message = typeof said === 'string' ? said : done;
      await Promise.all([this.#sources.run(), this.#trust.run()]);
    } catch (err) {
      this.message = '';
      this.error = (err as Error).message;
    }
  }

  #addSource(e: SubmitEvent): void {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const f = new FormData(form);
    const token = String(f.get('token') ?? '');
    const scopes = String(f.get('scopes') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    void this.#do(() => marketApi.addSource(this.project, {
      name: String(f.get('name')), url: String(f.get('url')), scopes, ...(token ? { token } : {}),
    }).then(() => form.reset()), `Added source ${String(f.get('name'))}.`);
  }

  #import(e: SubmitEvent): void {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    const pkg = String(f.get('package') ?? '').trim();
    void this.#do(async () => {
      const r = await marketApi.importFromSource(this.project, String(f.get('source')), pkg);
      return `Imported ${r.items.length} version(s) of ${pkg}; they are listed in the catalog.`;
    }, `Imported ${pkg}.`);
  }

  #addKey(e: SubmitEvent): void {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const f = new FormData(form);
    const note = String(f.get('note') ?? '').trim();
    void this.#do(() => marketApi.addTrust({
      org: String(f.get('org')), publicKey: String(f.get('publicKey')), pinned: f.get('pinned') !== null, ...(note ? { note } : {}),
    }).then(() => form.reset()), `Added a key for ${String(f.get('org'))}.`);
  }
}
