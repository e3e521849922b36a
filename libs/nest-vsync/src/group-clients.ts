import { Inject, Injectable } from '@nestjs/common';
import { GroupClient, type GroupClientOptions, type QueryWant, VsyncProcess } from '@gridcloud/vsync';
import { idOf } from './group-publisher';

/** A GroupClient that calls by message name: the same names as the group's `@EventPattern`/`@MessagePattern`s. */
export class NamedGroupClient {
  constructor(readonly client: GroupClient) {}

  send(message: string, ...args: unknown[]): Promise<void> {
    return this.client.send(idOf(message), ...args);
  }

  orderedSend(message: string, ...args: unknown[]): Promise<void> {
    return this.client.orderedSend(idOf(message), ...args);
  }

  query<T = unknown>(want: QueryWant, message: string, ...args: unknown[]): Promise<T[]> {
    return this.client.query<T>(want, idOf(message), ...args);
  }

  orderedQuery<T = unknown>(want: QueryWant, message: string, ...args: unknown[]): Promise<T[]> {
    return this.client.orderedQuery<T>(want, idOf(message), ...args);
  }
}

/**
 * Calls groups this process is not a member of (a dashboard, an ingest that only asks): each call goes through one
 * member (the representative), which issues it on the client's behalf; when it fails, the next member takes over.
 * The group need not be in VsyncModule's `groups`: only the process must be in the system (it is once any group in
 * `join` is joined, or on its own after start).
 */
@Injectable()
export class GroupClients {
  private readonly clients = new Map<string, NamedGroupClient>();

  constructor(@Inject(VsyncProcess) private readonly process: VsyncProcess) {}

  /** The client of `group`, created on first use with `options` (later calls share it). */
  get(group: string, options?: GroupClientOptions): NamedGroupClient {
    let client = this.clients.get(group);
    if (client === undefined) {
      client = new NamedGroupClient(new GroupClient(group, this.process, options));
      this.clients.set(group, client);
    }
    return client;
  }
}
