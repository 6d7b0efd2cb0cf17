/**
 * Follows a task over Server-Sent Events while the host is connected. The browser's
 * EventSource reconnects by itself; `live` tells the host whether updates are flowing.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { TaskEvent } from '../model/task-types.js';

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
    source.onmessage = (m: MessageEvent<string>) => {
      try {
        this.onEvent(JSON.parse(m.data) as TaskEvent);
      } catch { /* a malformed event is dropped; the next poll corrects the view */ }
    };
  }

  #close(): void {
    this.#source?.close();
    this.#source = undefined;
    this.live = false;
  }
}
