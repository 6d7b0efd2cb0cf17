/**
 * `<ol-script-editor>`: a textarea with syntax highlighting drawn underneath it. The textarea
 * keeps every editing behaviour (undo, selection, screen readers, Tab leaves the field); its text
 * is transparent and a `<pre>` below shows the same text in colour, scrolled in step.
 * Fires `input` (composed) with `value` updated.
 */
import { LitElement, html, css } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import { tokenize, type ScriptLanguage } from '../model/script-highlight.js';

@customElement('ol-script-editor')
export class ScriptEditor extends LitElement {
  static override styles = css`
    :host { display: block; position: relative; border: 1px solid #94a3b8; border-radius: 6px; background: #0f172a; min-height: 220px; }
    :host(:focus-within) { outline: 3px solid #2563eb; outline-offset: 2px; }
    pre, textarea { margin: 0; padding: 10px 12px; border: 0; font: 13px/1.5 ui-monospace, SFMono-Regular, Menlo, monospace; white-space: pre;
      overflow-wrap: normal; tab-size: 4; box-sizing: border-box; width: 100%; height: 100%; min-height: 220px; letter-spacing: 0; }
    pre { position: absolute; inset: 0; overflow: hidden; color: #e2e8f0; pointer-events: none; }
    textarea { position: relative; display: block; resize: vertical; background: transparent; color: transparent; caret-color: #f8fafc; overflow: auto; outline: none; }
    textarea::selection { background: rgba(96, 165, 250, 0.45); color: transparent; }
    .comment { color: #94a3b8; font-style: italic; } .string { color: #86efac; } .keyword { color: #f9a8d4; font-weight: 600; }
    .variable { color: #fcd34d; } .number { color: #fdba74; } .builtin { color: #7dd3fc; }
  `;

  @property() value = '';
  @property() language: ScriptLanguage = 'bash';
  /** The accessible name of the field. */
  @property() label = 'Script';
  @property({ type: Boolean }) readonly = false;
  @query('textarea') private area!: HTMLTextAreaElement;
  @query('pre') private layer!: HTMLPreElement;

  override render() {
    // A trailing newline needs one more line in the <pre> or the last line would not line up.
    const tokens = tokenize(this.value.endsWith('\n') ? `${this.value} ` : this.value, this.language);
    return html`<pre aria-hidden="true">${tokens.map((t) => (t.kind === 'plain' ? t.text : html`<span class=${t.kind}>${t.text}</span>`))}</pre>
      <textarea spellcheck="false" autocapitalize="off" autocomplete="off" aria-label=${this.label} .value=${this.value} ?readonly=${this.readonly}
        @input=${this.#input} @scroll=${this.#scroll}></textarea>`;
  }

  /** Moves focus into the text. */
  override focus(): void {
    this.area?.focus();
  }

  #input(e: Event): void {
    // The native event would reach listeners too; send one, from this element, with value set.
    e.stopPropagation();
    this.value = (e.target as HTMLTextAreaElement).value;
    this.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
  }

  #scroll(): void {
    this.layer.scrollTop = this.area.scrollTop;
    this.layer.scrollLeft = this.area.scrollLeft;
  }
}
