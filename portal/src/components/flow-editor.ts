/**
 * `<ol-flow-editor>`: composes a flow. The graph lives in an undo history of immutable states;
 * every user action becomes one pure edit (model/graph-edit.ts) pushed on it. The canvas only
 * draws and reports; connections are checked against the model's rules as they are drawn.
 */
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type { FlowGraph, GraphError } from '@opsloom/core/model';
import { validateGraph } from '@opsloom/core/model';
import { portalApi, type Template } from '../api/endpoints.js';
import { FetchController } from '../controllers/fetch-controller.js';
import { autoLayout } from '../model/auto-layout.js';
import { copySelection, parseClipboard, pasteFragment, type ClipboardContent } from '../model/clipboard.js';
import { checkConnection } from '../model/connection-rules.js';
import { EditHistory } from '../model/edit-history.js';
import { addNode, emptyGraph, moveNodes, nudgeNodes, removeElements, uniqueId } from '../model/graph-edit.js';
import { flowDocument } from '../model/flow-document.js';
import { problemsAfterEdit } from '../model/edit-problems.js';
import { createNode, type PluginSummary } from '../model/node-kinds.js';
import { ApiError } from '../model/problem.js';
import { routeHash } from '../model/route.js';
import { shortcut, type EditorCommand } from '../model/shortcuts.js';
import type { FlowCanvas, ConnectRequest } from './flow-canvas.js';
import type { PaletteItem } from './flow-palette.js';
import { editorStyles } from './editor-styles.js';
import { sharedStyles } from './shared-styles.js';
import './flow-canvas.js';
import './flow-palette.js';
import './node-inspector.js';
import './variables-panel.js';
import './versions-panel.js';

type Panel = 'inspect' | 'variables' | 'versions' | 'problems';
/** A status line; `action` is a button beside it (e.g. reload the template another editor saved). */
type Message = { kind: 'ok' | 'error' | 'warn' | 'info'; text: string; action?: { label: string; run: () => void } };

@customElement('ol-flow-editor')
export class FlowEditor extends LitElement {
  static override styles = [sharedStyles, editorStyles];

  @property() project = '';
  @property() templateId = 'new';

  @state() private revision = 0;
  @state() private selection: ReadonlySet<string> = new Set();
  @state() private selectedFlow: string | undefined;
  @state() private problems: GraphError[] = [];
  @state() private panel: Panel = 'inspect';
  @state() private message: Message | undefined;
  @state() private saving = false;
  @state() private connectFrom: string | undefined;
  @state() private savedRevision = 0;
  @query('ol-flow-canvas') private canvas!: FlowCanvas;

  #history = new EditHistory<FlowGraph>(emptyGraph());
  #template: Template | undefined;
  #loadedKey = '';
  #clipboard: ClipboardContent | undefined;
  #savedGraph: FlowGraph | undefined;

