import { Inject, Injectable } from '@nestjs/common';
import { Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import { isObservable, lastValueFrom } from 'rxjs';
import { HandlerError, type Group } from '@gridcloud/vsync';
import { VsyncPatternError } from './errors/vsync-pattern-error';
import { messageHandlerId } from './message-id';
import { ViewListeners } from './view-listeners';
import { VsyncContext } from './vsync-context';
import { VsyncGroups } from './vsync-groups';

/** One `@EventPattern` or `@MessagePattern('group/message')` handler chain, bound to its vsync handler id. */
interface EventRoute {
  readonly pattern: string;
  readonly group: string;
  readonly message: string;
  readonly handlerId: number;
  readonly handler: MessageHandler;
}

/**
 * The Nest transport strategy over vsync groups. `@EventPattern('estimators/snapshot')` receives the `send` and
 * `orderedSend` deliveries of message `snapshot` in group `estimators`, with `@Ctx()` a VsyncContext.
 * `@MessagePattern('dictionary/lookup')` answers queries: each member's return value (awaited, an observable's last
 * value) is that member's one reply; a throw is an abortReply with its message. On listen the server checks every
 * pattern, registers every handler, and only then joins the groups it serves, so no delivery finds a handler
 * missing. A failing handler is reported (group onError and Nest's logger); delivery goes on.
 */
@Injectable()
export class VsyncServer extends Server implements CustomTransportStrategy {
  /** Nest hands event handler failures to this server, which reports them to the group instead of losing them. */
  override readonly propagatesEventHandlerErrors = true;
  private started = false;

  constructor(
    @Inject(VsyncGroups) private readonly groups: VsyncGroups,
    @Inject(ViewListeners) private readonly viewListeners: ViewListeners,
  ) {
    super();
  }

  listen(callback: (error?: unknown) => void): void {
    this.start().then(
      () => callback(),
      (error: unknown) => callback(error),
    );
  }

  /** The process's groups are left by VsyncModule's shutdown (one goodbye for all); nothing to close here. */
  close(): void {}

  on(): never {
    throw new VsyncPatternError('VsyncServer has no events to listen to; use VsyncGroups or @OnView');
  }

  unwrap<T>(): T {
    return this.groups.process as T;
  }

  /** The routes this server serves, checked: every pattern names a known group and a message, ids are distinct. */
  routes(): EventRoute[] {
    const routes: EventRoute[] = [];
    const byId = new Map<string, EventRoute>();
    for (const [pattern, handler] of this.messageHandlers) {
      const route = this.route(pattern, handler);
      const key = `${route.group}#${route.handlerId}`;
      const other = byId.get(key);
      if (other !== undefined)
        throw new VsyncPatternError(
          `messages '${other.message}' and '${route.message}' of group '${route.group}' hash to the same handler id ${route.handlerId}; rename one of them`,
        );
      byId.set(key, route);
      routes.push(route);
    }
    return routes;
  }

  private async start(): Promise<void> {
    if (this.started) throw new VsyncPatternError('VsyncServer.listen was called twice');
    this.started = true;
    const routes = this.routes();
    const served = [...new Set(routes.map((r) => r.group))];
    for (const name of served) {
      if (this.groups.joinsAtBootstrap(name))
        throw new VsyncPatternError(
          `group '${name}' has @EventPattern handlers, so VsyncServer joins it after registering them; remove it from VsyncModule's join`,
        );
    }
    this.viewListeners.attach();
    for (const name of served) this.groups.markServed(name);
    for (const route of routes) {
      const group = this.groups.get(route.group);
      group.handle(route.handlerId, (...args: unknown[]) =>
        route.handler.isEventHandler === true
          ? this.dispatch(group, route, args)
          : this.answer(group, route, args),
      );
    }
    await Promise.all(served.map((name) => this.groups.join(name)));
  }

  private route(pattern: string, handler: MessageHandler): EventRoute {
    const slash = pattern.indexOf('/');
    const group = pattern.slice(0, slash);
    const message = pattern.slice(slash + 1);
    if (slash <= 0 || message.length === 0)
      throw new VsyncPatternError(
        `${decoratorOf(handler)}('${pattern}') must be 'group/message', e.g. 'estimators/snapshot'`,
      );
    if (!this.groups.names.includes(group))
      throw new VsyncPatternError(
        `${decoratorOf(handler)}('${pattern}') names group '${group}', which VsyncModule's groups (${this.groups.names.join(', ') || 'none'}) do not list`,
      );
    return { pattern, group, message, handlerId: messageHandlerId(message), handler };
  }

  /** Runs inside the group's delivery: the context is read now, while it is the delivery's own. */
  private dispatch(group: Group, route: EventRoute, args: unknown[]): void {
    const context = this.contextOf(group, route);
    const data = args.length === 1 ? args[0] : args;
    let result: unknown;
    try {
      result = route.handler(data, context);
    } catch (error) {
      return this.report(group, route, error);
    }
    void Promise.resolve(result)
      .then((value) => (isObservable(value) ? lastValueFrom(value, { defaultValue: undefined }) : value))
      .catch((error: unknown) => this.report(group, route, error));
  }

  /** A @MessagePattern handler: its (awaited) value is this member's reply to a query; the group sends it, and turns
   *  a rejection into an abortReply carrying the error's message and reports it through onError. */
  private async answer(group: Group, route: EventRoute, args: unknown[]): Promise<unknown> {
    const context = this.contextOf(group, route);
    const data = args.length === 1 ? args[0] : args;
    try {
      const result: unknown = await route.handler(data, context);
      return isObservable(result) ? await lastValueFrom(result, { defaultValue: undefined }) : result;
    } catch (error) {
      throw describe(error);
    }
  }

  private contextOf(group: Group, route: EventRoute): VsyncContext {
    const delivery = group.delivery!;
    return new VsyncContext({
      group: route.group,
      message: route.message,
      sender: delivery.sender,
      viewId: delivery.viewId,
      ordering: delivery.ordering,
      view: group.view,
      systemView: this.groups.process.systemView,
    });
  }

  private report(group: Group, route: EventRoute, error: unknown): void {
    group.fail(new HandlerError(route.group, `@EventPattern('${route.pattern}')`, describe(error)));
  }
}

function decoratorOf(handler: MessageHandler): string {
  return handler.isEventHandler === true ? '@EventPattern' : '@MessagePattern';
}

/** Nest logs an error that is not an RpcException (with its stack) and hands on only `{ status, message }`. */
function describe(error: unknown): unknown {
  if (error instanceof Error) return error;
  if (error !== null && typeof error === 'object' && 'message' in error) {
    const nestReplaced = 'status' in error && error.status === 'error';
    return new Error(
      nestReplaced
        ? `${String(error.message)} (the error itself is in the RpcExceptionsHandler log line)`
        : String(error.message),
    );
  }
  return error;
}
