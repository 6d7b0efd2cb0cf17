/**
 * `<ol-marketplace-page>`: the catalog of published plugins (search and filters), the plugin
 * versions installed here (enable, disable, approve), and, for administrators, remote sources
 * and trusted organisations.
 */
import { LitElement, html, css, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { marketApi, type CatalogItem, type CatalogQuery, type InstalledPlugin, type SignatureState } from '../api/market-endpoints.js';
import { api } from '../api/client.js';
import { FetchController } from '../controllers/fetch-controller.js';
import { isApproved, statusMeaning } from '../model/plugin-actions.js';
import { routeHash } from '../model/route.js';
import { signatureText } from '../model/signature-marks.js';
import { apiErrorNotice } from './api-missing.js';
import { sharedStyles } from './shared-styles.js';
import { tabLinks, tabStyles } from './tab-links.js';
import './plugin-actions.js';
import './registry-admin.js';

const TABS = [['catalog', 'Catalog'], ['installed', 'Installed'], ['sources', 'Sources & trust']] as const;

const SIGNATURE_STATES: SignatureState[] = ['trusted', 'untrusted', 'invalid', 'unsigned'];

/** A signature state as a badge (style it with `signatureBadgeStyles`). */
export function signatureBadge(state: string, org: string | null) {
  return html`<span class="badge sig-${state}" title="Organisation signature">${signatureText(state, org)}</span>`;
}

/** Colours of {@link signatureBadge}: an invalid signature is a danger, not just a missing one. */
export const signatureBadgeStyles = css`
  .badge.sig-trusted, .badge.sig-verified { background: #dcfce7; } .badge.sig-unsigned-approved, .badge.sig-untrusted { background: #fef9c3; } .badge.sig-unsigned { background: #fee2e2; }
  .badge.sig-invalid { background: #b91c1c; color: #fff; font-weight: 600; }
`;

@customElement('ol-marketplace-page')
export class MarketplacePage extends LitElement {
  static override styles = [sharedStyles, tabStyles, signatureBadgeStyles, css`
    form.filters { display: grid; grid-template-columns: 2fr repeat(6, minmax(110px, 1fr)) auto; gap: 8px; align-items: end; margin-bottom: 12px; }
    form.filters label { margin: 0; }
    form.filters input, form.filters select { width: 100%; }
    .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(280px, 1fr)); gap: 10px; list-style: none; padding: 0; margin: 0; }
    .card { background: #fff; border: 1px solid #e2e8f0; border-radius: 8px; padding: 10px 12px; display: flex; flex-direction: column; gap: 4px; }
    .card h2 { font-size: 15px; margin: 0; }
    .card .meta { font-size: 12px; color: #475569; }
    .caps { display: flex; flex-wrap: wrap; gap: 4px; }
    .badge.online { background: #dcfce7; } .badge.offline { background: #e2e8f0; } .badge.disabled { background: #fee2e2; }
    @media (max-width: 900px) { form.filters { grid-template-columns: 1fr 1fr; } }
  `];

  @property() project = '';
  @property() tab = 'catalog';
  @property({ type: Boolean }) isAdmin = false;
  @state() private query: CatalogQuery = {};

  #registry = new FetchController(this, () => api.get<{ mode: string; url: string | null }>('/api/v1/registry'));
  #catalog = new FetchController(this, () => marketApi.search({ ...this.query, pageSize: 60 }), () => [this.tab === 'catalog' ? this.query : undefined]);
  #installed = new FetchController(this, () => marketApi.installed(), () => [this.tab === 'installed']);

  override render() {
    const tab = TABS.some(([k]) => k === this.tab) ? this.tab : 'catalog';
    return html`<h1>Marketplace</h1>
      ${tabLinks('Marketplace sections', TABS, tab, (k) => routeHash({ page: 'marketplace', project: this.project, query: k === 'catalog' ? {} : { tab: k } }))}
      ${tab === 'catalog' ? this.#catalogTab() : tab === 'installed' ? this.#installedTab()
        : html`<ol-registry-admin .project=${this.project} .isAdmin=${this.isAdmin}></ol-registry-admin>`}`;
  }

  #catalogTab() {
    const q = this.query;
    const off = this.#registry.value?.mode === 'off' && !this.#registry.value.url;
    return html`${off ? html`<p class="notice warn" role="status">The plugin registry is off on this server, so the catalog only lists what
        was indexed earlier. Installed plugins are under <a href=${routeHash({ page: 'marketplace', project: this.project, query: { tab: 'installed' } })}>Installed</a>.</p>` : nothing}
      <form class="filters" role="search" aria-label="Search the plugin catalog" @submit=${this.#search}>
        <label>Search <input type="search" name="q" .value=${q.q ?? ''} placeholder="name, title, keyword"></label>
        <label>Category <input name="category" .value=${q.category ?? ''}></label>
        <label>Capability <input name="capability" .value=${q.capability ?? ''} placeholder="e.g. agent.execute"></label>
        <label>Runtime <select name="runtime"><option value="">any</option>
          ${['isolate', 'wasm'].map((r) => html`<option ?selected=${q.runtime === r}>${r}</option>`)}</select></label>
        <label title="Signed by this organisation and verified by one of its pinned keys">Organisation (verified) <input name="org" .value=${q.org ?? ''}></label>
        <label title="Naming this organisation in a signature no pinned key verifies">Organisation (claimed) <input name="claimedOrg" .value=${q.claimedOrg ?? ''}></label>
        <label>Signature <select name="signature"><option value="">any</option>
          ${SIGNATURE_STATES.map((s) => html`<option ?selected=${q.signature === s}>${s}</option>`)}</select></label>
        <button class="primary" type="submit">Search</button>
      </form>
      ${this.#catalog.render({
        pending: () => html`<p role="status">Searching the catalog…</p>`,
        error: (e) => apiErrorNotice(e, 'marketplace API'),
        complete: (r) => r.items.length === 0
          ? html`<p class="empty" role="status">No published plugin matches${Object.values(q).some(Boolean) ? ' these filters' : ''}.</p>`
          : html`<p class="hint" role="status">${r.total} plugin${r.total === 1 ? '' : 's'}${r.total > r.items.length ? `, first ${r.items.length} shown` : ''}</p>
            <ul class="cards">${r.items.map((i) => this.#card(i))}</ul>`,
      })}`;
  }

  #card(i: CatalogItem) {
    return html`<li class="card">
      <h2><a href=${routeHash({ page: 'plugin', project: this.project, id: i.name })}>${i.title || i.name}</a></h2>
      <div class="meta"><code>${i.name}@${i.version}</code> · ${i.category} · ${i.runtime} · ${i.mode}${i.remote ? html` · from <strong>${i.origin}</strong>` : nothing}</div>
      ${i.description ? html`<div>${i.description}</div>` : nothing}
      <div>${signatureBadge(i.signature.state, i.signature.org)}</div>
      <div class="caps" aria-label="Capabilities">${i.capabilities.length ? i.capabilities.map((c) => html`<code class="badge">${c}</code>`) : html`<span class="hint">no capabilities</span>`}</div>
    </li>`;
  }

  #search(e: SubmitEvent): void {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    const text = (k: string): string => String(f.get(k) ?? '').trim();
    const next: CatalogQuery = {};
    for (const k of ['q', 'category', 'capability', 'org', 'claimedOrg'] as const) if (text(k)) next[k] = text(k);
    if (text('runtime')) next.runtime = text('runtime') as 'isolate' | 'wasm';
    if (text('signature')) next.signature = text('signature') as SignatureState;
    this.query = next;
  }

  #installedTab() {
    return this.#installed.render({
      pending: () => html`<p role="status">Loading installed plugins…</p>`,
      error: (e) => apiErrorNotice(e, 'plugins API'),
      complete: (r) => r.items.length === 0 ? html`<p class="empty">No plugin is installed yet. Install one from the catalog.</p>` : html`
        <table><caption class="sr-only">Installed plugin versions</caption>
          <thead><tr><th>Plugin</th><th>Status</th><th>Capabilities</th><th>Organisation</th><th>Actions</th></tr></thead>
          <tbody>${r.items.map((p) => this.#installedRow(p))}</tbody></table>`,
    });
  }

  #installedRow(p: InstalledPlugin) {
    return html`<tr data-plugin=${`${p.name}@${p.version}`}>
      <td><a href=${routeHash({ page: 'plugin', project: this.project, id: p.name })}>${p.title || p.name}</a>
        <div class="hint"><code>${p.name}@${p.version}</code> · ${p.category} · ${p.runtime}</div></td>
      <td><span class="badge ${p.status}">${p.status}</span><div class="hint">${statusMeaning(p.status)}</div></td>
      <td>${p.capabilities.length ? p.capabilities.map((c) => html`<code class="badge">${c}</code> `) : html`<span class="hint">none</span>`}
        <div class="hint">${isApproved(p) ? `approved${p.approvedBy ? ` by ${p.approvedBy}` : ''}` : 'awaiting approval'}</div></td>
      <td>${signatureBadge(p.signatureState, p.org ?? p.claimedOrg)}</td>
      <td><ol-plugin-actions .plugin=${p} .isAdmin=${this.isAdmin} @plugin-changed=${() => this.#installed.run()}></ol-plugin-actions></td></tr>`;
  }
}
