import type { ProcessId, QueryReply, QueryTarget, QueryWant, TimeoutAction } from '../protocol';
import { VsyncOptionsError } from './errors/vsync-options-error';
import { decodeGroupCall, encodeGroupCall } from './group-payload';
import type { VsyncProcess } from './vsync-process';

/** `want` for a query answered by every member asked. */
export const ALL = 'all' as const;
/** `want` for a query answered by a majority of the members asked. */
export const MAJORITY = 'majority' as const;

/** The last argument of a query call, when it is an object with only these keys. */
export interface QueryOptions {
  /** How long the query waits for its answers (default 5,000 ms). */
  readonly timeoutMs?: number;
  /** What happens then (default 'abort'): see TimeoutAction. */
  readonly onTimeout?: TimeoutAction;
}

export const DEFAULT_QUERY_TIMEOUT_MS = 5_000;
const OPTION_KEYS = new Set(['timeoutMs', 'onTimeout']);

/** A query's handler arguments and options: a last argument that is a plain object whose keys are only timeoutMs
 *  and/or onTimeout is the options (pass `{}` after such an object to send it as an argument). */
export function splitQueryArguments(argsAndOptions: readonly unknown[]): {
  args: unknown[];
  options: Required<QueryOptions>;
} {
  const last = argsAndOptions.at(-1);
  const isOptions =
    last !== null &&
    typeof last === 'object' &&
    Object.getPrototypeOf(last) === Object.prototype &&
    Object.keys(last).every((k) => OPTION_KEYS.has(k));
  const given = (isOptions ? last : {}) as QueryOptions;
  return {
    args: isOptions ? argsAndOptions.slice(0, -1) : [...argsAndOptions],
    options: {
      timeoutMs: given.timeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS,
      onTimeout: given.onTimeout ?? 'abort',
    },
  };
}

/** Encodes a handler call, turning an argument the codec cannot carry into a typed rejection. */
export function encodeCall(handlerId: number, args: readonly unknown[]): Uint8Array {
  try {
    return encodeGroupCall(handlerId, args);
  } catch (error) {
    throw new VsyncOptionsError(
      'arguments',
      `cannot encode the call to handler ${handlerId}: ${(error as Error).message}`,
    );
  }
}

/** One reply value travels as a call to handler 0 with the value as its only argument. */
export function encodeReplyValue(value: unknown): Uint8Array {
  return encodeGroupCall(0, [value]);
}

export function decodeReplyValue(payload: Uint8Array): unknown {
  return decodeGroupCall(payload).args[0];
}

/** The value replies of a completed query, decoded, in the order the members were asked; null replies carry none. */
export function replyValues<T>(replies: readonly QueryReply[]): T[] {
  return replies.filter((r) => r.outcome === 'value').map((r) => decodeReplyValue(r.payload) as T);
}

/** Issues a query on `process` and resolves with the counted replies, in the order the members were asked. */
export function ask(
  process: VsyncProcess,
  group: string,
  target: QueryTarget,
  want: QueryWant,
  handlerId: number,
  argsAndOptions: readonly unknown[],
): Promise<readonly QueryReply[]> {
  const { args, options } = splitQueryArguments(argsAndOptions);
  const payload = encodeCall(handlerId, args);
  return process.query(group, target, payload, want, options.timeoutMs, options.onTimeout);
}

/** Issues a query on `process` and resolves with the decoded values. */
export async function askGroup<T>(
  process: VsyncProcess,
  group: string,
  target: QueryTarget,
  want: QueryWant,
  handlerId: number,
  argsAndOptions: readonly unknown[],
): Promise<T[]> {
  return replyValues<T>(await ask(process, group, target, want, handlerId, argsAndOptions));
}

/** The answer a member owes for one delivered query request: the first of value / null / abort is sent, once. */
export class QueryAnswer {
  private done = false;

  constructor(
    private readonly process: VsyncProcess,
    readonly querier: ProcessId,
    readonly queryId: number,
    /** The group the request was delivered in: a value reply of a secured group is sealed with its key. */
    private readonly group?: string,
  ) {}

  get answered(): boolean {
    return this.done;
  }

  value(value: unknown): void {
    if (this.done) return;
    let payload: Uint8Array;
    try {
      payload = encodeReplyValue(value);
    } catch (error) {
      return this.abort(`the reply cannot be encoded: ${(error as Error).message}`);
    }
    this.send('value', payload);
  }

  nothing(): void {
    if (!this.done) this.send('null', new Uint8Array(0));
  }

  abort(reason: string): void {
    if (!this.done) this.send('abort', new TextEncoder().encode(String(reason)));
  }

  private send(outcome: 'value' | 'null' | 'abort', payload: Uint8Array): void {
    this.done = true;
    this.process.reply(this.querier, this.queryId, outcome, payload, this.group);
  }
}

/** Runs a handler for a query request: an explicit reply(), nullReply() or abortReply() wins; otherwise the handler's
 *  return value (awaited if it is a promise) is the reply, and a throw or rejection is an abortReply with its message
 *  (also reported through `onError`, as any handler failure). */
export function answerWith(answer: QueryAnswer, run: () => unknown, onError: (error: unknown) => void): void {
  let result: unknown;
  try {
    result = run();
  } catch (error) {
    answer.abort(messageOf(error));
    return onError(error);
  }
  if (!(result instanceof Promise)) return answer.value(result);
  result.then(
    (value: unknown) => answer.value(value),
    (error: unknown) => {
      answer.abort(messageOf(error));
      onError(error);
    },
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
