/**
 * The register replica of the query process test as a NestJS app: `@EventPattern('register/put')` applies an
 * orderedSend, `@MessagePattern('register/get')` answers a query with this replica's state. Started as
 * `node --import tsx test/vsync/query/register.ts '{"name","seeds","founder"}'`; prints one JSON object a line:
 * ready (address), view (members). Stops on SIGTERM; the test also SIGKILLs it.
 */
import 'reflect-metadata';
import { Controller, Inject, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { formatProcess, VsyncProcess, type View } from '@gridcloud/vsync';
import { OnView, VsyncModule, VsyncServer } from '@gridcloud/nest-vsync';

interface Options {
  readonly name: string;
  readonly seeds?: string[];
  readonly founder?: boolean;
}

/** The replicated state: the last value put and how many puts were applied, the same at every replica. */
export interface RegisterState {
  readonly value: number;
  readonly applied: number;
}

const options = JSON.parse(process.argv[2] ?? '{}') as Options;
const print = (event: Record<string, unknown>): void =>
  void process.stdout.write(`${JSON.stringify(event)}\n`);

@Injectable()
class Register {
  private state: RegisterState = { value: 0, applied: 0 };

  put(value: number): void {
    this.state = { value, applied: this.state.applied + 1 };
  }

  get(): RegisterState {
    return this.state;
  }

  @OnView('register')
  onView(view: View): void {
    print({ event: 'view', id: view.id, members: view.members.map(formatProcess) });
  }
}

@Controller()
class RegisterHandlers {
  constructor(@Inject(Register) private readonly register: Register) {}

  @EventPattern<string>('register/put')
  put(@Payload() value: number): void {
    this.register.put(value);
  }

  @MessagePattern<string>('register/get')
  get(): RegisterState {
    return this.register.get();
  }
}

@Module({
  imports: [
    VsyncModule.forRoot({
      seeds: options.seeds,
      founder: options.founder,
      groups: ['register'],
      shutdownLingerMs: 50,
    }),
  ],
  controllers: [RegisterHandlers],
  providers: [Register],
})
class RegisterModule {}

async function main(): Promise<void> {
  // No HTTP listener: the app exists to serve the group through VsyncServer.
  const app = await NestFactory.create(RegisterModule, { logger: ['error', 'warn'] });
  app.enableShutdownHooks();
  app.connectMicroservice({ strategy: app.get(VsyncServer) });
  await app.init();
  await app.startAllMicroservices();
  const vsync = app.get(VsyncProcess);
  print({ event: 'ready', address: vsync.self.address, id: formatProcess(vsync.self) });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${options.name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
