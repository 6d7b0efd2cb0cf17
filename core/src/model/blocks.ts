import type { FlowEdge, FlowNode } from './graph.js';
import { isForkGateway } from './graph.js';
import type { GraphError } from './errors.js';
import type { GraphIndex, Topology } from './topology.js';

/**
 * Gateway blocks, found structurally rather than by distances.
 *
 * Every node gets a *label*: the stack of branches it sits in, one frame per enclosing split
 * gateway (`[parallel p1 via flow f2, exclusive g3 via flow f9]`). Labels flow forward in
 * topological order; a split gateway pushes the frame of each outgoing flow, and a converge
 * gateway keeps the longest common prefix of its incoming labels: the frames beyond it are the
 * branches it *closes*. The rules are then local and exact:
 * - a converge closes at most one parallel / conditional-parallel gateway, all of its branches,
 *   and nothing from outside its block (exclusive branches inside the block may share it);
 * - only converges merge branches; an end event may take exclusive branches but no branch of a
 *   parallel block; a backward flow (loop) stays inside the parallel branch it starts in.
 * Nested gateways and shared converges that obey these rules pass, which bk-sops' distance-based
 * check does not always allow (reference/bk-sops.md, pain point 1).
 */
export interface BlockAnalysis {
  /** Split gateway id → the converge that gathers its branches (exclusive: the first that gathers any). */
  converges: Map<string, string>;
  /** Converge id → the parallel / conditional-parallel gateway whose branches it gathers (absent for exclusive-only merges). */
  joins: Map<string, string>;
  errors: GraphError[];
}

interface Frame {
  gateway: string;
  /** The flow that opened the branch (flow ids are unique, so this identifies the frame). */
  branch: string;
  fork: boolean;
}

type Label = Frame[];

/** Runs the block analysis over the nodes reachable from the start event. */
export function analyzeBlocks(index: GraphIndex, topology: Topology): BlockAnalysis {
  return new BlockAnalyzer(index, topology).run();
}

class BlockAnalyzer {
  private readonly labels = new Map<string, Label>();
  private readonly errors: GraphError[] = [];
  private readonly converges = new Map<string, string>();
  private readonly joins = new Map<string, string>();
  /** Fork gateway → the converges that closed some of its branches, with the branches closed there. */
  private readonly closures = new Map<string, Map<string, Set<string>>>();
  /** Fork gateways that already have a block error, so the final sweep does not pile on. */
  private readonly reported = new Set<string>();

  constructor(private readonly index: GraphIndex, private readonly topology: Topology) {}

  run(): BlockAnalysis {
    for (const id of this.topology.order) this.visit(this.index.nodes.get(id)!);
    for (const id of this.topology.order) {
      for (const flow of this.index.outgoing.get(id)!) {
        if (this.topology.backEdges.has(flow.id)) this.checkLoop(flow);
      }
    }
    this.sweepForks();
    return { converges: this.converges, joins: this.joins, errors: this.errors };
  }

  private forwardBranches(gatewayId: string): FlowEdge[] {
    return this.index.outgoing.get(gatewayId)!.filter((f) => !this.topology.backEdges.has(f.id));
  }

  /** The label a token carries along `flow`. */
  private edgeLabel(flow: FlowEdge): Label {
    const label = this.labels.get(flow.source) ?? [];
    const source = this.index.nodes.get(flow.source)!;
    if (source.type === 'exclusive' || source.type === 'parallel' || source.type === 'conditional-parallel') {
      return [...label, { gateway: source.id, branch: flow.id, fork: isForkGateway(source.type) }];
    }
    return label;
  }

