/**
 * `<ol-expression-input>`: a text field (or multi-line with `multiline`) that offers the flow's
 * variables while the caret is inside `${…`. Arrow keys move through the suggestions, Enter or Tab
 * takes one, Escape closes the list. Fires `value-commit` with the text on blur or Enter.
 */
import { LitElement, html, css, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { applySuggestion, suggestVariables, type Suggestions } from '../model/variable-suggest.js';
import { sharedStyles } from './shared-styles.js';

let counter = 0;

@customElement('ol-expression-input')
export class ExpressionInput extends LitElement {
  static override styles = [sharedStyles, css`
    :host { display: block; position: relative; }
    input, textarea { width: 100%; }
    textarea { min-height: 70px; resize: vertical; }
    ul { position: absolute; z-index: 20; left: 0; right: 0; margin: 2px 0 0; padding: 4px 0; list-style: none; background: #fff;
      border: 1px solid #94a3b8; border-radius: 6px; box-shadow: 0 4px 12px rgb(15 23 42 / 15%); max-height: 200px; overflow: auto; }
    li { padding: 4px 10px; cursor: pointer; font-family: ui-monospace, monospace; font-size: 12px; }
    li[aria-selected='true'] { background: #dbeafe; }
  `];

  @property() value = '';
  @property() label = '';
  @property({ type: Boolean }) multiline = false;
  @property({ type: Boolean }) secret = false;
  @property() placeholder = '';
  @property({ attribute: false }) variables: string[] = [];
  @state() private suggestions: Suggestions | undefined;
  @state() private active = 0;
  @query('.field') private field!: HTMLInputElement | HTMLTextAreaElement;
  readonly #listId = `suggest-${++counter}`;

  override render() {
    const open = Boolean(this.suggestions);
    const common = {
      role: 'combobox', 'aria-autocomplete': 'list', 'aria-expanded': String(open), 'aria-controls': this.#listId,
      'aria-activedescendant': open ? `${this.#listId}-${this.active}` : '',
    };
    const field = this.multiline
      ? html`<textarea class="field" aria-label=${this.label} placeholder=${this.placeholder} .value=${this.value}
          role=${common.role} aria-autocomplete="list" aria-expanded=${common['aria-expanded']} aria-controls=${common['aria-controls']}
          aria-activedescendant=${common['aria-activedescendant']}
          @input=${this.#input} @keydown=${this.#key} @blur=${this.#blur}></textarea>`
      : html`<input class="field" type=${this.secret ? 'password' : 'text'} aria-label=${this.label} placeholder=${this.placeholder}
          .value=${this.value} role=${common.role} aria-autocomplete="list" aria-expanded=${common['aria-expanded']}
          aria-controls=${common['aria-controls']} aria-activedescendant=${common['aria-activedescendant']}
          autocomplete="off" @input=${this.#input} @keydown=${this.#key} @blur=${this.#blur}>`;
    return html`${field}${open ? html`<ul id=${this.#listId} role="listbox" aria-label="Variables">
      ${this.suggestions!.items.map((item, i) => html`<li id=${`${this.#listId}-${i}`} role="option" aria-selected=${String(i === this.active)}
        @mousedown=${(e: Event) => { e.preventDefault(); this.#take(item); }}>${item}</li>`)}</ul>` : nothing}`;
  }

  #input(): void {
    const f = this.field;
    this.value = f.value;
    this.suggestions = suggestVariables(f.value, f.selectionStart ?? f.value.length, this.variables);
    this.active = 0;
  }

  #key(e: KeyboardEvent): void {
    const s = this.suggestions;
    if (s) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const n = s.items.length;
        this.active = (this.active + (e.key === 'ArrowDown' ? 1 : n - 1)) % n;
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        this.#take(s.items[this.active]!);
        return;
      }
      if (e.key === 'Escape') {
        e.stopPropagation();
        this.suggestions = undefined;
        return;
      }
    }
    if (e.key === 'Enter' && !this.multiline) this.#commit();
  }

  #take(item: string): void {
    const next = applySuggestion(this.field.value, this.suggestions!, item);
    this.value = next.text;
    this.field.value = next.text;
    this.field.setSelectionRange(next.caret, next.caret);
    this.suggestions = undefined;
    this.field.focus();
  }

  #blur(): void {
    this.suggestions = undefined;
    this.#commit();
  }

  #commit(): void {
    this.dispatchEvent(new CustomEvent('value-commit', { detail: { value: this.field.value }, bubbles: true, composed: true }));
  }
}
