/** `<ol-graph-diff>`: shows a {@link GraphDiff} between two versions as lists. */
import { LitElement, html, css, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { ElementDiff, GraphDiff } from '../model/graph-diff.js';
import { sharedStyles } from './shared-styles.js';

@customElement('ol-graph-diff')
export class GraphDiffView extends LitElement {
  static override styles = [sharedStyles, css`
    .added { color: #166534; } .removed { color: #991b1b; } .changed { color: #92400e; }
    ul { margin: 4px 0 8px; padding-left: 18px; }
  `];
  @property({ attribute: false }) diff: GraphDiff | undefined;
  @property() fromLabel = '';
  @property() toLabel = '';

  override render() {
    const d = this.diff;
    if (!d) return nothing;
    return html`<h3>Changes from ${this.fromLabel} to ${this.toLabel}</h3>
      ${d.sameBehaviour ? html`<p class="notice ok">Same behaviour${d.moved.length ? `; ${d.moved.length} node(s) only moved on the canvas` : ''}.</p>` : nothing}
      ${d.name ? html`<p class="changed">Renamed “${d.name.before}” → “${d.name.after}”</p>` : nothing}
      ${this.#section('Nodes', d.nodes, (n) => `${n.name || n.id} (${n.type})`)}
      ${this.#section('Flows', d.flows, (f) => `${f.id}: ${f.source} → ${f.target}`)}
      ${this.#section('Variables', d.variables, (v) => v.key)}
      ${d.outputs.added.length || d.outputs.removed.length ? html`<h4>Outputs</h4><ul>
        ${d.outputs.added.map((k) => html`<li class="added">+ ${k}</li>`)}${d.outputs.removed.map((k) => html`<li class="removed">− ${k}</li>`)}</ul>` : nothing}
      ${d.moved.length && !d.sameBehaviour ? html`<p class="hint">${d.moved.length} node(s) moved.</p>` : nothing}`;
  }

  #section<T>(title: string, d: ElementDiff<T>, name: (x: T) => string) {
    if (!d.added.length && !d.removed.length && !d.changed.length) return nothing;
    return html`<h4>${title}</h4><ul>
      ${d.added.map((x) => html`<li class="added">+ ${name(x)}</li>`)}
      ${d.removed.map((x) => html`<li class="removed">− ${name(x)}</li>`)}
      ${d.changed.map((c) => html`<li class="changed">~ ${name(c.after)}: ${c.fields.join(', ')}</li>`)}</ul>`;
  }
}
