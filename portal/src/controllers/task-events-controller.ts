/**
 * Follows a task over Server-Sent Events while the host is connected. The browser's
 * EventSource reconnects by itself after a dropped connection, but not after the server refused
 * one (a 401 once the session ended, a 404): `state` tells the host which, and `onRefused` lets
 * it find out why. Core sends named events: `snapshot` (every node's state, on each (re)connect)
 * and `transition` (one change); both reach `onEvent` as task events.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { snapshotEvents, type TaskEvent, type TaskSnapshot } from '../model/task-types.js';

/** `live`: updates flow; `reconnecting`: the browser is trying again; `refused`: closed for good. */
export type TaskEventsState = 'reconnecting' | 'live' | 'refused';

export class TaskEventsController implements ReactiveController {
  state: TaskEventsState = 'reconnecting';
  #source: EventSource | undefined;
  #url: string | undefined;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly onEvent: (e: TaskEvent) => void,
    private readonly onRefused: () => void = () => undefined,
  ) {
    host.addController(this);
  }

  /** True while updates are flowing. */
  get live(): boolean {
    return this.state === 'live';
  }

  /** Starts following `url` (or stops, for undefined). */
  follow(url: string | undefined): void {
    if (url === this.#url) return;
    this.#close();
    this.#url = url;
    if (url && (this.host as unknown as { isConnected?: boolean }).isConnected !== false) this.#open();
  }

  hostConnected(): void {
    if (this.#url && !this.#source) this.#open();
  }

  hostDisconnected(): void {
    this.#close();
  }

  #open(): void {
    const source = new EventSource(this.#url!, { withCredentials: true });
    this.#source = source;
    source.onopen = () => {
      this.state = 'live';
      this.host.requestUpdate();
    };
    source.onerror = () => {
      this.state = source.readyState === EventSource.CLOSED ? 'refused' : 'reconnecting';
      this.host.requestUpdate();
      if (this.state === 'refused') this.onRefused();
    };
    const deliver = (read: (data: unknown) => TaskEvent[]) => (m: MessageEvent<string>) => {
      let events: TaskEvent[];
      try {
        events = read(JSON.parse(m.data));
      } catch {
        return; // a malformed event is dropped; the next snapshot corrects the view
      }
      for (const e of events) this.onEvent(e);
    };
    source.addEventListener('transition', deliver((d) => [d as TaskEvent]));
    source.addEventListener('snapshot', deliver((d) => snapshotEvents(d as TaskSnapshot)));
    // Unnamed events, should a server send them, carry one transition.
    source.onmessage = deliver((d) => [d as TaskEvent]);
  }

  #close(): void {
    this.#source?.close();
    this.#source = undefined;
    this.state = 'reconnecting';
  }
}
