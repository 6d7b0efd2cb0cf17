/**
 * Keyboard shortcuts of the flow editor, as a pure mapping from a key event to a command, so the
 * mapping can be tested and listed in the help text.
 */

/** Editor commands reachable from the keyboard. */
export type EditorCommand =
  | 'undo' | 'redo' | 'copy' | 'paste' | 'cut' | 'delete' | 'select-all' | 'clear-selection'
  | 'nudge-left' | 'nudge-right' | 'nudge-up' | 'nudge-down'
  | 'start-connect' | 'activate' | 'zoom-in' | 'zoom-out' | 'zoom-fit' | 'save' | 'layout';

/** The parts of a KeyboardEvent the mapping reads. */
export interface KeyPress {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  shiftKey?: boolean;
  altKey?: boolean;
}

/**
 * The command for a key press, or undefined.
 *
 * @example
 * shortcut({ key: 'z', ctrlKey: true }) // 'undo'
 */
export function shortcut(e: KeyPress): EditorCommand | undefined {
  const mod = Boolean(e.ctrlKey || e.metaKey);
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  if (mod && !e.altKey) {
    switch (key) {
      case 'z': return e.shiftKey ? 'redo' : 'undo';
      case 'y': return 'redo';
      case 'c': return 'copy';
      case 'v': return 'paste';
      case 'x': return 'cut';
      case 'a': return 'select-all';
      case 's': return 'save';
      default: return undefined;
    }
  }
  if (e.altKey) return undefined;
  switch (key) {
    case 'Delete': case 'Backspace': return 'delete';
    case 'Escape': return 'clear-selection';
    case 'ArrowLeft': return 'nudge-left';
    case 'ArrowRight': return 'nudge-right';
    case 'ArrowUp': return 'nudge-up';
    case 'ArrowDown': return 'nudge-down';
    case 'Enter': case ' ': return 'activate';
    case 'c': return 'start-connect';
    case '+': case '=': return 'zoom-in';
    case '-': return 'zoom-out';
    case '0': return 'zoom-fit';
    case 'l': return e.shiftKey ? 'layout' : undefined;
    default: return undefined;
  }
}
