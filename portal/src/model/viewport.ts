/**
 * Pan and zoom of the canvas as plain arithmetic: the canvas shows `world` coordinates scaled
 * by `zoom` and shifted by `(x, y)` screen pixels.
 */
import type { Position } from '@opsloom/core/model';

/** Screen = world × zoom + (x, y). */
export interface Viewport {
  x: number;
  y: number;
  zoom: number;
}

/** Zoom limits. */
export const MIN_ZOOM = 0.1;
export const MAX_ZOOM = 2.5;

/** Clamps a zoom factor to the allowed range. */
export function clampZoom(z: number): number {
  return Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, z));
}

/** Zooms by `factor` keeping the screen point `at` fixed (the mouse position, or the centre). */
export function zoomAt(v: Viewport, factor: number, at: Position): Viewport {
  const zoom = clampZoom(v.zoom * factor);
  const k = zoom / v.zoom;
  return { zoom, x: at.x - (at.x - v.x) * k, y: at.y - (at.y - v.y) * k };
}

/** The world point under a screen point. */
export function toWorld(v: Viewport, screen: Position): Position {
  return { x: (screen.x - v.x) / v.zoom, y: (screen.y - v.y) / v.zoom };
}

/**
 * The viewport that shows every node of `positions` (each `nodeSize` large) inside a screen of
 * `width` × `height`, with `padding`; never zooms in past 1.
 */
export function fitViewport(positions: Position[], width: number, height: number, nodeSize = { w: 180, h: 64 }, padding = 40): Viewport {
  if (positions.length === 0 || width <= 0 || height <= 0) return { x: 0, y: 0, zoom: 1 };
  const minX = Math.min(...positions.map((p) => p.x));
  const minY = Math.min(...positions.map((p) => p.y));
  const maxX = Math.max(...positions.map((p) => p.x)) + nodeSize.w;
  const maxY = Math.max(...positions.map((p) => p.y)) + nodeSize.h;
  const zoom = clampZoom(Math.min(1, (width - 2 * padding) / (maxX - minX), (height - 2 * padding) / (maxY - minY)));
  return {
    zoom,
    x: (width - (maxX - minX) * zoom) / 2 - minX * zoom,
    y: (height - (maxY - minY) * zoom) / 2 - minY * zoom,
  };
}
