/**
 * `<ol-task-create>`: creates a task from a template: pick the flow, fill its shown variables,
 * leave out optional nodes, then create (and optionally start) it.
 */
import { LitElement, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { isActivity, type JsonValue, type VariableDef } from '@opsloom/core/model';
import { portalApi, type Template } from '../api/endpoints.js';
import { FetchController } from '../controllers/fetch-controller.js';
import { routeHash } from '../model/route.js';
import type { Task } from '../model/task-types.js';
import { apiErrorNotice } from './api-missing.js';
import { sharedStyles } from './shared-styles.js';

@customElement('ol-task-create')
export class TaskCreate extends LitElement {
  static override styles = sharedStyles;
  @property() project = '';
  @property() templateId = '';
  @state() private error = '';
  @state() private busy = false;

  /** The task name proposed for the chosen flow, fixed once: a later render must not replace a name typed meanwhile. */
  #proposedName: { templateId: string; name: string } | undefined;

  #templates = new FetchController(this, () => portalApi.allTemplates(this.project), () => [this.project]);
  #template = new FetchController<Template | null>(this, () => (this.templateId ? portalApi.template(this.project, this.templateId) : Promise.resolve(null)),
    () => [this.project, this.templateId]);

  protected override willUpdate(): void {
    const t = this.#template.value;
    if (t && t.id !== this.#proposedName?.templateId) this.#proposedName = { templateId: t.id, name: `${t.name} ${new Date().toLocaleString()}` };
  }

  override render() {
    return html`<h1>New task</h1>
      ${this.#templates.render({
        pending: () => html`<p role="status">Loading flows…</p>`,
        error: (e) => apiErrorNotice(e, 'templates API'),
        complete: (list) => html`<label for="tpl">Flow</label>
          <select id="tpl" @change=${(e: Event) => { location.hash = routeHash({ page: 'task-new', project: this.project, query: { template: (e.target as HTMLSelectElement).value } }); }}>
            <option value="">Choose a flow…</option>
            ${list.items.map((t) => html`<option value=${t.id} ?selected=${t.id === this.templateId}>${t.name} (v${t.latestVersion})</option>`)}</select>`,
      })}
      ${this.#template.render({ error: (e) => apiErrorNotice(e, 'templates API'), complete: (t) => (t ? this.#form(t) : nothing) })}`;
  }

  #form(t: Template) {
    const shown = Object.entries(t.graph.variables).filter(([, v]) => v.show);
    const optional = t.graph.nodes.filter((n) => isActivity(n) && n.optional);
    return html`<form @submit=${(e: SubmitEvent) => this.#submit(e, t)}>
      <label for="name">Task name</label><input id="name" name="name" .value=${this.#proposedName?.name ?? t.name} style="width:100%;max-width:480px">
      <h2 style="margin-top:16px">Variables</h2>
      ${shown.length === 0 ? html`<p class="hint">This flow asks for no variables.</p>` : shown.map(([key, def]) => this.#variable(key, def))}
      <h2 style="margin-top:16px">Optional nodes</h2>
      ${optional.length === 0 ? html`<p class="hint">No node of this flow is optional.</p>` : optional.map((n) => html`
        <label class="inline"><input type="checkbox" name="exclude" value=${n.id}>Leave out ${n.name || n.id}</label>`)}
      ${this.error ? html`<p class="notice error" role="alert">${this.error}</p>` : nothing}
      <p class="row"><button type="submit" name="mode" value="create" ?disabled=${this.busy}>Create</button>
        <button class="primary" type="submit" name="mode" value="start" ?disabled=${this.busy}>Create and start</button></p></form>`;
  }

  #variable(key: string, def: VariableDef) {
    const id = `var-${key}`;
    const value = def.value === undefined ? '' : typeof def.value === 'string' ? def.value : JSON.stringify(def.value);
    const label = html`<label for=${id}>${def.name || key}${def.required ? ' *' : ''} <span class="hint">(${def.type})</span></label>
      ${def.description ? html`<div class="hint">${def.description}</div>` : nothing}`;
    if (def.type === 'boolean') return html`<label class="inline"><input id=${id} type="checkbox" name=${`v:${key}`} ?checked=${def.value === true}>${def.name || key}</label>`;
    if (def.type === 'select' && def.options) {
      return html`${label}<select id=${id} name=${`v:${key}`} ?required=${def.required}>${def.options.map((o, i) =>
        html`<option value=${`#${i}`} ?selected=${JSON.stringify(o.value) === JSON.stringify(def.value)}>${o.text}</option>`)}</select>`;
    }
    const multiline = def.type === 'text' || def.type === 'json' || def.type === 'hosts';
    return html`${label}${multiline
      ? html`<textarea id=${id} name=${`v:${key}`} ?required=${def.required} style="width:100%;max-width:480px">${value}</textarea>`
      : html`<input id=${id} name=${`v:${key}`} type=${def.type === 'password' ? 'password' : def.type === 'number' ? 'number' : 'text'}
          .value=${value} ?required=${def.required} style="width:100%;max-width:480px">`}`;
  }

  async #submit(e: SubmitEvent, t: Template): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    const start = (e.submitter as HTMLButtonElement | null)?.value === 'start';
    const variables: Record<string, JsonValue> = {};
    for (const [key, def] of Object.entries(t.graph.variables)) {
      if (!def.show) continue;
      if (def.type === 'boolean') {
        variables[key] = data.get(`v:${key}`) !== null;
        continue;
      }
      const raw = data.get(`v:${key}`);
      if (raw === null) continue;
      const text = String(raw);
      if (def.type === 'select' && def.options && text.startsWith('#')) variables[key] = def.options[Number(text.slice(1))]?.value ?? null;
      else if (def.type === 'number' && text !== '') variables[key] = Number(text);
      else if ((def.type === 'json' || def.type === 'hosts') && text.trim()) {
        try {
          variables[key] = JSON.parse(text) as JsonValue;
        } catch {
          variables[key] = def.type === 'hosts' ? text.split(/[\s,]+/).filter(Boolean) : text;
        }
      } else variables[key] = text;
    }
    this.busy = true;
    let task: Task;
    try {
      task = await portalApi.createTask(this.project, {
        templateId: t.id, version: t.latestVersion, name: String(data.get('name') ?? '') || t.name, variables,
        excludeNodes: data.getAll('exclude').map(String),
      });
    } catch (err) {
      this.error = (err as Error).message;
      this.busy = false;
      return;
    }
    // The task exists now: whatever the start does, go to it (staying here, a second click would
    // create a second task); its monitor says why it did not start and offers Start again.
    let startFailed: string | undefined;
    if (start) {
      try {
        await portalApi.taskAction(this.project, task.id, 'start');
      } catch (err) {
        startFailed = (err as Error).message;
      }
    }
    location.hash = routeHash({ page: 'task', project: this.project, id: task.id, query: startFailed ? { startFailed } : {} });
  }
}
