/**
 * sleep-timer: waits for a duration or until a date-time. The state is the deadline itself, so a
 * core restart (or a poll arriving early or late) changes nothing: each poll compares now with it.
 */
import { definePlugin, type Deferral, type PluginContext } from '@opsloom/plugin-sdk';
import { PluginFailure } from '@opsloom/plugin-sdk';

/** Inputs, as the manifest's schema describes them. */
interface Inputs {
  seconds?: number;
  until?: string;
  maxPollSeconds?: number;
}

/** The poll state: when to wake up, and how often to check. */
interface SleepState {
  deadline: number;
  maxPollMs: number;
  startedAt: number;
}

interface Outputs {
  [key: string]: unknown;
  startedAt: string;
  deadline: string;
  wokeAt: string;
  sleptSeconds: number;
}

/** An ISO 8601 date-time with an explicit offset: a wall-clock time without a zone is ambiguous. */
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const MAX_SLEEP_MS = 366 * 24 * 3600 * 1000;

function deadlineOf(inputs: Inputs, now: number): number {
  if ((inputs.seconds === undefined) === (inputs.until === undefined)) {
    throw new PluginFailure('SLEEP_INPUT_INVALID', 'give exactly one of seconds (a duration) or until (an ISO date-time like 2025-06-01T02:00:00+08:00)');
  }
  if (inputs.seconds !== undefined) return now + Math.round(inputs.seconds * 1000);
  const until = inputs.until as string;
  const at = ISO_WITH_ZONE.test(until) ? Date.parse(until) : NaN;
  if (Number.isNaN(at)) {
    throw new PluginFailure('SLEEP_INPUT_INVALID', `until "${until}" is not an ISO 8601 date-time with a zone, e.g. 2025-06-01T02:00:00Z or 2025-06-01T10:00:00+08:00`);
  }
  if (at - now > MAX_SLEEP_MS) throw new PluginFailure('SLEEP_TOO_LONG', `until "${until}" is more than 366 days away`);
  return at;
}

function wakeOrWait(state: SleepState, ctx: PluginContext): Outputs | Deferral {
  const now = Date.now();
  if (now >= state.deadline) {
    return {
      startedAt: new Date(state.startedAt).toISOString(),
      deadline: new Date(state.deadline).toISOString(),
      wokeAt: new Date(now).toISOString(),
      sleptSeconds: Math.round((now - state.startedAt) / 1000),
    };
  }
  // Short checks near the deadline, capped checks far from it: the engine's timer may drift.
  return ctx.poll(state, Math.max(0, Math.min(state.maxPollMs, state.deadline - now)));
}

export default definePlugin<Inputs, Outputs, SleepState>({
  execute(inputs, ctx) {
    const now = Date.now();
    const state: SleepState = { deadline: deadlineOf(inputs, now), maxPollMs: (inputs.maxPollSeconds ?? 60) * 1000, startedAt: now };
    ctx.log.info(`sleeping until ${new Date(state.deadline).toISOString()}`);
    return wakeOrWait(state, ctx);
  },
  poll(state, ctx) {
    return wakeOrWait(state, ctx);
  },
});
