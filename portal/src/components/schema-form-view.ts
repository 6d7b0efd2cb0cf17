/**
 * `<ol-schema-form>`: a form generated from a plugin's input JSON Schema. Every text-like field
 * takes `${…}` references with variable autocomplete; problems are shown under each field.
 * Fires `value-change` with the whole new value object.
 */
import { LitElement, html, css, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { parseFieldInput, validateField, type FormField } from '../model/schema-form.js';
import { sharedStyles } from './shared-styles.js';
import './expression-input.js';

@customElement('ol-schema-form')
export class SchemaForm extends LitElement {
  static override styles = [sharedStyles, css`
    :host { display: block; }
    fieldset { border: 1px solid #e2e8f0; border-radius: 6px; padding: 4px 10px 10px; margin: 8px 0; }
    legend { font-weight: 600; font-size: 13px; }
    select, input[type='number'] { width: 100%; }
    .req { color: #b91c1c; }
  `];

  @property({ attribute: false }) fields: FormField[] = [];
  @property({ attribute: false }) value: Record<string, unknown> = {};
  @property({ attribute: false }) variables: string[] = [];
  /** Problems by field path reported by the server, shown beside local ones. */
  @property({ attribute: false }) serverErrors: Record<string, string[]> = {};
  #parseErrors = new Map<string, string>();

  override render() {
    if (this.fields.length === 0) return html`<p class="hint">This plugin takes no inputs.</p>`;
    return html`${this.fields.map((f) => this.#field(f, this.value[f.key], (v) => this.#set(f.key, v)))}`;
  }

  #field(f: FormField, value: unknown, set: (v: unknown) => void): unknown {
    const id = `f-${f.path.replace(/[^\w-]/g, '_')}`;
    const problems = [...(this.#parseErrors.has(f.path) ? [this.#parseErrors.get(f.path)!] : validateField(f, value)), ...(this.serverErrors[f.path] ?? [])];
    const label = html`<label for=${id}>${f.label}${f.required ? html` <span class="req" aria-hidden="true">*</span>` : nothing}</label>
      ${f.description ? html`<div class="hint" id=${`${id}-hint`}>${f.description}</div>` : nothing}`;
    const errors = problems.length ? html`<p class="field-error" role="alert">${f.label} ${problems.join('; ')}</p>` : nothing;
    const isExpr = typeof value === 'string' && value.includes('${');
    switch (f.kind) {
      case 'boolean':
        if (!isExpr) {
          return html`<label class="inline"><input id=${id} type="checkbox" .checked=${value === true}
            @change=${(e: Event) => set((e.target as HTMLInputElement).checked)}>${f.label}</label>${errors}`;
        }
        break;
      case 'enum':
        if (!isExpr) {
          return html`${label}<select id=${id} aria-required=${f.required} @change=${(e: Event) => {
            const i = Number((e.target as HTMLSelectElement).value);
            set(i < 0 ? undefined : f.options![i]!.value);
          }}><option value="-1" ?selected=${value === undefined}>—</option>
            ${f.options!.map((o, i) => html`<option value=${i} ?selected=${o.value === value}>${o.label}</option>`)}</select>${errors}`;
        }
        break;
      case 'object':
        if (!isExpr && f.fields && f.fields.length > 0) {
          const obj = value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
          return html`<fieldset><legend>${f.label}</legend>
            ${f.fields.map((sub) => this.#field(sub, obj[sub.key], (v) => set(prune({ ...obj, [sub.key]: v }))))}</fieldset>`;
        }
        break;
      default:
        break;
    }
    const text = value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
    const multiline = f.kind === 'text' || f.kind === 'json' || f.kind === 'object' || (f.kind === 'array' && text.length > 40);
    const placeholder = f.kind === 'hosts' ? '10.0.0.1, 10.0.0.2 or ${hosts}' : f.kind === 'array' ? '["a", "b"] or ${list}' : f.kind === 'secret' ? '${password_variable}' : '';
    return html`${label}<ol-expression-input id=${id} .label=${f.label} .value=${text} .variables=${this.variables}
        ?multiline=${multiline} ?secret=${f.kind === 'secret' && !isExpr} placeholder=${placeholder}
        @value-commit=${(e: CustomEvent<{ value: string }>) => {
          const parsed = parseFieldInput(f, e.detail.value);
          if ('error' in parsed) {
            this.#parseErrors.set(f.path, parsed.error);
            this.requestUpdate();
            return;
          }
          this.#parseErrors.delete(f.path);
          if (JSON.stringify(parsed.value) !== JSON.stringify(value)) set(parsed.value);
          else this.requestUpdate();
        }}></ol-expression-input>
      ${f.kind === 'secret' ? html`<div class="hint">Stored in the template as written: prefer a reference to a password variable.</div>` : nothing}${errors}`;
  }

  #set(key: string, v: unknown): void {
    const next = prune({ ...this.value, [key]: v });
    this.dispatchEvent(new CustomEvent('value-change', { detail: { value: next }, bubbles: true, composed: true }));
  }
}

function prune(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
}