  private visit(node: FlowNode): void {
    const inbound = this.index.incoming.get(node.id)!.filter((f) =>
      !this.topology.backEdges.has(f.id) && this.topology.reachable.has(f.source));
    if (node.type === 'start' || inbound.length === 0) {
      this.labels.set(node.id, []);
      return;
    }
    if (node.type === 'converge') {
      this.labels.set(node.id, this.mergeAtConverge(node, inbound));
      return;
    }
    if (node.type === 'end') {
      for (const flow of inbound) this.checkEnd(node, flow);
      this.labels.set(node.id, []);
      return;
    }
    const first = this.edgeLabel(inbound[0]!);
    for (const flow of inbound.slice(1)) {
      const other = this.edgeLabel(flow);
      if (labelKey(other) === labelKey(first)) continue;
      const split = first[commonPrefix([first, other])] ?? other[commonPrefix([first, other])];
      this.errors.push({
        nodeId: node.id, flowId: flow.id, rule: 'merge_outside_converge',
        message: `flows from different branches${split ? ` of gateway ${split.gateway}` : ''} meet at node ${node.id}; ` +
          'join branches with a converge gateway',
      });
      if (split?.fork) this.reported.add(split.gateway);
      break;
    }
    this.labels.set(node.id, first);
  }

  private checkEnd(node: FlowNode, flow: FlowEdge): void {
    const label = this.edgeLabel(flow);
    const fork = [...label].reverse().find((f) => f.fork);
    if (!fork) return;
    this.reported.add(fork.gateway);
    this.errors.push({
      nodeId: fork.gateway, flowId: flow.id, rule: 'branch_leaves_block',
      message: `a branch of ${this.describe(fork.gateway)} reaches end event ${node.id} through flow ${flow.id}; ` +
        'branches of a parallel block must meet at its converge gateway before the flow ends',
    });
  }

  private mergeAtConverge(node: FlowNode, inbound: FlowEdge[]): Label {
    const labels = inbound.map((f) => this.edgeLabel(f));
    let depth = commonPrefix(labels);
    const closed = new Map<string, Set<string>>();
    const close = (frame: Frame): void => {
      const set = closed.get(frame.gateway) ?? new Set<string>();
      set.add(frame.branch);
      closed.set(frame.gateway, set);
    };
    for (const label of labels) label.slice(depth).forEach(close);
    // A gateway with a single forward branch has nothing to wait for: its nearest converge closes
    // it. That is a fork with one branch, and also an exclusive gateway whose other flows loop back
    // (a loop's exit), which would otherwise keep an enclosing single-branch fork open.
    while (depth > 0) {
      const frame = labels[0]![depth - 1]!;
      if (this.forwardBranches(frame.gateway).length !== 1) break;
      close(frame);
      depth -= 1;
    }
    const forks = [...closed.keys()].filter((g) => isForkGateway(this.index.nodes.get(g)!.type));
    for (const gateway of closed.keys()) {
      if (!this.converges.has(gateway)) this.converges.set(gateway, node.id);
    }
    if (forks.length >= 2) {
      const partial = forks.filter((g) => closed.get(g)!.size !== this.forwardBranches(g).length);
      forks.forEach((g) => this.reported.add(g));
      this.errors.push(partial.length > 0
        ? { nodeId: node.id, rule: 'branches_cross',
            message: `branches of ${(partial.length > 1 ? partial : forks).map((g) => this.describe(g)).join(' and ')} cross at converge gateway ${node.id}; ` +
              'each parallel block needs its own converge gateway that gathers exactly its branches' }
        : { nodeId: node.id, rule: 'converge_shared_by_parallels',
            message: `converge gateway ${node.id} gathers ${forks.map((g) => this.describe(g)).join(' and ')}; ` +
              'give each parallel gateway its own converge gateway' });
    } else if (forks.length === 1) {
      const fork = forks[0]!;
      this.joins.set(node.id, fork);
      const outsider = labels.findIndex((l) => l[depth]?.gateway !== fork);
      const earlier = [...(this.closures.get(fork)?.keys() ?? [])].filter((c) => c !== node.id);
      if (earlier.length > 0) {
        // The rest of the block was gathered before: the sweep reports the parallel gateway.
      } else if (outsider !== -1) {
        this.reported.add(fork);
        this.errors.push({
          nodeId: node.id, flowId: inbound[outsider]!.id, rule: 'converge_outside_block',
          message: `converge gateway ${node.id} gathers ${this.describe(fork)} but flow ${inbound[outsider]!.id} ` +
            'comes from outside that block; it would wait forever for the missing branches',
        });
      }
      const perConverge = this.closures.get(fork) ?? new Map<string, Set<string>>();
      const branches = perConverge.get(node.id) ?? new Set<string>();
      closed.get(fork)!.forEach((b) => branches.add(b));
      perConverge.set(node.id, branches);
      this.closures.set(fork, perConverge);
    }
    return labels[0]!.slice(0, depth);
  }

