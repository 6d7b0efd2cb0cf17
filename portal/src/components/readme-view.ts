/**
 * `<ol-readme-view>`: a plugin readme rendered from parsed blocks. Every piece is bound as text
 * by Lit (no unsafeHTML anywhere), links only to http(s)/mailto and open without an opener.
 */
import { LitElement, html, css, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { parseReadme, type Block, type Inline } from '../model/readme.js';
import { sharedStyles } from './shared-styles.js';

@customElement('ol-readme-view')
export class ReadmeView extends LitElement {
  static override styles = [sharedStyles, css`
    :host { display: block; line-height: 1.55; }
    h1, h2, h3, h4 { margin: 14px 0 6px; }
    blockquote { margin: 8px 0; padding: 4px 12px; border-left: 3px solid #cbd5e1; color: #334155; }
    hr { border: 0; border-top: 1px solid #e2e8f0; }
    p code, li code { background: #f1f5f9; padding: 0 4px; border-radius: 4px; }
  `];

  /** The readme's Markdown source. */
  @property() markdown = '';
  #source = '';
  #blocks: Block[] = [];

  protected override willUpdate(): void {
    if (this.markdown !== this.#source) {
      this.#source = this.markdown;
      this.#blocks = parseReadme(this.markdown);
    }
  }

  override render() {
    if (!this.#blocks.length) return html`<p class="hint">This plugin has no readme.</p>`;
    return this.#blocks.map((b) => this.#block(b));
  }

  #block(b: Block) {
    switch (b.kind) {
      case 'heading': {
        const c = this.#inline(b.content);
        return b.level === 1 ? html`<h2>${c}</h2>` : b.level === 2 ? html`<h3>${c}</h3>` : html`<h4>${c}</h4>`;
      }
      case 'paragraph': return html`<p>${this.#inline(b.content)}</p>`;
      case 'quote': return html`<blockquote>${this.#inline(b.content)}</blockquote>`;
      case 'list': {
        const items = b.items.map((i) => html`<li>${this.#inline(i)}</li>`);
        return b.ordered ? html`<ol>${items}</ol>` : html`<ul>${items}</ul>`;
      }
      case 'code': return html`<pre aria-label=${b.language ? `${b.language} code` : 'code'}><code>${b.text}</code></pre>`;
      case 'rule': return html`<hr>`;
      default: return nothing;
    }
  }

  #inline(list: Inline[]) {
    return list.map((i) => {
      switch (i.kind) {
        case 'code': return html`<code>${i.text}</code>`;
        case 'strong': return html`<strong>${i.text}</strong>`;
        case 'em': return html`<em>${i.text}</em>`;
        case 'link': return html`<a href=${i.href} target="_blank" rel="noopener noreferrer nofollow">${i.text}</a>`;
        default: return i.text;
      }
    });
  }
}
