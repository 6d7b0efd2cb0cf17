/**
 * `<ol-versions-panel>`: a template's saved versions; pick two to see their diff, or open one
 * in the editor (fires `open-version` with its graph).
 */
import { LitElement, html, css, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { portalApi, type TemplateVersion } from '../api/endpoints.js';
import { FetchController } from '../controllers/fetch-controller.js';
import { diffGraphs, type GraphDiff } from '../model/graph-diff.js';
import { sharedStyles } from './shared-styles.js';
import './graph-diff-view.js';

@customElement('ol-versions-panel')
export class VersionsPanel extends LitElement {
  static override styles = [sharedStyles, css`li { margin: 4px 0; list-style: none; } ul { padding: 0; }`];

  @property() project = '';
  @property() templateId = '';
  /** Bumped by the editor after each save, to reload the list. */
  @property({ type: Number }) revision = 0;
  @state() private picked: number[] = [];
  @state() private diff: { diff: GraphDiff; a: number; b: number } | undefined;
  @state() private error = '';

  #versions = new FetchController(this, () => portalApi.versions(this.project, this.templateId), () => [this.project, this.templateId, this.revision]);

  override render() {
    if (this.templateId === 'new') return html`<h2>Versions</h2><p class="empty">Save the flow to start its version history.</p>`;
    return html`<h2>Versions</h2>${this.#versions.render({
      pending: () => html`<p role="status">Loading versions…</p>`,
      error: (e) => html`<p class="notice error">${e.message}</p>`,
      complete: (v) => this.#list(v.items),
    })}
      ${this.error ? html`<p class="notice error" role="alert">${this.error}</p>` : nothing}
      ${this.diff ? html`<ol-graph-diff .diff=${this.diff.diff} fromLabel=${`v${this.diff.a}`} toLabel=${`v${this.diff.b}`}></ol-graph-diff>` : nothing}`;
  }

  #list(items: TemplateVersion[]) {
    const sorted = [...items].sort((a, b) => b.version - a.version);
    return html`<p class="hint">Tick two versions to compare them.</p>
      <ul>${sorted.map((v) => html`<li><label class="inline"><input type="checkbox" .checked=${this.picked.includes(v.version)}
          @change=${(e: Event) => this.#pick(v.version, (e.target as HTMLInputElement).checked)}>
        <strong>v${v.version}</strong> <span class="hint">${new Date(v.createdAt).toLocaleString()}${v.createdBy ? ` · ${v.createdBy}` : ''}</span></label>
        ${v.comment ? html`<div class="hint">${v.comment}</div>` : nothing}
        <button @click=${() => this.#open(v.version)} aria-label=${`Open version ${v.version} in the editor`}>Open</button></li>`)}</ul>
      <button ?disabled=${this.picked.length !== 2} @click=${this.#compare}
        title=${this.picked.length === 2 ? '' : 'tick exactly two versions'}>Compare selected</button>`;
  }

  #pick(version: number, on: boolean): void {
    const rest = this.picked.filter((v) => v !== version);
    this.picked = on ? [...rest, version].slice(-2) : rest;
  }

  async #compare(): Promise<void> {
    const [a, b] = [...this.picked].sort((x, y) => x - y) as [number, number];
    try {
      const [va, vb] = await Promise.all([portalApi.version(this.project, this.templateId, a), portalApi.version(this.project, this.templateId, b)]);
      this.diff = { diff: diffGraphs(va.graph, vb.graph), a, b };
      this.error = '';
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  async #open(version: number): Promise<void> {
    try {
      const v = await portalApi.version(this.project, this.templateId, version);
      this.dispatchEvent(new CustomEvent('open-version', { detail: { version, graph: v.graph }, bubbles: true, composed: true }));
    } catch (err) {
      this.error = (err as Error).message;
    }
  }
}