  private checkLoop(flow: FlowEdge): void {
    if (!this.topology.reachable.has(flow.source)) return;
    const target = this.index.nodes.get(flow.target)!;
    if (this.joins.has(target.id)) {
      this.errors.push({
        nodeId: flow.source, flowId: flow.id, rule: 'loop_into_parallel_converge',
        message: `loop flow ${flow.id} goes back into converge gateway ${target.id}, which waits for the branches of ` +
          `${this.describe(this.joins.get(target.id)!)}; loop back to a node before the parallel gateway instead`,
      });
      return;
    }
    const from = this.edgeLabel(flow).filter((f) => f.fork);
    const to = (this.labels.get(target.id) ?? []).filter((f) => f.fork);
    if (labelKey(from) === labelKey(to)) return;
    const left = from[commonPrefix([from, to])] ?? to[commonPrefix([from, to])]!;
    this.reported.add(left.gateway);
    this.errors.push({
      nodeId: flow.source, flowId: flow.id, rule: 'loop_leaves_block',
      message: `loop flow ${flow.id} from ${flow.source} to ${target.id} crosses the boundary of ${this.describe(left.gateway)}; ` +
        'a loop must start and end in the same parallel branch',
    });
  }

  private sweepForks(): void {
    for (const node of this.index.nodes.values()) {
      if (!isForkGateway(node.type) || !this.topology.reachable.has(node.id) || this.reported.has(node.id)) continue;
      const perConverge = this.closures.get(node.id);
      if (!perConverge || perConverge.size === 0) {
        this.errors.push({
          nodeId: node.id, rule: 'parallel_without_converge',
          message: `${this.describe(node.id)} has no converge gateway gathering its branches`,
        });
      } else if (perConverge.size > 1) {
        this.errors.push({
          nodeId: node.id, rule: 'parallel_multiple_converges',
          message: `the branches of ${this.describe(node.id)} meet at different converge gateways ` +
            `(${[...perConverge.keys()].join(', ')}); gather all of them at one converge gateway`,
        });
      } else {
        const [convergeId, branches] = [...perConverge.entries()][0]!;
        const missing = this.forwardBranches(node.id).filter((f) => !branches.has(f.id)).map((f) => f.id);
        if (missing.length > 0) {
          this.errors.push({
            nodeId: node.id, flowId: missing[0], rule: 'branch_leaves_block',
            message: `branch ${missing.join(', ')} of ${this.describe(node.id)} never reaches its converge gateway ${convergeId}`,
          });
        }
      }
    }
  }

  private describe(gatewayId: string): string {
    const node = this.index.nodes.get(gatewayId);
    return `${node?.type ?? 'gateway'} gateway ${gatewayId}`;
  }
}

function labelKey(label: Label): string {
  return label.map((f) => f.branch).join('\u0000');
}

/** Length of the longest common prefix of the labels. */
function commonPrefix(labels: Label[]): number {
  const first = labels[0] ?? [];
  let depth = 0;
  while (depth < first.length && labels.every((l) => l[depth]?.branch === first[depth]!.branch)) depth += 1;
  return depth;
}
