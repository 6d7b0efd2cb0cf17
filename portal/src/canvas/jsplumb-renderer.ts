/**
 * {@link FlowRenderer} on jsPlumb (`@jsplumb/browser-ui` 6). Nodes are absolutely positioned
 * divs; every node has one input endpoint (left) and one output endpoint (right). jsPlumb is
 * given element references, never ids, because ids are invisible from inside a shadow root.
 */
import {
  newInstance, EVENT_CONNECTION_CLICK, EVENT_DRAG_STOP, INTERCEPT_BEFORE_DROP,
  type BrowserJsPlumbInstance, type Connection, type Endpoint, type BeforeDropParams, type DragStopPayload,
} from '@jsplumb/browser-ui';
import type { FlowEdge, FlowNode, Position } from '@opsloom/core/model';
import { NODE_KINDS, isCompactKind } from '../model/node-kinds.js';
import type { FlowRenderer, RenderInput, RendererCallbacks, RendererOptions } from './renderer.js';

interface DrawnNode {
  node: FlowNode;
  el: HTMLElement;
  input?: Endpoint;
  output?: Endpoint;
  key: string;
}

interface DrawnFlow {
  flow: FlowEdge;
  connection: Connection;
  key: string;
}

const ARROW = { type: 'Arrow', options: { location: 1, width: 10, length: 10 } } as const;

