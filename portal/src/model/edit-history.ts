/**
 * Undo/redo over immutable states. Each edit pushes the state it produced; states are shared,
 * not copied, because the graph edits never mutate (see graph-edit.ts).
 */

/** Options of {@link EditHistory}. */
export interface EditHistoryOptions {
  /** Most undo steps kept; the oldest are dropped. @default 200 */
  limit?: number;
}

/**
 * A linear history with a cursor.
 *
 * @example
 * const h = new EditHistory(graph);
 * h.push(addNode(h.current, node, at));
 * h.undo(); // back to graph
 */
export class EditHistory<T> {
  readonly #limit: number;
  #states: T[];
  #labels: string[];
  #cursor = 0;

  constructor(initial: T, options: EditHistoryOptions = {}) {
    this.#limit = Math.max(1, options.limit ?? 200);
    this.#states = [initial];
    this.#labels = [''];
  }

  /** The state at the cursor. */
  get current(): T {
    return this.#states[this.#cursor]!;
  }

  get canUndo(): boolean {
    return this.#cursor > 0;
  }

  get canRedo(): boolean {
    return this.#cursor < this.#states.length - 1;
  }

  /** Number of steps that can be undone. */
  get undoDepth(): number {
    return this.#cursor;
  }

  /** What the next undo would revert (the label given to {@link push}). */
  get undoLabel(): string | undefined {
    return this.canUndo ? this.#labels[this.#cursor] : undefined;
  }

  /** Records a new state after the cursor, dropping any redo branch. Pushing the current state again is a no-op. */
  push(state: T, label = 'edit'): void {
    if (state === this.current) return;
    this.#states = this.#states.slice(0, this.#cursor + 1);
    this.#labels = this.#labels.slice(0, this.#cursor + 1);
    this.#states.push(state);
    this.#labels.push(label);
    const excess = this.#states.length - 1 - this.#limit;
    if (excess > 0) {
      this.#states.splice(0, excess);
      this.#labels.splice(0, excess);
    }
    this.#cursor = this.#states.length - 1;
  }

  /** Replaces the current state without a new step (e.g. the server assigned an id). */
  replace(state: T): void {
    this.#states[this.#cursor] = state;
  }

  /** Steps back; returns the state now current. */
  undo(): T {
    if (this.canUndo) this.#cursor -= 1;
    return this.current;
  }

  /** Steps forward again; returns the state now current. */
  redo(): T {
    if (this.canRedo) this.#cursor += 1;
    return this.current;
  }

  /** Forgets every step and starts over from `state` (after loading another version). */
  reset(state: T): void {
    this.#states = [state];
    this.#labels = [''];
    this.#cursor = 0;
  }
}
