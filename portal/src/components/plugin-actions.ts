/**
 * `<ol-plugin-actions>`: the buttons of one installed plugin version (enable, take offline,
 * disable, approve capabilities), each disabled with its reason; fires `plugin-changed` with the
 * updated version after a change.
 */
import { LitElement, html, css, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { marketApi, type InstalledPlugin } from '../api/market-endpoints.js';
import { pluginActions, unapprovedCapabilities, type PluginAction } from '../model/plugin-actions.js';
import { sharedStyles } from './shared-styles.js';

@customElement('ol-plugin-actions')
export class PluginActions extends LitElement {
  static override styles = [sharedStyles, css`
    :host { display: block; }
    .ops { display: flex; flex-wrap: wrap; gap: 6px; }
    .op { display: inline-flex; flex-direction: column; }
    .reason { font-size: 11px; color: #64748b; max-width: 170px; }
    [role='dialog']:focus { outline: 2px solid #1d4ed8; }
  `];

  @property({ attribute: false }) plugin!: InstalledPlugin;
  @property({ type: Boolean }) isAdmin = false;
  @state() private busy = false;
  @state() private error = '';
  @state() private confirming = false;

  override render() {
    const p = this.plugin;
    const id = `${p.name}@${p.version}`.replace(/[^A-Za-z0-9_-]/g, '_');
    const missing = unapprovedCapabilities(p);
    return html`<div class="ops" role="group" aria-label=${`Actions on ${p.name}@${p.version}`}>
        ${pluginActions(p, this.isAdmin).map((a) => html`<span class="op">
          <button class=${a.op === 'disabled' ? 'danger' : a.op === 'approve' ? 'primary' : ''} data-op=${a.op}
            ?disabled=${!a.enabled || this.busy} aria-describedby=${a.enabled ? '' : `why-${id}-${a.op}`}
            @click=${() => this.#choose(a.op)}>${a.label}</button>
          ${a.enabled ? nothing : html`<span class="reason" id=${`why-${id}-${a.op}`}>${a.reason}</span>`}</span>`)}
      </div>
      ${this.confirming ? html`<div class="notice warn" role="dialog" aria-label="Approve capabilities" aria-describedby="approve-what" tabindex="-1"
          @keydown=${this.#dialogKey}>
          <p id="approve-what">Approving lets <strong>${p.name}@${p.version}</strong> use, from its sandbox:</p>
          <ul>${missing.map((c) => html`<li><code>${c}</code></li>`)}</ul>
          <p class="hint">Contents <code>${p.integrity}</code>; if it is reinstalled before you approve, the approval is refused.</p>
          <div class="row"><button class="primary" @click=${() => this.#run('approve')}>Approve these capabilities</button>
            <button @click=${() => { this.confirming = false; }}>Cancel</button></div></div>` : nothing}
      ${this.error ? html`<p class="notice error" role="alert">${this.error}</p>` : nothing}`;
  }

  protected override updated(changed: PropertyValues): void {
    // The confirmation takes the focus when it opens (it says what is approved, before the
    // buttons), and gives it back to the button that opened it when it closes.
    if (!changed.has('confirming')) return;
    if (this.confirming) this.renderRoot.querySelector<HTMLElement>('[role=dialog]')?.focus();
    else if (changed.get('confirming')) this.renderRoot.querySelector<HTMLElement>('button[data-op=approve]')?.focus();
  }

  #dialogKey(e: KeyboardEvent): void {
    if (e.key !== 'Escape') return;
    e.stopPropagation();
    this.confirming = false;
  }

  #choose(op: PluginAction): void {
    this.error = '';
    if (op === 'approve') this.confirming = true;
    else void this.#run(op);
  }

  async #run(op: PluginAction): Promise<void> {
    this.busy = true;
    try {
      const p = this.plugin;
      const updated = op === 'approve' ? await marketApi.approve(p.name, p.version, p.integrity) : await marketApi.setStatus(p.name, p.version, op);
      this.confirming = false;
      this.dispatchEvent(new CustomEvent('plugin-changed', { detail: { plugin: updated }, bubbles: true, composed: true }));
    } catch (err) {
      this.error = `${op === 'approve' ? 'Approval' : 'Status change'} failed: ${(err as Error).message}`;
    } finally {
      this.busy = false;
    }
  }
}
