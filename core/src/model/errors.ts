/**
 * Validation findings and the typed errors of the model. Dependency-free: core's HTTP layer maps
 * {@link FlowModelError} (it carries `status` and `code`) to a problem document.
 */

/**
 * Stable codes of {@link GraphError}. Clients may switch on them; a code is never reused for
 * another meaning.
 */
export type GraphRule =
  // shape and identity
  | 'invalid_shape'
  | 'duplicate_id'
  | 'unknown_node_type'
  | 'dangling_flow'
  | 'self_loop'
  | 'start_count'
  | 'end_missing'
  // node settings
  | 'invalid_node'
  | 'invalid_error_policy'
  | 'invalid_condition'
  | 'missing_condition'
  | 'multiple_defaults'
  // degrees and reachability
  | 'degree'
  | 'isolated_node'
  | 'unreachable_node'
  | 'no_path_to_end'
  // blocks
  | 'merge_outside_converge'
  | 'branch_leaves_block'
  | 'branches_cross'
  | 'converge_outside_block'
  | 'converge_shared_by_parallels'
  | 'parallel_multiple_converges'
  | 'parallel_without_converge'
  | 'loop_leaves_block'
  | 'loop_into_parallel_converge'
  // references
  | 'unknown_plugin'
  | 'invalid_input'
  | 'invalid_variable_key'
  | 'reserved_variable_key'
  | 'unknown_variable'
  | 'unknown_constant'
  | 'unknown_output_variable'
  | 'variable_cycle'
  | 'invalid_expression'
  | 'invalid_variable'
  // subflows (checked where templates are stored)
  | 'unknown_subflow'
  | 'unknown_subflow_param'
  | 'unknown_subflow_output';

/** One problem found in a graph: where (node and/or flow), which rule, and what to do about it. */
export interface GraphError {
  nodeId?: string;
  flowId?: string;
  rule: GraphRule;
  message: string;
}

/** Base of the model's thrown errors: a stable `code` and the HTTP status it maps to. */
export abstract class FlowModelError extends Error {
  abstract readonly code: string;
  abstract readonly status: number;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Thrown by {@link matchConverges} (and other consumers that need a sound graph) when the graph is invalid. */
export class InvalidGraphError extends FlowModelError {
  readonly code = 'graph_invalid';
  readonly status = 422;
  constructor(readonly errors: GraphError[]) {
    super(`the flow graph is invalid: ${errors.slice(0, 3).map((e) => e.message).join('; ')}` +
      (errors.length > 3 ? ` (and ${errors.length - 3} more)` : ''));
  }
}

/** Thrown when asked to exclude a node that is not marked `optional` (only optional nodes may be left out). */
export class NodeNotOptionalError extends FlowModelError {
  readonly code = 'node_not_optional';
  readonly status = 422;
  constructor(readonly nodeId: string) {
    super(`node ${nodeId} is not optional and cannot be excluded; mark it optional in the template or keep it`);
  }
}

/** Thrown when an operation names a node the graph does not have. */
export class UnknownNodeError extends FlowModelError {
  readonly code = 'node_not_found';
  readonly status = 404;
  constructor(readonly nodeId: string) {
    // An empty id is quoted, so the message still names what was given.
    super(`node ${nodeId === '' ? '""' : nodeId} does not exist in the flow graph`);
  }
}
