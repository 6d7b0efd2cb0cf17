/**
 * `<ol-plugin-page>`: one plugin: readme (rendered safely), input and output schemas, every
 * version with its signature and install status, capabilities, and the actions: install a
 * version (verified; unsigned or untrusted ones only with explicit approval, invalid ones never),
 * enable, disable, approve capabilities. Without a catalog entry (registry off) it shows the
 * installed versions.
 */
import { LitElement, html, css, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { marketApi, type CatalogDetail, type CatalogVersion, type InstalledPlugin } from '../api/market-endpoints.js';
import { FetchController } from '../controllers/fetch-controller.js';
import { ApiError } from '../model/problem.js';
import { routeHash } from '../model/route.js';
import { installGate } from '../model/signature-marks.js';
import { apiErrorNotice } from './api-missing.js';
import { signatureBadge, signatureBadgeStyles } from './marketplace-page.js';
import { sharedStyles } from './shared-styles.js';
import './plugin-actions.js';
import './readme-view.js';

interface PluginPageData {
  detail: CatalogDetail | null;
  installed: InstalledPlugin[];
}

@customElement('ol-plugin-page')
export class PluginPage extends LitElement {
  static override styles = [sharedStyles, signatureBadgeStyles, css`
    .layout { display: grid; grid-template-columns: minmax(0, 3fr) minmax(280px, 2fr); gap: 16px; }
    section { background: #fff; border: 1px solid #e2e8f0; border-radius: 8px; padding: 12px; min-width: 0; margin-bottom: 12px; }
    .badge.online { background: #dcfce7; } .badge.disabled { background: #fee2e2; }
    dl { display: grid; grid-template-columns: auto 1fr; gap: 2px 10px; margin: 0; } dt { color: #475569; } dd { margin: 0; }
    .install { border-top: 1px solid #e2e8f0; margin-top: 8px; padding-top: 8px; }
    @media (max-width: 900px) { .layout { grid-template-columns: 1fr; } }
  `];

  @property() project = '';
  @property() name = '';
  @property({ type: Boolean }) isAdmin = false;
  @state() private message = '';
  @state() private error = '';
  @state() private busy = false;

  #data = new FetchController<PluginPageData>(this, async () => {
    const installed = (await marketApi.installed({ search: this.name })).items.filter((p) => p.name === this.name);
    try {
      return { detail: await marketApi.detail(this.name), installed };
    } catch (err) {
      // Not in the catalog (registry off, or a plugin installed from a directory): show what is installed.
      if (err instanceof ApiError && err.status === 404 && installed.length) return { detail: null, installed };
      throw err;
    }
  }, () => [this.name]);

  override render() {
    return html`<p><a href=${routeHash({ page: 'marketplace', project: this.project })}>← Marketplace</a></p>
      ${this.#data.render({
        pending: () => html`<p role="status">Loading ${this.name}…</p>`,
        error: (e) => html`<h1>${this.name}</h1>${apiErrorNotice(e, 'marketplace API')}`,
        complete: (d) => this.#page(d),
      })}`;
  }

  #page({ detail, installed }: PluginPageData) {
    const head = detail ?? installed[0]!;
    const sig = detail ? detail.signature : { state: installed[0]!.signatureState, org: installed[0]!.org ?? installed[0]!.claimedOrg };
    return html`<h1>${head.title || head.name}</h1>
      <p><code>${head.name}</code> · ${head.category} · ${head.runtime} runtime · ${head.mode} mode · ${signatureBadge(sig.state, sig.org)}</p>
      ${head.description ? html`<p>${head.description}</p>` : nothing}
      ${this.message ? html`<p class="notice ok" role="status">${this.message}</p>` : nothing}
      ${this.error ? html`<p class="notice error" role="alert">${this.error}</p>` : nothing}
      <div class="layout"><div>
        <section aria-labelledby="readme-h"><h2 id="readme-h">Readme</h2>
          ${detail ? html`<ol-readme-view .markdown=${detail.readme ?? ''}></ol-readme-view>` : html`<p class="hint">Not in the catalog: no readme available.</p>`}</section>
        <section aria-labelledby="schema-h"><h2 id="schema-h">Schemas</h2>
          <h3>Inputs</h3>${this.#schema((detail ?? installed[0])?.inputs)}
          <h3>Outputs</h3>${this.#schema((detail ?? installed[0])?.outputs)}</section>
      </div><div>
        <section aria-labelledby="caps-h"><h2 id="caps-h">Capabilities</h2>
          ${head.capabilities.length ? html`<ul>${head.capabilities.map((c) => html`<li><code>${c}</code></li>`)}</ul>`
            : html`<p class="hint">None: the plugin cannot reach anything outside its sandbox.</p>`}
          ${detail?.limits ? html`<h3>Limits</h3><dl>${Object.entries(detail.limits).map(([k, v]) => html`<dt>${k}</dt><dd>${String(v)}</dd>`)}</dl>` : nothing}</section>
        <section aria-labelledby="versions-h"><h2 id="versions-h">Versions</h2>
          ${detail ? detail.versions.map((v) => this.#version(v, installed.find((p) => p.version === v.version)))
            : installed.map((p) => this.#installedOnly(p))}</section>
      </div></div>`;
  }

  #schema(schema: Record<string, unknown> | undefined) {
    const props = schema?.properties as Record<string, { type?: unknown; description?: unknown; title?: unknown }> | undefined;
    if (!props || Object.keys(props).length === 0) return html`<pre>${JSON.stringify(schema ?? {}, null, 2)}</pre>`;
    const required = new Set(Array.isArray(schema?.required) ? (schema.required as string[]) : []);
    return html`<table><thead><tr><th>Field</th><th>Type</th><th>Description</th></tr></thead><tbody>
      ${Object.entries(props).map(([k, p]) => html`<tr><td><code>${k}</code>${required.has(k) ? html` <span class="hint">required</span>` : nothing}</td>
        <td>${Array.isArray(p.type) ? p.type.join(' | ') : String(p.type ?? 'any')}</td><td>${String(p.description ?? p.title ?? '')}</td></tr>`)}</tbody></table>
      <details><summary>JSON Schema</summary><pre>${JSON.stringify(schema, null, 2)}</pre></details>`;
  }

  #version(v: CatalogVersion, installed: InstalledPlugin | undefined) {
    const gate = installGate(v.signature.state);
    return html`<article class="install" data-version=${v.version} aria-label=${`Version ${v.version}`}>
      <div class="row"><strong>${v.version}</strong>${v.latest ? html`<span class="badge">latest</span>` : nothing}
        ${signatureBadge(v.signature.state, v.signature.org)}
        ${installed ? html`<span class="badge ${installed.status}">installed · ${installed.status}</span>` : html`<span class="hint">not installed</span>`}</div>
      <div class="hint">published ${new Date(v.publishedAt).toLocaleString()}${v.capabilities.length ? ` · ${v.capabilities.join(', ')}` : ''}</div>
      ${installed ? html`<ol-plugin-actions .plugin=${installed} .isAdmin=${this.isAdmin} @plugin-changed=${this.#changed}></ol-plugin-actions>`
        : gate.kind === 'refused' ? html`<p class="notice error">Not installable: ${gate.reason}.</p>` : html`
        <form class="row" @submit=${(e: SubmitEvent) => this.#install(e, v)}>
          ${gate.kind === 'accept' ? html`<label class="inline"><input type="checkbox" name="allowUnsigned" required>
            ${gate.label}</label>` : nothing}
          <label class="inline"><input type="checkbox" name="approve"> Approve its capabilities now</label>
          <button class="primary" type="submit" ?disabled=${!this.isAdmin || this.busy}
            aria-describedby=${this.isAdmin ? '' : `why-install-${v.version}`}>Install ${v.version}</button>
          ${this.isAdmin ? nothing : html`<span class="hint" id=${`why-install-${v.version}`}>only an administrator can install plugins</span>`}
        </form>`}
    </article>`;
  }

  #installedOnly(p: InstalledPlugin) {
    return html`<article class="install" data-version=${p.version} aria-label=${`Version ${p.version}`}>
      <div class="row"><strong>${p.version}</strong><span class="badge ${p.status}">installed · ${p.status}</span></div>
      <div class="hint">from ${p.source}</div>
      <ol-plugin-actions .plugin=${p} .isAdmin=${this.isAdmin} @plugin-changed=${this.#changed}></ol-plugin-actions></article>`;
  }

  #changed = (e: CustomEvent<{ plugin: InstalledPlugin }>): void => {
    this.message = `${e.detail.plugin.name}@${e.detail.plugin.version} is now ${e.detail.plugin.status}.`;
    this.error = '';
    void this.#data.run();
  };

  async #install(e: SubmitEvent, v: CatalogVersion): Promise<void> {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    this.busy = true;
    try {
      // Names the contents this page showed: the server refuses others rather than install or approve them.
      const r = await marketApi.install(this.name, v.version, { allowUnsigned: f.get('allowUnsigned') !== null, approve: f.get('approve') !== null, ...(v.integrity ? { integrity: v.integrity } : {}) });
      const a = r.approval;
      this.message = `Installed ${r.plugin.name}@${r.plugin.version} (${r.plugin.status}). ` + (a.state === 'required'
        ? `Its capabilities need approval${a.added.length ? `: ${a.added.join(', ')}` : ''}.`
        : a.state === 'inherited' ? `Capabilities approved as for ${a.from}.` : 'Capabilities approved.');
      this.error = '';
      await this.#data.run();
    } catch (err) {
      this.message = '';
      this.error = `Install failed: ${(err as Error).message}`;
    } finally {
      this.busy = false;
    }
  }
}
