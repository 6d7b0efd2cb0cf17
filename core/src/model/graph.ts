/**
 * The flow graph: the JSON that the portal's editor saves, that core validates and versions, and
 * that the engine runs. bk-sops semantics (reference/bk-sops.md §1) in our own, flatter shape:
 * nodes and flows are arrays, gateway conditions live on the outgoing flows, and every
 * expression is a `${…}` JavaScript expression (see {@link ./template-syntax.ts}).
 *
 * This module is types only and dependency-free: the portal imports it through
 * `@opsloom/core/model`.
 *
 * @example
 * const graph: FlowGraph = {
 *   name: 'restart web',
 *   nodes: [
 *     { id: 'start', type: 'start' },
 *     { id: 'restart', type: 'task', name: 'Restart nginx',
 *       plugin: { name: '@opsloom/plugin-script', version: '1.2.0' },
 *       inputs: { script: { value: 'systemctl restart nginx # ${HOME}', render: false }, hosts: '${web_hosts}' },
 *       outputs: { exit_code: 'restart_code' } },
 *     { id: 'end', type: 'end' },
 *   ],
 *   flows: [{ id: 'f1', source: 'start', target: 'restart' }, { id: 'f2', source: 'restart', target: 'end' }],
 *   variables: { web_hosts: { type: 'hosts', value: ['10.0.0.1'], show: true, required: true } },
 *   outputs: ['restart_code'],
 * };
 */

/** Any value that survives a JSON round trip. Inputs, variable values and outputs are JSON. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Every node type the engine knows. */
export type NodeType =
  | 'start'
  | 'end'
  | 'task'
  | 'subflow'
  | 'exclusive'
  | 'parallel'
  | 'conditional-parallel'
  | 'converge';

/** All node types, in a stable order (for editors and validation). */
export const NODE_TYPES: readonly NodeType[] = [
  'start', 'end', 'task', 'subflow', 'exclusive', 'parallel', 'conditional-parallel', 'converge',
];

/** Gateways that split a token's path into branches. */
export type SplitGatewayType = 'exclusive' | 'parallel' | 'conditional-parallel';

/** Gateways whose branches run concurrently and must be gathered by exactly one converge gateway. */
export type ForkGatewayType = 'parallel' | 'conditional-parallel';

/**
 * An input value: either a plain JSON value, rendered (every `${…}` evaluated) before the call,
 * or the explicit wrapper `{ value, render }`.
 *
 * `render: false` passes `value` literally, on the first run and on every retry (bash `${HOME}`).
 * An object is read as the wrapper when its only keys are `value` and optionally `render`;
 * a plain object input that happens to have exactly one key named `value` must therefore be wrapped:
 * `{ value: { value: 3 } }`. Use {@link normalizeInput} rather than testing the shape yourself.
 */
export type InputValue = JsonValue | RenderableInput;

/** The explicit form of an input. */
export interface RenderableInput {
  value: JsonValue;
  /** `false` keeps `value` literal (no `${…}` evaluation). @default true */
  render?: boolean;
}

/** What happens when a task fails or runs too long. Timeout combines with retry: each attempt has the timeout. */
export interface ErrorPolicy {
  /** Finish the node (state `finished`, `errorIgnored` true, its `_result` false) and carry on. @default false */
  ignore?: boolean;
  /** Retry automatically before giving up. */
  retry?: {
    /** Extra attempts after the first one (1–10). */
    times: number;
    /** Pause before each retry, in milliseconds (0–3,600,000). */
    intervalMs: number;
  };
  /** Fail (or fail and skip past) an attempt that runs longer than `seconds`. */
  timeout?: {
    /** More than 0, at most 31,622,400 (366 days). */
    seconds: number;
    /** `fail`: the attempt fails (then retries, if any remain); `fail-and-skip`: the node is skipped. */
    action: 'fail' | 'fail-and-skip';
  };
}

/** Re-entry limit for nodes that sit on a loop (a backward flow). */
export interface LoopSettings {
  /** Times the node may be re-entered within one task (it runs at most this + 1 times); the next entry fails the node. @default engine setting (100) */
  maxLoops: number;
}

/** Fields every node has. */
export interface NodeBase {
  /** Unique within the graph (nodes and flows share one id space). */
  id: string;
  type: NodeType;
  /** Display name shown on the canvas and in the task monitor. */
  name?: string;
}

/** Where the token starts. In 0, out 1. */
export interface StartNode extends NodeBase {
  type: 'start';
}

/** Where a token ends. In ≥1, out 0. */
export interface EndNode extends NodeBase {
  type: 'end';
}

/** Fields shared by the two kinds of work node (task and subflow). */
export interface ActivityBase extends NodeBase {
  /** Maps a produced output key (plugin output or subflow output) to the task variable it is written to. */
  outputs?: Record<string, string>;
  onError?: ErrorPolicy;
  /** An operator may retry the node after it failed. @default true */
  retryable?: boolean;
  /** An operator may skip the node after it failed. @default true */
  skippable?: boolean;
  /** The node may be left out when a task is created (see `excludeOptionalNodes`). @default false */
  optional?: boolean;
  loop?: LoopSettings;
}

/** A plugin call. In ≥1, out 1. */
export interface TaskNode extends ActivityBase {
  type: 'task';
  /** The plugin to run; `version` may be a semver range in a template and is exact in a task. */
  plugin: { name: string; version: string };
  /** Plugin inputs by key. */
  inputs: Record<string, InputValue>;
}

/** Runs another template version with its own, isolated variables. In ≥1, out 1. */
export interface SubflowNode extends ActivityBase {
  type: 'subflow';
  template: { id: string; version: number | string };
  /** Values for the child's shown variables; only these go in. */
  params: Record<string, InputValue>;
}