  #plugins = new FetchController<PluginSummary[] | null>(this, async (signal) => {
    try {
      return (await portalApi.plugins(signal)).items;
    } catch (err) {
      if (err instanceof ApiError && err.missingRoute) return null;
      throw err;
    }
  });

  #source = new FetchController<Template | null>(this, (signal) => {
    void signal;
    return this.templateId === 'new' ? Promise.resolve(null) : portalApi.template(this.project, this.templateId);
  }, () => [this.project, this.templateId]);

  /** The graph being edited. */
  get graph(): FlowGraph {
    return this.#history.current;
  }

  /** Replaces the whole graph (a loaded document, or the benchmark's large flow); starts a new history. */
  loadGraph(graph: FlowGraph): void {
    const g = graph.layout && Object.keys(graph.layout).length >= graph.nodes.length ? graph : { ...graph, layout: autoLayout(graph) };
    this.#history.reset(g);
    this.#savedGraph = g;
    this.selection = new Set();
    this.selectedFlow = undefined;
    this.problems = [];
    this.revision += 1;
    void this.updateComplete.then(() => this.canvas?.zoomToFit());
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // Derived state: adopt a freshly loaded template once per (project, template).
    const key = `${this.project}/${this.templateId}`;
    if (this.#source.loading || key === this.#loadedKey) return;
    if (this.templateId === 'new') {
      this.#loadedKey = key;
      if (changed.has('templateId') || this.#template) this.#template = undefined;
      if (!this.#savedGraph) this.loadGraph(emptyGraph());
      return;
    }
    const t = this.#source.value;
    if (t && t.id === this.templateId) {
      this.#loadedKey = key;
      this.#template = t;
      this.loadGraph({ ...t.graph, name: t.graph.name || t.name });
    }
  }

  override render() {
    if (this.#source.error) {
      const e = this.#source.error;
      return html`<div style="padding:16px"><h1>Flow</h1><p class="notice error" role="alert">${e instanceof ApiError && e.missingRoute
        ? 'This server has no templates API yet, so saved flows cannot be opened. You can still draw a new flow.' : e.message}</p>
        <a class="button" href=${routeHash({ page: 'flow-editor', project: this.project, id: 'new' })}>Draw a new flow</a></div>`;
    }
    const g = this.graph;
    const errors = errorMap(this.problems);
    const node = this.selection.size === 1 ? g.nodes.find((n) => this.selection.has(n.id)) : undefined;
    const flow = this.selectedFlow ? g.flows.find((f) => f.id === this.selectedFlow) : undefined;
    const dirty = g !== this.#savedGraph;
    return html`
      <div class="toolbar" role="toolbar" aria-label="Flow editor tools">
        <div class="group"><label for="flow-name" class="sr-only">Flow name</label>
          <input id="flow-name" class="name" .value=${g.name} @change=${(e: Event) => this.#apply({ ...g, name: (e.target as HTMLInputElement).value }, 'rename')}>
          ${this.#template ? html`<span class="badge" title="latest saved version">v${this.#template.latestVersion}</span>` : html`<span class="badge">unsaved</span>`}</div>
        <div class="group">
          ${this.#template ? html`<label for="comment" class="sr-only">Version comment</label>
            <input id="comment" class="comment" placeholder="What changed? (optional)">` : nothing}
          <button class="primary" @click=${this.#save} ?disabled=${this.saving} aria-keyshortcuts="Control+S">${this.saving ? 'Saving…' : this.#template ? 'Save new version' : 'Save'}</button>
          <button @click=${this.#check}>Check</button>
          <button @click=${this.#download} title="Download the flow as JSON">Export JSON</button>
          ${this.#template ? html`<a class="button" href=${routeHash({ page: 'task-new', project: this.project, query: { template: this.#template.id } })}>Run…</a>` : nothing}</div>
        <div class="group">
          <button @click=${() => this.#run('undo')} ?disabled=${!this.#history.canUndo} aria-keyshortcuts="Control+Z">Undo</button>
          <button @click=${() => this.#run('redo')} ?disabled=${!this.#history.canRedo} aria-keyshortcuts="Control+Y">Redo</button>
          <button @click=${() => this.#run('layout')}>Auto-layout</button></div>
        <div class="group">
          <button @click=${() => this.#run('zoom-out')} aria-label="Zoom out">−</button>
          <button @click=${() => this.#run('zoom-in')} aria-label="Zoom in">+</button>
          <button @click=${() => this.#run('zoom-fit')}>Fit</button></div>
        <div class="group">
          <button @click=${() => this.#run('copy')} ?disabled=${this.selection.size === 0}>Copy</button>
          <button @click=${() => this.#run('paste')} ?disabled=${!this.#clipboard}>Paste</button>
          <button class="danger" @click=${() => this.#run('delete')} ?disabled=${this.selection.size === 0 && !this.selectedFlow}>Delete</button></div>
      </div>
      <div class="body">
        <ol-flow-palette .plugins=${this.#plugins.error ? null : this.#plugins.value} catalogError=${this.#plugins.error?.message ?? ''}
          @palette-add=${(e: CustomEvent<{ data: string }>) => this.#addFromPalette(e.detail.data, this.canvas.centre())}></ol-flow-palette>
        <ol-flow-canvas .graph=${g} .selectedNodes=${this.selection} .selectedFlow=${this.selectedFlow} .errors=${errors}
          label="Flow canvas: Tab moves between nodes, Enter selects, arrows move, C connects, Delete removes"
          @keydown=${this.#key} @connect-request=${this.#connect} @nodes-moved=${this.#moved}
          @select-node=${this.#selectNode} @select-flow=${this.#selectFlow} @select-area=${this.#selectArea}
          @clear-selection=${() => this.#select(new Set())} @palette-drop=${(e: CustomEvent<{ data: string; at: { x: number; y: number } }>) => this.#addFromPalette(e.detail.data, e.detail.at)}
          @activate-node=${() => { this.panel = 'inspect'; }}></ol-flow-canvas>
        <aside aria-label="Details">
          <div role="tablist" aria-label="Side panels">${(['inspect', 'variables', 'versions', 'problems'] as Panel[]).map((p) => html`
            <button role="tab" id=${`tab-${p}`} aria-controls="panel" aria-selected=${String(this.panel === p)} tabindex=${this.panel === p ? 0 : -1}
              @click=${() => { this.panel = p; }} @keydown=${this.#tabKey}>${TAB_LABELS[p]}${p === 'problems' && this.problems.length ? ` (${this.problems.length})` : ''}</button>`)}</div>
          <div role="tabpanel" id="panel" aria-labelledby=${`tab-${this.panel}`} tabindex="0">${this.#panel(node, flow, errors)}</div>
        </aside>
      </div>
      <div class="status ${this.message?.kind ?? ''}" role=${this.message?.kind === 'error' ? 'alert' : 'status'} aria-live="polite">
        ${this.message?.text ?? (this.connectFrom ? `Connecting from ${this.connectFrom}: focus the target node and press Enter (Escape cancels).` : '')}
        ${this.message?.action ? html`<button class="status-action" @click=${this.message.action.run}>${this.message.action.label}</button>` : nothing}
        ${dirty && !this.message ? html`<span class="hint">Unsaved changes.</span>` : nothing}</div>`;
  }

  #panel(node: FlowGraph['nodes'][number] | undefined, flow: FlowGraph['flows'][number] | undefined, errors: Map<string, string[]>) {
    const g = this.graph;
    switch (this.panel) {
      case 'variables':
        return html`<ol-variables-panel .graph=${g} @graph-edit=${this.#edit}></ol-variables-panel>`;
      case 'versions':
        return html`<ol-versions-panel .project=${this.project} .templateId=${this.#template?.id ?? 'new'} .revision=${this.savedRevision}
          @open-version=${(e: CustomEvent<{ version: number; graph: FlowGraph }>) => {
            this.#apply(e.detail.graph, `open v${e.detail.version}`);
            this.#say('info', `Opened version ${e.detail.version}; saving makes it the newest version. Undo returns to your draft.`);
          }}></ol-versions-panel>`;
      case 'problems':
        return html`<h2>Problems</h2>${this.problems.length === 0 ? html`<p class="empty">No problems found. Press Check to validate.</p>` : html`
          <ul class="problems">${this.problems.map((p) => html`<li>${p.message}
            ${p.nodeId || p.flowId ? html`<button @click=${() => this.#reveal(p)}>Show</button>` : nothing}</li>`)}</ul>`}`;
      default:
        return html`<ol-node-inspector .graph=${g} .node=${node} .flow=${flow} .plugins=${this.#plugins.error ? null : this.#plugins.value}
          .problems=${(node ? errors.get(node.id) : flow ? errors.get(flow.id) : undefined) ?? []}
          @graph-edit=${this.#edit} @connect-to=${(e: CustomEvent<{ source: string; target: string }>) => this.#connectNodes(e.detail.source, e.detail.target)}
          @delete-selection=${() => this.#run('delete')}></ol-node-inspector>`;
    }
  }

  #apply(next: FlowGraph, label: string): void {
    if (next === this.graph) return;
    this.problems = problemsAfterEdit(this.problems, this.graph, next);
    this.#history.push(next, label);
    this.message = undefined;
    this.revision += 1;
  }

  #say(kind: Message['kind'], text: string): void {
    this.message = { kind, text };
  }

  /** Replaces the draft with the template's latest saved version (after a save refused as stale). */
  async #reloadLatest(): Promise<void> {
    if (!this.#template) return;
    try {
      const t = await portalApi.template(this.project, this.#template.id);
      this.#template = t;
      this.loadGraph({ ...t.graph, name: t.graph.name || t.name });
      this.savedRevision += 1;
      this.#say('info', `Loaded version ${t.latestVersion}${t.updatedBy ? `, saved by ${t.updatedBy}` : ''}. Apply your changes again and save.`);
    } catch (err) {
      this.#say('error', `Could not reload: ${(err as Error).message}`);
    }
  }

  #edit(e: CustomEvent<{ edit: (g: FlowGraph) => FlowGraph; label: string }>): void {
    this.#apply(e.detail.edit(this.graph), e.detail.label);
  }

  #select(ids: ReadonlySet<string>, flow?: string): void {
    this.selection = ids;
    this.selectedFlow = flow;
  }

  #selectNode(e: CustomEvent<{ id: string; additive: boolean }>): void {
    const { id, additive } = e.detail;
    if (this.connectFrom && this.connectFrom !== id) {
      this.#connectNodes(this.connectFrom, id);
      return;
    }
    const next = new Set(additive ? this.selection : []);
    if (additive && next.has(id)) next.delete(id);
    else next.add(id);
    this.#select(next);
    this.panel = this.panel === 'problems' ? 'problems' : 'inspect';
  }

  #selectFlow(e: CustomEvent<{ id: string }>): void {
    this.#select(new Set(), e.detail.id);
    this.panel = 'inspect';
  }

  #selectArea(e: CustomEvent<{ ids: string[]; additive: boolean }>): void {
    this.#select(new Set([...(e.detail.additive ? this.selection : []), ...e.detail.ids]));
  }

  #reveal(p: GraphError): void {
    if (p.flowId) this.#select(new Set(), p.flowId);
    else if (p.nodeId) {
      this.#select(new Set([p.nodeId]));
      this.canvas.focusNode(p.nodeId);
    }
  }

  #connect(e: CustomEvent<ConnectRequest>): void {
    e.detail.reason = this.#connectNodes(e.detail.source, e.detail.target);
  }

  /** Adds a flow if the rules allow it; returns the reason when refused. */
  #connectNodes(source: string, target: string): string | undefined {
    this.connectFrom = undefined;
    const verdict = checkConnection(this.graph, source, target);
    if (!verdict.ok) {
      this.#say('error', `Connection refused: ${verdict.reason}`);
      return verdict.reason;
    }
    this.#apply(verdict.graph, 'connect');
    const src = this.graph.nodes.find((n) => n.id === source);
    if (src?.type === 'exclusive' || src?.type === 'conditional-parallel') {
      this.#select(new Set(), verdict.flow.id);
      this.panel = 'inspect';
      this.#say('info', `Connected ${source} → ${target}. Give the flow a condition or mark it the default.`);
    } else {
      this.#say('ok', `Connected ${source} → ${target}.`);
    }
    return undefined;
  }

  #moved(e: CustomEvent<{ moves: Record<string, { x: number; y: number }> }>): void {
    this.#apply(moveNodes(this.graph, e.detail.moves), 'move');
  }

  #addFromPalette(data: string, at: { x: number; y: number }): void {
    let item: PaletteItem;
    try {
      item = JSON.parse(data) as PaletteItem;
    } catch {
      return;
    }
    const g = this.graph;
    if (item.type === 'start' && g.nodes.some((n) => n.type === 'start')) {
      this.#say('error', 'A flow has exactly one start event, and this one has it already.');
      return;
    }
    const type = item.type as Parameters<typeof createNode>[0];
    const id = uniqueId(g, type === 'task' ? 'task' : type.replace(/-/g, '_'));
    this.#apply(addNode(g, createNode(type, id, item.plugin), at), `add ${type}`);
    this.#select(new Set([id]));
    this.panel = 'inspect';
    this.#say('ok', `Added ${id}.`);
  }

  #key(e: KeyboardEvent): void {
    const path = e.composedPath();
    if (path.some((t) => t instanceof HTMLElement && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT'))) return;
    const command = shortcut(e);
    if (!command) return;
    const nodeEl = path.find((t): t is HTMLElement => t instanceof HTMLElement && t.classList.contains('node'));
    if (command === 'activate') {
      if (!nodeEl?.dataset.id) return;
      e.preventDefault();
      this.#selectNode(new CustomEvent('select-node', { detail: { id: nodeEl.dataset.id, additive: e.shiftKey } }));
      return;
    }
    e.preventDefault();
    this.#run(command, e.shiftKey);
  }

  #tabKey(e: KeyboardEvent): void {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    const order: Panel[] = ['inspect', 'variables', 'versions', 'problems'];
    const i = (order.indexOf(this.panel) + (e.key === 'ArrowRight' ? 1 : order.length - 1)) % order.length;
    this.panel = order[i]!;
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`#tab-${this.panel}`)?.focus());
  }

  #run(command: EditorCommand, big = false): void {
    const g = this.graph;
    const step = big ? 50 : 10;
    switch (command) {
      case 'undo': case 'redo':
        if (command === 'undo') this.#history.undo();
        else this.#history.redo();
        this.revision += 1;
        this.#select(new Set([...this.selection].filter((id) => this.graph.nodes.some((n) => n.id === id))));
        return;
      case 'copy': case 'cut':
        if (this.selection.size === 0) return;
        this.#clipboard = copySelection(g, this.selection);
        void navigator.clipboard?.writeText(JSON.stringify(this.#clipboard)).catch(() => undefined);
        this.#say('ok', `Copied ${this.#clipboard.nodes.length} node(s).`);
        if (command === 'cut') this.#run('delete');
        return;
      case 'paste': {
        const clip = this.#clipboard;
        if (!clip) return;
        const { graph, nodeIds } = pasteFragment(g, clip);
        this.#apply(graph, 'paste');
        this.#select(new Set(nodeIds));
        return;
      }
      case 'delete':
        if (this.selection.size === 0 && !this.selectedFlow) return;
        this.#apply(removeElements(g, this.selection, this.selectedFlow ? [this.selectedFlow] : []), 'delete');
        this.#select(new Set());
        return;
      case 'select-all': this.#select(new Set(g.nodes.map((n) => n.id))); return;
      case 'clear-selection': this.connectFrom = undefined; this.#select(new Set()); return;
      case 'nudge-left': case 'nudge-right': case 'nudge-up': case 'nudge-down': {
        if (this.selection.size === 0) return;
        const [dx, dy] = { 'nudge-left': [-step, 0], 'nudge-right': [step, 0], 'nudge-up': [0, -step], 'nudge-down': [0, step] }[command];
        this.#apply(nudgeNodes(g, this.selection, dx!, dy!), 'move');
        return;
      }
      case 'start-connect':
        if (this.selection.size === 1) this.connectFrom = [...this.selection][0];
        else this.#say('warn', 'Select exactly one node, then press C to connect it.');
        return;
      case 'zoom-in': this.canvas.zoomBy(1.2); return;
      case 'zoom-out': this.canvas.zoomBy(1 / 1.2); return;
      case 'zoom-fit': this.canvas.zoomToFit(); return;
      case 'layout': {
        const started = performance.now();
        this.#apply({ ...g, layout: autoLayout(g) }, 'auto-layout');
        this.#say('ok', `Laid out ${g.nodes.length} nodes in ${Math.round(performance.now() - started)} ms.`);
        void this.updateComplete.then(() => this.canvas.zoomToFit());
        return;
      }
      case 'save': void this.#save(); return;
      default: return;
    }
  }

  async #check(): Promise<void> {
    const local = validateGraph(this.graph);
    let errors = local.errors;
    try {
      const server = await portalApi.validate(this.project, this.graph);
      errors = server.errors;
    } catch (err) {
      if (!(err instanceof ApiError && err.missingRoute)) this.#say('warn', `Server check failed (${(err as Error).message}); showing the local check.`);
    }
    this.problems = errors;
    this.panel = errors.length ? 'problems' : this.panel;
    if (errors.length === 0) this.#say('ok', 'The flow is valid.');
    else if (this.message?.kind !== 'warn') this.#say('error', `${errors.length} problem(s): see the Problems tab; affected nodes are outlined in red.`);
  }

  async #save(): Promise<void> {
    const graph = this.graph;
    const comment = this.renderRoot.querySelector<HTMLInputElement>('#comment')?.value.trim();
    this.saving = true;
    try {
      const saved = this.#template
        // The version this editor holds: the server refuses the save if someone saved another since.
        ? await portalApi.saveTemplate(this.project, this.#template.id, { graph, name: graph.name, baseVersion: this.#template.latestVersion, ...(comment ? { comment } : {}) })
        : await portalApi.createTemplate(this.project, { name: graph.name, graph });
      const isNew = !this.#template;
      this.#template = { ...saved, graph };
      this.#savedGraph = graph;
      this.problems = [];
      this.savedRevision += 1;
      this.#say('ok', `Saved ${graph.name} as version ${saved.latestVersion}.`);
      const commentField = this.renderRoot.querySelector<HTMLInputElement>('#comment');
      if (commentField) commentField.value = '';
      if (isNew) {
        // Keep this editor (and its undo history) while the route moves to the saved template.
        // The move goes through a hash change, so the app's route follows too: a route left at
        // "new" would hand a re-rendered editor an unsaved flow, and its next save a duplicate.
        this.#loadedKey = `${this.project}/${saved.id}`;
        this.templateId = saved.id;
        location.replace(routeHash({ page: 'flow-editor', project: this.project, id: saved.id }));
      }
    } catch (err) {
      if (err instanceof ApiError && err.code === 'template_changed') {
        // Saving over it would discard the other editor's version: say who saved what, offer theirs.
        this.#say('error', `Not saved: ${err.message}. Reloading discards your unsaved changes; Export JSON keeps a copy first.`);
        this.message = { ...this.message!, action: { label: 'Reload latest version', run: () => void this.#reloadLatest() } };
      } else if (err instanceof ApiError && err.missingRoute) {
        this.#say('warn', 'Saving needs the templates API, which this server does not offer yet. Your drawing stays in this tab; use Export JSON to keep a copy.');
      } else if (err instanceof ApiError && err.errors.some((e) => e.rule)) {
        this.problems = err.errors.map((e) => ({ rule: (e.rule ?? 'invalid_shape') as GraphError['rule'], message: e.message, ...(e.nodeId ? { nodeId: e.nodeId } : {}), ...(e.flowId ? { flowId: e.flowId } : {}) }));
        this.panel = 'problems';
        this.#say('error', `Not saved: ${err.errors.length} problem(s) in the flow. Affected nodes are outlined in red.`);
      } else {
        // Any other refusal (a request field such as the name, a conflict) is said as the server put it, naming its field.
        this.#say('error', `Not saved: ${(err as Error).message}`);
      }
    } finally {
      this.saving = false;
    }
  }

  #download(): void {
    // The document the flows list's Import JSON… takes (a bare graph was refused there).
    const t = this.#template;
    const doc = flowDocument(this.graph, t ? { description: t.description, ...(this.graph === this.#savedGraph ? { source: { templateId: t.id, version: t.latestVersion } } : {}) } : {});
    const blob = new Blob([JSON.stringify(doc, null, 2)], { type: 'application/json' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `${this.graph.name.replace(/[^\w-]+/g, '_') || 'flow'}.opsloom-flow.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  }

  /** Reads a fragment pasted from the system clipboard. @internal used by the e2e test */
  pasteText(text: string): boolean {
    const clip = parseClipboard(text);
    if (clip) this.#clipboard = clip;
    return Boolean(clip);
  }
}

const TAB_LABELS: Record<Panel, string> = { inspect: 'Inspector', variables: 'Variables', versions: 'Versions', problems: 'Problems' };

function errorMap(errors: GraphError[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const e of errors) {
    for (const id of [e.nodeId, e.flowId]) {
      if (!id) continue;
      if (!map.has(id)) map.set(id, []);
      map.get(id)!.push(e.message);
    }
  }
  return map;
}
