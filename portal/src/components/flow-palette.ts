/**
 * `<ol-flow-palette>`: the node types and the enabled plugins, searchable and grouped by
 * category. Items can be dragged onto the canvas, or added at the canvas centre with Enter.
 */
import { LitElement, html, css } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { NODE_KINDS, groupPlugins, type PluginSummary } from '../model/node-kinds.js';
import { PALETTE_MIME } from './flow-canvas.js';
import { sharedStyles } from './shared-styles.js';

/** What a palette item carries (JSON in the drag data and in `palette-add`). */
export interface PaletteItem {
  type: string;
  plugin?: PluginSummary;
}

@customElement('ol-flow-palette')
export class FlowPalette extends LitElement {
  static override styles = [sharedStyles, css`
    :host { display: block; overflow: auto; padding: 8px; background: #fff; border-right: 1px solid #e2e8f0; }
    input[type='search'] { width: 100%; margin-bottom: 8px; }
    ul { list-style: none; padding: 0; margin: 0 0 8px; }
    button.item { width: 100%; justify-content: flex-start; margin: 2px 0; cursor: grab; text-align: left; }
    .glyph { width: 18px; text-align: center; color: #475569; }
    .name { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    h3 { font-size: 12px; text-transform: uppercase; letter-spacing: 0.04em; color: #475569; }
  `];

  /** Enabled plugins; `undefined` while loading; `null` when the server has no catalog API yet. */
  @property({ attribute: false }) plugins: PluginSummary[] | null | undefined;
  @property() catalogError = '';
  @state() private search = '';

  override render() {
    const needle = this.search.trim().toLowerCase();
    const kinds = NODE_KINDS.filter((k) => !needle || `${k.label} ${k.hint}`.toLowerCase().includes(needle));
    return html`<label for="search" class="sr-only">Search the palette</label>
      <input id="search" type="search" placeholder="Search nodes and plugins" .value=${this.search}
        @input=${(e: Event) => { this.search = (e.target as HTMLInputElement).value; }}>
      <h3 id="types">Node types</h3>
      <ul aria-labelledby="types">${kinds.map((k) => html`<li>${this.#item({ type: k.type }, k.glyph, k.label, k.hint)}</li>`)}</ul>
      <h3 id="plugins">Plugins</h3>
      ${this.#plugins()}`;
  }

  #plugins() {
    if (this.plugins === undefined) return html`<p class="hint" role="status">Loading the plugin catalog…</p>`;
    if (this.plugins === null) {
      return html`<p class="empty" role="status">${this.catalogError
        ? html`The plugin catalog could not be loaded: ${this.catalogError}`
        : html`No plugin catalog on this server yet (<code>GET /api/v1/plugins</code> is missing).`}
        Use the <strong>Task</strong> node and type a plugin name and version.</p>`;
    }
    const groups = groupPlugins(this.plugins, this.search);
    if (groups.size === 0) {
      return html`<p class="empty">${this.plugins.length === 0 ? 'No plugins are enabled in this installation.' : 'No plugin matches the search.'}</p>`;
    }
    return [...groups].map(([category, list]) => html`<h3>${category}</h3>
      <ul aria-label=${`${category} plugins`}>${list.map((p) => html`<li>${this.#item({ type: 'task', plugin: p }, '⚙', p.title, `${p.name}@${p.version}${p.description ? ` — ${p.description}` : ''}`)}</li>`)}</ul>`);
  }

  #item(item: PaletteItem, glyph: string, label: string, hint: string) {
    const data = JSON.stringify(item);
    return html`<button class="item" draggable="true" title=${hint} aria-label=${`Add ${label}: ${hint}`}
        data-palette=${item.plugin ? `plugin:${item.plugin.name}` : item.type}
        @dragstart=${(e: DragEvent) => {
          e.dataTransfer!.setData(PALETTE_MIME, data);
          e.dataTransfer!.effectAllowed = 'copy';
        }}
        @click=${() => this.dispatchEvent(new CustomEvent('palette-add', { detail: { data }, bubbles: true, composed: true }))}>
      <span class="glyph" aria-hidden="true">${glyph}</span><span class="name">${label}</span></button>`;
  }
}
