/**
 * `<ol-flow-canvas>`: the drawing surface shared by the editor and the task monitor. It owns the
 * viewport (pan, zoom, zoom-to-fit, rubber-band selection, palette drops) and delegates drawing
 * to a {@link FlowRenderer}; it never edits the graph itself, it only reports what the user did.
 */
import { LitElement, html } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import type { FlowGraph, Position } from '@opsloom/core/model';
import type { FlowRenderer } from '../canvas/renderer.js';
import { JsPlumbRenderer } from '../canvas/jsplumb-renderer.js';
import { fitViewport, toWorld, zoomAt, type Viewport } from '../model/viewport.js';
import { canvasStyles } from './canvas-styles.js';

/** The MIME type palette items use for drag and drop. */
export const PALETTE_MIME = 'application/x-opsloom-node';

/** Detail of `connect-request`; a listener sets `reason` to refuse. */
export interface ConnectRequest {
  source: string;
  target: string;
  reason?: string | undefined;
}

@customElement('ol-flow-canvas')
export class FlowCanvas extends LitElement {
  static override styles = canvasStyles;

  @property({ attribute: false }) graph: FlowGraph | undefined;
  @property({ attribute: false }) selectedNodes: ReadonlySet<string> = new Set();
  @property({ attribute: false }) selectedFlow: string | undefined;
  @property({ attribute: false }) errors: ReadonlyMap<string, string[]> = new Map();
  @property({ attribute: false }) states: Readonly<Record<string, string>> | undefined;
  @property({ attribute: false }) excluded: ReadonlySet<string> | undefined;
  @property({ type: Boolean }) editable = true;
  @property() label = 'Flow canvas';

  @query('.viewport') private viewportEl!: HTMLElement;
  @query('.world') private worldEl!: HTMLElement;
  @query('.marquee') private marqueeEl!: HTMLElement;

  #renderer: FlowRenderer = new JsPlumbRenderer();
  #view: Viewport = { x: 0, y: 0, zoom: 1 };
  #gesture: { kind: 'pan' | 'select'; start: Position; origin: Viewport; additive: boolean } | undefined;

  /** The current zoom factor. */
  get zoom(): number {
    return this.#view.zoom;
  }

  override render() {
    return html`<div class="viewport" tabindex="0" role="application" aria-label=${this.label}
        aria-roledescription="flow canvas"
        @pointerdown=${this.#pointerDown} @pointermove=${this.#pointerMove} @pointerup=${this.#pointerUp}
        @wheel=${this.#wheel} @dragover=${this.#dragOver} @drop=${this.#drop}>
        <div class="world"></div>
        <div class="marquee" hidden></div>
      </div>`;
  }

