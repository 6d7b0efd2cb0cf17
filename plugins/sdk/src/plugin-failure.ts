/**
 * Errors that fail the node. The sandbox reads `code` off the thrown object, so each failure
 * carries a stable code the operator can search for, and a message saying what to do.
 */
export class PluginFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'PluginFailure';
  }
}
