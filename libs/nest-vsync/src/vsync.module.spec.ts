import 'reflect-metadata';
import {
  Controller,
  Inject,
  Injectable,
  Module,
  type INestMicroservice,
  type LoggerService,
} from '@nestjs/common';
import { Ctx, EventPattern, MessagePattern, Payload, RpcException } from '@nestjs/microservices';
import { Test, type TestingModule } from '@nestjs/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from '@gridcloud/command-line';
import { Group, sameProcess, VsyncProcess, type View } from '@gridcloud/vsync';
import {
  GroupClients,
  GroupPublisher,
  InjectGroup,
  OnView,
  SystemViews,
  VsyncContext,
  VsyncGroups,
  VsyncModule,
  VsyncModuleOptionsError,
  VsyncServer,
  messageHandlerId,
  type VsyncModuleOptions,
} from './index';

const FAST = { core: { heartbeatIntervalMs: 20, failureTimeoutMs: 1000 }, shutdownLingerMs: 50 };

interface Received {
  readonly data: unknown;
  readonly context: VsyncContext;
}

@Injectable()
class Inbox {
  readonly received: Received[] = [];
  readonly views: View[] = [];
  failures = 0;

  @OnView('estimators')
  onView(view: View): void {
    this.views.push(view);
  }
}

@Controller()
class SnapshotHandlers {
  constructor(@Inject(Inbox) private readonly inbox: Inbox) {}

  @EventPattern<string>('estimators/snapshot')
  onSnapshot(@Payload() data: unknown, @Ctx() context: VsyncContext): void {
    this.inbox.received.push({ data, context });
  }

  @EventPattern<string>('estimators/poison')
  onPoison(): Promise<void> {
    this.inbox.failures += 1;
    return Promise.reject(new Error('poisoned snapshot'));
  }
}

const opened: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const app of opened.splice(0).reverse()) await app.close();
});

/** Nest's log lines of the running test; printing them would only clutter the run. */
class CapturedLog implements LoggerService {
  readonly errors: string[] = [];
  log(): void {}
  warn(): void {}
  error(message: unknown, ...rest: unknown[]): void {
    this.errors.push(
      [message, ...rest].map((m) => (m instanceof Error ? `${m.message}` : String(m))).join(' '),
    );
  }
}
let log = new CapturedLog();
beforeEach(() => {
  log = new CapturedLog();
});

async function compile(
  options: VsyncModuleOptions,
  extra: Partial<Parameters<typeof Module>[0]> = {},
): Promise<TestingModule> {
  const moduleRef = await Test.createTestingModule({
    imports: [VsyncModule.forRoot(options)],
    ...extra,
  }).compile();
  moduleRef.useLogger(log);
  return moduleRef;
}

/** A worker: serves the estimators group through VsyncServer. */
async function worker(
  port: number,
  seeds: string[],
): Promise<{ ms: INestMicroservice; inbox: Inbox; moduleRef: TestingModule }> {
  const moduleRef = await compile(
    { ...FAST, bindPort: port, seeds, groups: ['estimators'] },
    { controllers: [SnapshotHandlers], providers: [Inbox] },
  );
  const ms = moduleRef.createNestMicroservice({ strategy: moduleRef.get(VsyncServer), logger: log });
  opened.push(ms);
  await ms.listen();
  return { ms, inbox: moduleRef.get(Inbox), moduleRef };
}

/** A publisher: joins the group at bootstrap and sends by message name. */
async function publisher(port: number, seeds: string[]): Promise<TestingModule> {
  const moduleRef = await compile({
    ...FAST,
    bindPort: port,
    seeds,
    founder: false,
    groups: ['estimators'],
    join: ['estimators'],
  });
  opened.push(moduleRef);
  await moduleRef.init();
  return moduleRef;
}

