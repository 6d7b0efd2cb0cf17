/**
 * Follows a task over Server-Sent Events while the host is connected. The browser's
 * EventSource reconnects by itself; `live` tells the host whether updates are flowing.
 * Core sends named events: `snapshot` (every node's state, on each (re)connect) and
 * `transition` (one change); both reach `onEvent` as task events.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { snapshotEvents, type TaskEvent, type TaskSnapshot } from '../model/task-types.js';

export class TaskEventsController implements ReactiveController {
  live = false;
  #source: EventSource | undefined;
  #url: string | undefined;

  constructor(private readonly host: ReactiveControllerHost, private readonly onEvent: (e: TaskEvent) => void) {
    host.addController(this);
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
      this.live = true;
      this.host.requestUpdate();
    };
    source.onerror = () => {
      this.live = false;
      this.host.requestUpdate();
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
    this.live = false;
  }
}
