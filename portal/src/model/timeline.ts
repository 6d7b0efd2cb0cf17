/**
 * The Gantt timeline of a task: one bar per node that has started, placed on a shared time axis.
 */
import type { Task } from './task-types.js';

/** One bar of the timeline. Offsets are fractions (0–1) of the axis. */
export interface TimelineBar {
  nodeId: string;
  label: string;
  state: string;
  startMs: number;
  endMs: number;
  /** True while the node still runs (the bar ends at `now`). */
  open: boolean;
  offset: number;
  width: number;
}

/** The result of {@link buildTimeline}. */
export interface Timeline {
  startMs: number;
  endMs: number;
  bars: TimelineBar[];
}

/**
 * Bars for every started node, in start order.
 *
 * @example
 * buildTimeline(task, Date.now()).bars.map((b) => [b.label, b.endMs - b.startMs])
 */
export function buildTimeline(task: Pick<Task, 'graph' | 'nodes'>, now: number): Timeline {
  const names = new Map(task.graph.nodes.map((n) => [n.id, n.name || n.id]));
  const raw = Object.entries(task.nodes)
    .filter(([, run]) => run.startedAt)
    .map(([nodeId, run]) => {
      const startMs = Date.parse(run.startedAt!);
      const finished = run.finishedAt ? Date.parse(run.finishedAt) : NaN;
      const open = Number.isNaN(finished);
      return { nodeId, label: names.get(nodeId) ?? nodeId, state: run.state, startMs, endMs: open ? Math.max(now, startMs) : Math.max(finished, startMs), open };
    })
    .filter((b) => !Number.isNaN(b.startMs))
    .sort((a, b) => a.startMs - b.startMs || a.nodeId.localeCompare(b.nodeId));
  if (raw.length === 0) return { startMs: now, endMs: now, bars: [] };
  const startMs = Math.min(...raw.map((b) => b.startMs));
  const endMs = Math.max(...raw.map((b) => b.endMs));
  const span = Math.max(1, endMs - startMs);
  return {
    startMs, endMs,
    bars: raw.map((b) => ({ ...b, offset: (b.startMs - startMs) / span, width: Math.max(0.004, (b.endMs - b.startMs) / span) })),
  };
}

/** `1234` → `1.2 s`, `75000` → `1 min 15 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const min = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return s ? `${min} min ${s} s` : `${min} min`;
}