/** Takes exactly one outgoing flow (by the conditions on its flows). In ≥1, out ≥1. */
export interface ExclusiveGateway extends NodeBase {
  type: 'exclusive';
  /**
   * `only` (default): exactly one condition may be true, two true conditions fail the gateway;
   * `first`: the first true condition, in flow order, wins; the conditions after it are not evaluated.
   */
  strategy?: 'only' | 'first';
}

/** Runs every outgoing flow concurrently; a converge gateway gathers them. In ≥1, out ≥1. */
export interface ParallelGateway extends NodeBase {
  type: 'parallel';
}

/** Runs, concurrently, the outgoing flows whose condition is true (else the default flow). In ≥1, out ≥1. */
export interface ConditionalParallelGateway extends NodeBase {
  type: 'conditional-parallel';
}

/** Gathers branches: all forked tokens of the parallel gateway it closes, or the one token of exclusive branches. In ≥1, out 1. */
export interface ConvergeGateway extends NodeBase {
  type: 'converge';
}

/** A node of the graph, discriminated by `type`. */
export type FlowNode =
  | StartNode
  | EndNode
  | TaskNode
  | SubflowNode
  | ExclusiveGateway
  | ParallelGateway
  | ConditionalParallelGateway
  | ConvergeGateway;

/** A gateway node (any of the four kinds). */
export type GatewayNode = ExclusiveGateway | ParallelGateway | ConditionalParallelGateway | ConvergeGateway;

/** A work node: a plugin task or a subflow. */
export type ActivityNode = TaskNode | SubflowNode;

/** A condition on a flow leaving an exclusive or conditional-parallel gateway. */
export interface FlowCondition {
  /**
   * A JavaScript expression that must evaluate to a boolean, e.g. `count > 3 && env == "prod"`.
   * `${…}` may wrap variables for bk-sops habits (`${count} > 3`); each `${x}` reads as `(x)`.
   */
  expression: string;
  /** Display name of the branch. */
  name?: string;
}

/** A directed flow between two nodes. A flow that points backwards (to an ancestor) forms a loop. */
export interface FlowEdge {
  /** Unique within the graph. */
  id: string;
  source: string;
  target: string;
  /** Required on every non-default flow leaving an exclusive or conditional-parallel gateway; not allowed elsewhere. */
  condition?: FlowCondition;
  /** Taken when no condition is true; at most one per gateway, only on exclusive / conditional-parallel gateways. */
  default?: boolean;
}

/**
 * The variable types (listed in `VARIABLE_TYPES`). Saving refuses others: nothing defines what
 * another type would mean, and a typo (`strnig`) would leave the value unchecked.
 */
export type VariableType =
  | 'string'
  | 'text'
  | 'number'
  | 'boolean'
  | 'json'
  | 'password'
  | 'select'
  | 'hosts'
  | 'datetime'
  | 'table';

/** One option of a `select` variable. */
export interface VariableOption {
  text: string;
  value: JsonValue;
}

/** A task variable (bk-sops "constant"). The key in {@link FlowGraph.variables} is its name. */
export interface VariableDef {
  type: VariableType;
  /** Default value. Strings may hold `${…}` expressions over other variables (unless `render` is false). */
  value?: JsonValue;
  /** Display name in the editor and task form. */
  name?: string;
  /** Asked for when creating a task (and the only variables a subflow accepts as params). @default false */
  show?: boolean;
  description?: string;
  /** A task cannot be created without a value. @default false */
  required?: boolean;
  /** `false` keeps the value literal. @default true */
  render?: boolean;
  /** Choices for `select`. */
  options?: VariableOption[];
  /** Several choices may be selected (`select`). @default false */
  multiple?: boolean;
}

/** Canvas position of a node. */
export interface Position {
  x: number;
  y: number;
}

/** A flow template's graph (and, snapshotted, a task's graph). */
export interface FlowGraph {
  /** Template id, when stored. */
  id?: string;
  name: string;
  nodes: FlowNode[];
  flows: FlowEdge[];
  variables: Record<string, VariableDef>;
  /** Variable keys exported as the flow's results (and a subflow's outputs). */
  outputs: string[];
  /** Canvas positions by node id; layout only, no meaning to the engine. */
  layout?: Record<string, Position>;
}

/** Returns the value and the render flag of an input, whichever form it was written in. */
export function normalizeInput(input: InputValue): { value: JsonValue; render: boolean } {
  if (isRenderableInput(input)) return { value: input.value, render: input.render !== false };
  return { value: input, render: true };
}

/** True when `input` is the explicit `{ value, render? }` form (see {@link InputValue}). */
export function isRenderableInput(input: unknown): input is RenderableInput {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return false;
  const keys = Object.keys(input);
  if (!keys.includes('value')) return false;
  return keys.every((k) => k === 'value' || k === 'render') &&
    (!('render' in input) || typeof (input as { render?: unknown }).render === 'boolean');
}

/** True for the gateways whose branches run concurrently. */
export function isForkGateway(type: NodeType): type is ForkGatewayType {
  return type === 'parallel' || type === 'conditional-parallel';
}

/** True for the gateways whose outgoing flows carry conditions. */
export function isConditionalGateway(type: NodeType): type is 'exclusive' | 'conditional-parallel' {
  return type === 'exclusive' || type === 'conditional-parallel';
}

/** True for task and subflow nodes. */
export function isActivity(node: FlowNode): node is ActivityNode {
  return node.type === 'task' || node.type === 'subflow';
}