  protected override firstUpdated(): void {
    this.#renderer.mount(this.worldEl, {
      nodesMoved: (moves) => this.#emit('nodes-moved', { moves }),
      connect: (source, target) => {
        const detail: ConnectRequest = { source, target };
        this.#emit('connect-request', detail);
        return detail.reason;
      },
      selectNode: (id, additive) => this.#emit('select-node', { id, additive }),
      selectFlow: (id) => this.#emit('select-flow', { id }),
      activateNode: (id) => this.#emit('activate-node', { id }),
    }, { editable: this.editable });
    this.#apply();
  }

  protected override updated(): void {
    if (!this.graph) return;
    this.#renderer.update({
      graph: this.graph, selectedNodes: this.selectedNodes, selectedFlow: this.selectedFlow,
      errors: this.errors, states: this.states, excluded: this.excluded,
    });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#renderer.destroy();
    this.#renderer = new JsPlumbRenderer();
    this.#rendererNeedsMount = true;
  }

  #rendererNeedsMount = false;

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.#rendererNeedsMount && this.hasUpdated) {
      this.#rendererNeedsMount = false;
      this.worldEl.replaceChildren();
      this.firstUpdated();
      this.requestUpdate();
    }
  }

  /** Zooms by a factor around the centre of the view. */
  zoomBy(factor: number): void {
    const r = this.getBoundingClientRect();
    this.#view = zoomAt(this.#view, factor, { x: r.width / 2, y: r.height / 2 });
    this.#apply();
  }

  /** Shows the whole flow. */
  zoomToFit(): void {
    const positions = Object.values(this.graph?.layout ?? {});
    const r = this.getBoundingClientRect();
    this.#view = fitViewport(positions, r.width, r.height);
    this.#apply();
  }

  /** The world point at the centre of the view (where keyboard-added nodes go). */
  centre(): Position {
    const r = this.getBoundingClientRect();
    return toWorld(this.#view, { x: r.width / 2 - 90, y: r.height / 2 - 28 });
  }

  /** Moves keyboard focus to a node's element. */
  focusNode(id: string): void {
    this.#renderer.nodeElement(id)?.focus();
  }

  /** Focuses the canvas itself. */
  override focus(): void {
    this.viewportEl?.focus();
  }

  #apply(): void {
    if (!this.worldEl) return;
    const v = this.#view;
    this.worldEl.style.transform = `translate(${v.x}px, ${v.y}px) scale(${v.zoom})`;
    this.#renderer.setZoom(v.zoom);
    this.#emit('viewport-change', { zoom: v.zoom });
  }

  #isBackground(e: Event): boolean {
    const t = e.composedPath()[0];
    return t === this.viewportEl || t === this.worldEl;
  }

  #pointerDown(e: PointerEvent): void {
    if (e.button !== 0 || !this.#isBackground(e)) return;
    const r = this.viewportEl.getBoundingClientRect();
    const start = { x: e.clientX - r.left, y: e.clientY - r.top };
    const kind = e.shiftKey && this.editable ? 'select' : 'pan';
    this.#gesture = { kind, start, origin: { ...this.#view }, additive: e.ctrlKey || e.metaKey };
    this.viewportEl.setPointerCapture(e.pointerId);
    if (kind === 'pan') this.viewportEl.classList.add('panning');
  }

  #pointerMove(e: PointerEvent): void {
    const g = this.#gesture;
    if (!g) return;
    const r = this.viewportEl.getBoundingClientRect();
    const at = { x: e.clientX - r.left, y: e.clientY - r.top };
    if (g.kind === 'pan') {
      this.#view = { ...g.origin, x: g.origin.x + at.x - g.start.x, y: g.origin.y + at.y - g.start.y };
      this.worldEl.style.transform = `translate(${this.#view.x}px, ${this.#view.y}px) scale(${this.#view.zoom})`;
    } else {
      const m = this.marqueeEl;
      m.hidden = false;
      m.style.left = `${Math.min(at.x, g.start.x)}px`;
      m.style.top = `${Math.min(at.y, g.start.y)}px`;
      m.style.width = `${Math.abs(at.x - g.start.x)}px`;
      m.style.height = `${Math.abs(at.y - g.start.y)}px`;
    }
  }

  #pointerUp(e: PointerEvent): void {
    const g = this.#gesture;
    if (!g) return;
    this.#gesture = undefined;
    this.viewportEl.classList.remove('panning');
    const r = this.viewportEl.getBoundingClientRect();
    const at = { x: e.clientX - r.left, y: e.clientY - r.top };
    const moved = Math.abs(at.x - g.start.x) + Math.abs(at.y - g.start.y) > 3;
    if (g.kind === 'select') {
      this.marqueeEl.hidden = true;
      const a = toWorld(this.#view, g.start);
      const b = toWorld(this.#view, at);
      const [x0, x1, y0, y1] = [Math.min(a.x, b.x), Math.max(a.x, b.x), Math.min(a.y, b.y), Math.max(a.y, b.y)];
      const ids = (this.graph?.nodes ?? []).filter((n) => {
        const el = this.#renderer.nodeElement(n.id);
        const p = this.graph?.layout?.[n.id];
        if (!el || !p) return false;
        return p.x < x1 && p.x + el.offsetWidth > x0 && p.y < y1 && p.y + el.offsetHeight > y0;
      }).map((n) => n.id);
      this.#emit('select-area', { ids, additive: g.additive || e.shiftKey });
    } else if (!moved) {
      this.#emit('clear-selection', {});
    }
  }

  #wheel(e: WheelEvent): void {
    e.preventDefault();
    const r = this.viewportEl.getBoundingClientRect();
    this.#view = zoomAt(this.#view, Math.exp(-e.deltaY * 0.0015), { x: e.clientX - r.left, y: e.clientY - r.top });
    this.#apply();
  }

  #dragOver(e: DragEvent): void {
    if (!this.editable || !e.dataTransfer?.types.includes(PALETTE_MIME)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
  }

  #drop(e: DragEvent): void {
    const data = e.dataTransfer?.getData(PALETTE_MIME);
    if (!this.editable || !data) return;
    e.preventDefault();
    const r = this.viewportEl.getBoundingClientRect();
    const at = toWorld(this.#view, { x: e.clientX - r.left - 90, y: e.clientY - r.top - 28 });
    this.#emit('palette-drop', { data, at });
  }

  #emit(name: string, detail: unknown): void {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ol-flow-canvas': FlowCanvas;
  }
}