/** The jsPlumb canvas. */
export class JsPlumbRenderer implements FlowRenderer {
  #jsp: BrowserJsPlumbInstance | undefined;
  #world: HTMLElement | undefined;
  #callbacks: RendererCallbacks | undefined;
  #editable = true;
  #nodes = new Map<string, DrawnNode>();
  #flows = new Map<string, DrawnFlow>();
  #flowByConnection = new Map<string, string>();
  #selected = new Set<string>();
  #onClick = (e: MouseEvent): void => this.#click(e);
  #onDblClick = (e: MouseEvent): void => {
    const id = nodeIdOf(e);
    if (id) this.#callbacks?.activateNode?.(id);
  };

  mount(world: HTMLElement, callbacks: RendererCallbacks, options: RendererOptions = {}): void {
    this.#world = world;
    this.#callbacks = callbacks;
    this.#editable = options.editable ?? true;
    const jsp = newInstance({
      container: world,
      elementsDraggable: this.#editable,
      resizeObserver: false,
      connector: { type: 'Bezier', options: { curviness: 60 } },
      paintStyle: { stroke: '#64748b', strokeWidth: 2 },
      hoverPaintStyle: { stroke: '#2563eb', strokeWidth: 3 },
      endpointStyle: { fill: '#94a3b8', radius: 6 },
      dragOptions: { cursor: 'grabbing' },
    });
    this.#jsp = jsp;
    jsp.bind(INTERCEPT_BEFORE_DROP, (p: BeforeDropParams) => {
      const source = (p.connection.source as HTMLElement).dataset.id;
      const target = (p.dropEndpoint.element as HTMLElement).dataset.id;
      if (source && target) callbacks.connect(source, target);
      // The model decides; an accepted flow comes back through update() with its own id.
      return false;
    });
    jsp.bind(EVENT_DRAG_STOP, (p: DragStopPayload) => {
      const moves: Record<string, Position> = {};
      for (const d of p.elements) {
        const el = d.el as unknown as HTMLElement;
        if (el.dataset.id) moves[el.dataset.id] = { x: el.offsetLeft, y: el.offsetTop };
      }
      if (Object.keys(moves).length > 0) callbacks.nodesMoved(moves);
    });
    jsp.bind(EVENT_CONNECTION_CLICK, (c: Connection) => {
      const id = this.#flowByConnection.get(c.id);
      if (id) callbacks.selectFlow(id);
    });
    world.addEventListener('click', this.#onClick);
    world.addEventListener('dblclick', this.#onDblClick);
  }

  update(input: RenderInput): void {
    const jsp = this.#jsp;
    if (!jsp) return;
    const bulk = this.#nodes.size === 0 || Math.abs(input.graph.nodes.length - this.#nodes.size) > 20;
    if (bulk) jsp.setSuspendDrawing(true);
    try {
      this.#syncNodes(input);
      this.#syncFlows(input);
      this.#syncSelection(input.selectedNodes);
    } finally {
      if (bulk) jsp.setSuspendDrawing(false, true);
    }
  }

  setZoom(zoom: number): void {
    this.#jsp?.setZoom(zoom);
  }

  nodeElement(id: string): HTMLElement | undefined {
    return this.#nodes.get(id)?.el;
  }

  destroy(): void {
    this.#world?.removeEventListener('click', this.#onClick);
    this.#world?.removeEventListener('dblclick', this.#onDblClick);
    this.#jsp?.destroy();
    this.#jsp = undefined;
    this.#nodes.clear();
    this.#flows.clear();
  }

  #syncNodes(input: RenderInput): void {
    const jsp = this.#jsp!;
    const seen = new Set<string>();
    for (const node of input.graph.nodes) {
      seen.add(node.id);
      const pos = input.graph.layout?.[node.id] ?? { x: 40, y: 40 };
      const errors = input.errors.get(node.id);
      const state = input.states?.[node.id];
      const key = JSON.stringify([node.type, node.name, pluginOf(node), errors, state, input.excluded?.has(node.id)]);
      let drawn = this.#nodes.get(node.id);
      if (drawn && drawn.node.type !== node.type) {
        this.#removeNode(drawn);
        drawn = undefined;
      }
      if (!drawn) {
        drawn = this.#createNode(node, pos);
        this.#nodes.set(node.id, drawn);
      }
      drawn.node = node;
      const el = drawn.el;
      if (el.offsetLeft !== pos.x || el.offsetTop !== pos.y) {
        el.style.left = `${pos.x}px`;
        el.style.top = `${pos.y}px`;
        jsp.revalidate(el);
      }
      if (drawn.key !== key) {
        drawn.key = key;
        paintNode(el, node, errors, state, input.excluded?.has(node.id) ?? false);
      }
    }
    for (const [id, drawn] of this.#nodes) if (!seen.has(id)) this.#removeNode(drawn);
  }

  #createNode(node: FlowNode, pos: Position): DrawnNode {
    const jsp = this.#jsp!;
    const el = document.createElement('div');
    el.style.left = `${pos.x}px`;
    el.style.top = `${pos.y}px`;
    el.dataset.id = node.id;
    el.tabIndex = 0;
    el.setAttribute('role', 'button');
    el.className = `node node--${node.type}${isCompactKind(node.type) ? ' node--compact' : ''}`;
    this.#world!.appendChild(el);
    paintNode(el, node, undefined, undefined, false);
    jsp.manage(el);
    const drawn: DrawnNode = { node, el, key: '' };
    const common = { maxConnections: -1, endpoint: { type: 'Dot', options: { radius: this.#editable ? 6 : 2 } } } as const;
    if (node.type !== 'start') {
      drawn.input = jsp.addEndpoint(el, { ...common, anchor: 'Left', target: this.#editable, source: false, cssClass: `ep-in ep-in-${node.id}` });
    }
    if (node.type !== 'end') {
      drawn.output = jsp.addEndpoint(el, {
        ...common, anchor: 'Right', source: this.#editable, target: false, cssClass: `ep-out ep-out-${node.id}`,
        connectorOverlays: [ARROW],
      });
    }
    return drawn;
  }

  #removeNode(drawn: DrawnNode): void {
    for (const [id, f] of this.#flows) {
      if (f.flow.source === drawn.node.id || f.flow.target === drawn.node.id) this.#removeFlow(id);
    }
    this.#jsp!.unmanage(drawn.el, true);
    drawn.el.remove();
    this.#nodes.delete(drawn.node.id);
    this.#selected.delete(drawn.node.id);
  }

  #syncFlows(input: RenderInput): void {
    const jsp = this.#jsp!;
    const seen = new Set<string>();
    for (const flow of input.graph.flows) {
      const source = this.#nodes.get(flow.source);
      const target = this.#nodes.get(flow.target);
      if (!source?.output || !target?.input) continue;
      seen.add(flow.id);
      const errors = input.errors.get(flow.id);
      const selected = input.selectedFlow === flow.id;
      const key = JSON.stringify([flow.source, flow.target, flow.condition, flow.default, errors, selected]);
      const drawn = this.#flows.get(flow.id);
      if (drawn && drawn.key === key) continue;
      if (drawn) this.#removeFlow(flow.id);
      const label = flow.default ? 'default' : flow.condition ? (flow.condition.name || flow.condition.expression) : '';
      const connection = jsp.connect({
        source: source.output, target: target.input, detachable: false,
        cssClass: `flow flow-${flow.id}${errors ? ' flow--error' : ''}${selected ? ' flow--selected' : ''}`,
        paintStyle: { stroke: errors ? '#dc2626' : selected ? '#2563eb' : '#64748b', strokeWidth: selected ? 3 : 2 },
        overlays: label
          ? [ARROW, { type: 'Label', options: { label: truncate(label, 28), location: 0.5, cssClass: `flow-label${flow.default ? ' flow-label--default' : ''}` } }]
          : [ARROW],
      });
      this.#flows.set(flow.id, { flow, connection, key });
      this.#flowByConnection.set(connection.id, flow.id);
    }
    for (const id of [...this.#flows.keys()]) if (!seen.has(id)) this.#removeFlow(id);
  }

  #removeFlow(id: string): void {
    const drawn = this.#flows.get(id);
    if (!drawn) return;
    this.#flowByConnection.delete(drawn.connection.id);
    this.#jsp!.deleteConnection(drawn.connection, { force: true, fireEvent: false });
    this.#flows.delete(id);
  }

  #syncSelection(selected: ReadonlySet<string>): void {
    const jsp = this.#jsp!;
    let changed = selected.size !== this.#selected.size;
    for (const id of selected) if (!this.#selected.has(id)) changed = true;
    if (!changed) return;
    for (const id of this.#selected) this.#nodes.get(id)?.el.classList.remove('node--selected');
    this.#selected = new Set(selected);
    jsp.clearDragSelection();
    const els: HTMLElement[] = [];
    for (const id of selected) {
      const el = this.#nodes.get(id)?.el;
      if (!el) continue;
      el.classList.add('node--selected');
      el.setAttribute('aria-pressed', 'true');
      els.push(el);
    }
    for (const d of this.#nodes.values()) if (!selected.has(d.node.id)) d.el.setAttribute('aria-pressed', 'false');
    if (this.#editable && els.length > 1) jsp.addToDragSelection(...els);
  }

  #click(e: MouseEvent): void {
    const id = nodeIdOf(e);
    if (id) this.#callbacks?.selectNode(id, e.shiftKey || e.ctrlKey || e.metaKey);
  }
}

function nodeIdOf(e: Event): string | undefined {
  for (const t of e.composedPath()) {
    if (t instanceof HTMLElement && t.classList.contains('node') && t.dataset.id) return t.dataset.id;
  }
  return undefined;
}

function pluginOf(node: FlowNode): string {
  if (node.type === 'task') return node.plugin.name ? `${node.plugin.name}@${node.plugin.version}` : 'choose a plugin';
  if (node.type === 'subflow') return node.template.id ? `template ${node.template.id}` : 'choose a template';
  return '';
}

function paintNode(el: HTMLElement, node: FlowNode, errors: string[] | undefined, state: string | undefined, excluded: boolean): void {
  const kind = NODE_KINDS.find((k) => k.type === node.type);
  const name = node.name || node.id;
  el.replaceChildren();
  const glyph = document.createElement('span');
  glyph.className = 'glyph';
  glyph.textContent = kind?.glyph ?? '?';
  glyph.setAttribute('aria-hidden', 'true');
  el.appendChild(glyph);
  const label = document.createElement('span');
  label.className = 'label';
  label.textContent = name;
  el.appendChild(label);
  const sub = pluginOf(node);
  if (sub) {
    const s = document.createElement('span');
    s.className = 'sub';
    s.textContent = sub;
    el.appendChild(s);
  }
  el.classList.toggle('node--error', Boolean(errors?.length));
  el.classList.toggle('node--excluded', excluded);
  for (const c of [...el.classList]) if (c.startsWith('state--')) el.classList.remove(c);
  if (state) el.classList.add(`state--${state}`);
  const parts = [`${kind?.label ?? node.type} ${name}`, sub, state ? `state ${state}` : '', excluded ? 'excluded' : '', errors?.length ? `problems: ${errors.join('; ')}` : ''];
  el.setAttribute('aria-label', parts.filter(Boolean).join(', '));
  el.title = errors?.length ? errors.join('\n') : `${name}${sub ? `\n${sub}` : ''}${state ? `\n${state}` : ''}`;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