async function until<T>(probe: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('VsyncModule and VsyncServer over real processes on loopback', () => {
  it("delivers a publisher's send to an @EventPattern handler with its context, and fires @OnView", async () => {
    const [portA, portB] = [await freePort(), await freePort()];
    const seeds = [`127.0.0.1:${portA}`];
    const a = await worker(portA, seeds);
    const b = await publisher(portB, seeds);
    const publisherProcess = b.get(VsyncProcess);

    await b.get(GroupPublisher).send('estimators', 'snapshot', { t: 1 });
    await b.get(GroupPublisher).orderedSend('estimators', 'snapshot', 'two', 2);

    const [first, second] = await until(
      () => (a.inbox.received.length >= 2 ? a.inbox.received : undefined),
      'two deliveries',
    );
    expect(first.data).toEqual({ t: 1 });
    expect(second.data).toEqual(['two', 2]);
    expect(first.context.getGroup()).toBe('estimators');
    expect(first.context.getMessage()).toBe('snapshot');
    expect(sameProcess(first.context.getSender(), publisherProcess.self)).toBe(true);
    expect(first.context.getOrdering()).toBe('fifo');
    expect(second.context.getOrdering()).toBe('total');
    expect(first.context.getView()?.systemViewId).toBe(first.context.getViewId());
    expect(first.context.getView()?.members).toHaveLength(2);
    const system = first.context.getSystemView()!;
    expect(system.members.some((m) => sameProcess(m, publisherProcess.self))).toBe(true);

    const views = await until(
      () => (a.inbox.views.some((v) => v.members.length === 2) ? a.inbox.views : undefined),
      'a two-member view',
    );
    expect(views[0].members).toHaveLength(1);
    expect(views.at(-1)!.joined.some((m) => sameProcess(m, publisherProcess.self))).toBe(true);
    // The publisher is a member without handlers: its own sends come back to it and are counted, not logged.
    await until(
      () => b.get(VsyncGroups).unservedDeliveries >= 2 || undefined,
      "the publisher's own deliveries",
    );
    expect(log.errors.filter((line) => line.includes('not registered here'))).toEqual([]);
  });

  it('reports a rejecting handler through the group and keeps delivering', async () => {
    const port = await freePort();
    const a = await worker(port, [`127.0.0.1:${port}`]);
    const group = a.moduleRef.get<Group>(groupTokenOf('estimators'));
    const errors: Error[] = [];
    group.onError((error) => errors.push(error));

    const publisher = a.moduleRef.get(GroupPublisher);
    await publisher.send('estimators', 'poison');
    await publisher.send('estimators', 'snapshot', 'after');

    await until(() => a.inbox.received.length === 1, 'the delivery after the failure');
    await until(() => errors.length === 1, 'the reported failure');
    expect(a.inbox.failures).toBe(1);
    expect(errors[0].message).toContain("@EventPattern('estimators/poison')");
    expect(log.errors.some((line) => line.includes('poisoned snapshot'))).toBe(true);
    expect(log.errors.some((line) => line.includes("@EventPattern('estimators/poison')"))).toBe(true);
  });

  it('streams system views to subscribers and injects groups by name', async () => {
    const port = await freePort();
    const moduleRef = await compile(
      { ...FAST, bindPort: port, groups: ['service.test'], join: ['service.test'] },
      { providers: [GroupUser] },
    );
    opened.push(moduleRef);
    const seen: number[] = [];
    moduleRef.get(SystemViews).views$.subscribe((v) => seen.push(v.id));
    await moduleRef.init();
    expect(moduleRef.get(GroupUser).group.name).toBe('service.test');
    expect(moduleRef.get(GroupUser).group.view?.members).toHaveLength(1);
    expect(seen.length).toBeGreaterThan(0);
    expect(moduleRef.get(SystemViews).current?.groups.map((g) => g.name)).toContain('service.test');
  });
});

@Injectable()
class GroupUser {
  constructor(@InjectGroup('service.test') readonly group: Group) {}
}

function groupTokenOf(name: string): string {
  return `gridcloud:vsync:group:${name}`;
}

describe('VsyncModule.forRootAsync', () => {
  it('takes the options from a factory with injected dependencies, and injects the statically named groups', async () => {
    const port = await freePort();
    const SETTINGS = Symbol('SETTINGS');
    @Module({ providers: [{ provide: SETTINGS, useValue: { port } }], exports: [SETTINGS] })
    class SettingsModule {}
    const moduleRef = await Test.createTestingModule({
      imports: [
        VsyncModule.forRootAsync({
          imports: [SettingsModule],
          inject: [SETTINGS],
          groups: ['service.test'],
          useFactory: (settings: { port: number }) => ({
            ...FAST,
            bindPort: settings.port,
            groups: ['results'],
            join: ['service.test', 'results'],
          }),
        }),
      ],
      providers: [GroupUser],
    }).compile();
    moduleRef.useLogger(log);
    opened.push(moduleRef);
    await moduleRef.init();
    expect(moduleRef.get(GroupUser).group.view?.members).toHaveLength(1);
    expect(moduleRef.get(VsyncProcess).self.address).toBe(`127.0.0.1:${port}`);
    expect(moduleRef.get(VsyncGroups).names).toEqual(['service.test', 'results']);
    expect(
      moduleRef
        .get(VsyncGroups)
        .memberships()
        .every((m) => m.joined),
    ).toBe(true);
  });

  it('names a bad option the factory returned', async () => {
    const compiling = Test.createTestingModule({
      imports: [VsyncModule.forRootAsync({ useFactory: () => ({ groups: ['a'], join: ['b'] }) })],
    }).compile();
    await expect(compiling).rejects.toThrow(/join\[0\] "b" is not one of groups/);
  });
});

describe('VsyncModule options and patterns', () => {
  it('names the option that is wrong', () => {
    expect(() => VsyncModule.forRoot({ groups: ['estimators', ''] })).toThrow(VsyncModuleOptionsError);
    expect(() => VsyncModule.forRoot({ groups: ['estimators', ''] })).toThrow(/^groups\[1\] /);
    expect(() => VsyncModule.forRoot({ groups: ['a', 'a'] })).toThrow(/groups\[1\] 'a' is listed twice/);
    expect(() => VsyncModule.forRoot({ groups: ['a'], join: ['b'] })).toThrow(
      /join\[0\] "b" is not one of groups/,
    );
    expect(() => VsyncModule.forRoot({ groups: ['a/b'] })).toThrow(
      /groups\[0\] 'a\/b' must not contain '\/'/,
    );
    expect(() => VsyncModule.forRoot({ groups: [], joinTimeoutMs: 0 })).toThrow(/joinTimeoutMs/);
  });

  it('names a bad process option when the module is created', async () => {
    await expect(compile({ groups: [], bindPort: 70_000 })).rejects.toThrow(VsyncModuleOptionsError);
    await expect(compile({ groups: [], bindPort: 70_000 })).rejects.toThrow(
      /^bindPort (?!invalid vsync option)/,
    );
    await expect(compile({ groups: [], core: { heartbeatIntervalMs: -1 } })).rejects.toThrow(
      /^core\.heartbeatIntervalMs must be a positive integer/,
    );
  });

  it('@MessagePattern answers queries: each member returns one reply; a GroupClient outside the group asks too', async () => {
    @Controller()
    class Asks {
      constructor(@Inject(VsyncProcess) private readonly process: VsyncProcess) {}

      @MessagePattern<string>('estimators/whoami')
      async whoami(@Payload() prefix: string, @Ctx() context: VsyncContext): Promise<string> {
        await new Promise((resolve) => setTimeout(resolve, 5));
        return `${prefix}:${this.process.self.address}:${context.getOrdering()}`;
      }

      @MessagePattern<string>('estimators/refuse')
      refuse(): never {
        // Nest hands an RpcException's message on; any other error becomes 'Internal server error'.
        throw new RpcException('not today');
      }
    }
    const [portA, portB, portC] = [await freePort(), await freePort(), await freePort()];
    const seeds = [`127.0.0.1:${portA}`];
    const member = async (port: number): Promise<TestingModule> => {
      const options = { ...FAST, bindPort: port, seeds, founder: port === portA, groups: ['estimators'] };
      const moduleRef = await compile(options, { controllers: [Asks] });
      const ms = moduleRef.createNestMicroservice({ strategy: moduleRef.get(VsyncServer), logger: log });
      opened.push(ms);
      await ms.listen();
      return moduleRef;
    };
    const a = await member(portA);
    await member(portB);
    const group = a.get<Group>(groupTokenOf('estimators'));
    await until(() => group.view?.members.length === 2 || undefined, 'a two-member view');

    const answers = await a.get(GroupPublisher).query<string>('estimators', 'whoami', 'all', 'hi');
    expect(answers).toEqual([`hi:127.0.0.1:${portA}:fifo`, `hi:127.0.0.1:${portB}:fifo`]);
    const ordered = await a.get(GroupPublisher).orderedQuery<string>('estimators', 'whoami', 1, 'o');
    expect(ordered).toHaveLength(1);
    await expect(a.get(GroupPublisher).query('estimators', 'refuse', 'all')).rejects.toThrow(/not today/);

    // A process in the system but not in the group calls it through a representative member.
    const outsider = await compile({
      ...FAST,
      bindPort: portC,
      seeds,
      founder: false,
      groups: ['lobby'],
      join: ['lobby'],
    });
    opened.push(outsider);
    await outsider.init();
    const client = outsider.get(GroupClients).get('estimators');
    const viaClient = await client.query<string>('all', 'whoami', 'c');
    expect(viaClient).toEqual([`c:127.0.0.1:${portA}:fifo`, `c:127.0.0.1:${portB}:fifo`]);
    expect(client.client.representative).toBeDefined();
  });

  it('refuses two message names of one group that hash to the same handler id, naming both', async () => {
    // Found by search: FNV-1a maps both names to 3922701601.
    expect(messageHandlerId('m763399')).toBe(messageHandlerId('m1109514'));
    @Controller()
    class Colliding {
      @EventPattern<string>('estimators/m763399')
      first(): void {}

      @EventPattern<string>('estimators/m1109514')
      second(): void {}
    }
    const moduleRef = await compile({ ...FAST, groups: ['estimators'] }, { controllers: [Colliding] });
    const ms = moduleRef.createNestMicroservice({ strategy: moduleRef.get(VsyncServer), logger: false });
    opened.push(ms);
    await expect(ms.listen()).rejects.toThrow(
      "messages 'm763399' and 'm1109514' of group 'estimators' hash to the same handler id 3922701601",
    );
    expect(moduleRef.get(VsyncGroups).memberships()).toEqual([]);
  });

  it('refuses @OnView for a group the module does not list, naming the method', async () => {
    @Injectable()
    class Stray {
      @OnView('results')
      onView(): void {}
    }
    const compiled = await compile({ ...FAST, groups: ['estimators'] }, { providers: [Stray] });
    opened.push(compiled);
    await expect(compiled.init()).rejects.toThrow(
      "does not list 'results', needed by @OnView('results') on Stray.onView",
    );
  });

  it('rejects a pattern naming a group the module does not list', async () => {
    @Controller()
    class Stray {
      @EventPattern<string>('results/estimate')
      on(): void {}
    }
    const moduleRef = await compile({ ...FAST, groups: ['estimators'] }, { controllers: [Stray] });
    const ms = moduleRef.createNestMicroservice({ strategy: moduleRef.get(VsyncServer), logger: false });
    opened.push(ms);
    await expect(ms.listen()).rejects.toThrow(/names group 'results'/);
  });
});
