/**
 * The canvas renderer contract. The editor and the task monitor speak only this interface, so
 * the canvas library (jsPlumb today) can be swapped without touching the flow model or the pages
 * (STYLE habit 5).
 */
import type { FlowGraph, Position } from '@opsloom/core/model';

/** What the renderer draws: the graph plus view decorations. */
export interface RenderInput {
  graph: FlowGraph;
  selectedNodes: ReadonlySet<string>;
  selectedFlow?: string | undefined;
  /** Problems by node or flow id (shown as a red outline and a tooltip). */
  errors: ReadonlyMap<string, string[]>;
  /** Run states by node id (task monitor colours). */
  states?: Readonly<Record<string, string>> | undefined;
  /** Nodes left out of a task (drawn faded). */
  excluded?: ReadonlySet<string> | undefined;
}

/** What the renderer reports back; all positions are world (unzoomed) coordinates. */
export interface RendererCallbacks {
  /** A drag of one or more nodes ended. */
  nodesMoved(moves: Record<string, Position>): void;
  /**
   * The user dropped a new connection. Return undefined to accept (the model then adds the flow
   * and the next {@link FlowRenderer.update} draws it), or the reason it is refused.
   */
  connect(source: string, target: string): string | undefined;
  /** A node was clicked (`additive` with Shift/Ctrl/Meta). */
  selectNode(id: string, additive: boolean): void;
  /** A flow was clicked. */
  selectFlow(id: string): void;
  /** A node was double-clicked (open its details). */
  activateNode?(id: string): void;
}

/** Options fixed when mounting. */
export interface RendererOptions {
  /** Nodes can be dragged and connected. @default true */
  editable?: boolean;
}

/** A canvas implementation. */
export interface FlowRenderer {
  /** Takes over `world`: the element that holds nodes and connections (it must be `position: relative`). */
  mount(world: HTMLElement, callbacks: RendererCallbacks, options?: RendererOptions): void;
  /** Brings the drawing in line with `input`, touching only what changed. */
  update(input: RenderInput): void;
  /** Tells the renderer the CSS zoom applied to `world`, so drags track the pointer. */
  setZoom(zoom: number): void;
  /** The element drawn for a node (for focus and scrolling). */
  nodeElement(id: string): HTMLElement | undefined;
  destroy(): void;
}
