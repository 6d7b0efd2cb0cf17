import { capabilityAllows } from '../manifest/index.js';
import { ErrorCode, PluginRuntimeError } from '../errors.js';
import type { CompiledRuntimeOptions } from '../options.js';
import type { HostCallContext, HostServices } from '../interface.js';
import { HOST_OPS, type HostOp } from '../protocol.js';
import { fetchForPlugin, parsePluginHttpRequest } from './http-fetch.js';
import { HostCallRateLimiter } from './rate-limiter.js';

/** Everything the gateway needs to judge one host call. */
export interface HostCallScope {
  /** Rate-limit bucket: the plugin version. */
  key: string;
  /** Effective capabilities: declared ∩ approved (∩ operator http list). */
  granted: readonly string[];
  hostCallsPerSecond: number;
  services: HostServices;
  ctx: HostCallContext;
}

/**
 * The capability gate in the core process: every host call from a sandbox passes here, is checked
 * against the effective capabilities and the rate limit, then served. Results leave as JSON copies.
 */
export class HostGateway {
  readonly #limiter = new HostCallRateLimiter();

  constructor(private readonly options: CompiledRuntimeOptions) {}

  /** Serves one host call or throws a {@link PluginRuntimeError} the guest sees. */
  async call(op: string, args: unknown, scope: HostCallScope): Promise<unknown> {
    if (!Object.hasOwn(HOST_OPS, op)) throw new PluginRuntimeError(ErrorCode.CapabilityDenied, `unknown host operation "${op}"`);
    const hostOp = op as HostOp;
    if (hostOp !== 'http.fetch') this.#requireCapability(hostOp, args, scope.granted);
    if (!this.#limiter.take(scope.key, scope.hostCallsPerSecond)) {
      throw new PluginRuntimeError(ErrorCode.RateLimited, `host calls exceed ${scope.hostCallsPerSecond} per second for this plugin`);
    }
    const value = await this.#serve(hostOp, args, scope);
    return value === undefined ? null : JSON.parse(JSON.stringify(value));
  }

  /** Drops idle rate-limit state. */
  sweep(): void {
    this.#limiter.sweep();
  }

  #requireCapability(op: Exclude<HostOp, 'http.fetch'>, args: unknown, granted: readonly string[]): void {
    if (op === 'secrets.read') {
      if (typeof args !== 'string') throw new PluginRuntimeError(ErrorCode.CapabilityDenied, 'host.secrets.read expects a secret name');
      if (!capabilityAllows(granted, { kind: 'secrets.read', name: args })) {
        throw new PluginRuntimeError(ErrorCode.CapabilityDenied, `secret "${args}" is not available: declare and get approved "secrets.read:${args}"`);
      }
      return;
    }
    if (!capabilityAllows(granted, HOST_OPS[op])) {
      throw new PluginRuntimeError(ErrorCode.CapabilityDenied, `capability "${HOST_OPS[op]}" was not declared in the manifest or not approved by the operator`);
    }
  }

  async #serve(op: HostOp, args: unknown, scope: HostCallScope): Promise<unknown> {
    const { services, ctx } = scope;
    const missing = (name: string): never => {
      throw new PluginRuntimeError(ErrorCode.HostServiceUnavailable, `host service for "${name}" is not available on this server`);
    };
    const run = async <T>(fn: () => Promise<T>): Promise<T> => {
      try {
        return await fn();
      } catch (err) {
        if (err instanceof PluginRuntimeError) throw err;
        throw new PluginRuntimeError(ErrorCode.HostServiceFailed, `${op} failed: ${(err as Error)?.message ?? String(err)}`);
      }
    };
    switch (op) {
      case 'http.fetch': {
        const req = parsePluginHttpRequest(args);
        const http = scope.granted.filter((c) => c.startsWith('http:'));
        const allowed = this.options.httpOrigins ? http.filter((c) => this.options.httpOrigins?.includes(c.slice(5))) : http;
        return fetchForPlugin(req, {
          fetch: this.options.fetch,
          granted: allowed,
          maxBytes: this.options.httpResponseBytes,
          timeoutMs: this.options.httpTimeoutMs,
          signal: ctx.signal,
        });
      }
      case 'agent.execute':
        return services.agentExecute ? run(() => services.agentExecute!(args, ctx)) : missing(op);
      case 'agent.transfer':
        return services.agentTransfer ? run(() => services.agentTransfer!(args, ctx)) : missing(op);
      case 'cmdb.read':
        return services.cmdbRead ? run(() => services.cmdbRead!(args, ctx)) : missing(op);
      case 'notify.send':
        return services.notifySend ? run(() => services.notifySend!(args, ctx)) : missing(op);
      case 'secrets.read':
        return services.secretRead ? run(() => services.secretRead!(args as string, ctx)) : missing(op);
    }
  }
}
