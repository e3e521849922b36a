import fs from 'node:fs';
import { ListenError, RuntimePauses } from '@gridcloud/command-line';
import {
  encodeFrame,
  FrameEncodeError,
  PmuServer,
  systemFrameTime,
  type PmuIdentity,
} from '@gridcloud/c37118';
import { CaseFormatError, parseMatpowerCase, SeededRandom, type PowerCase } from '@gridcloud/grid';
import type { SimOptions } from '../config/sim-options';
import { CaseFileError } from '../errors/case-file-error';
import { SimConfigError } from '../errors/sim-config-error';
import { GridTruth } from '../model/grid-truth';
import { PmuSimulator } from '../model/pmu-simulator';
import { KafkaFrameProducer } from './kafka-frame-producer';
import { LookAheadTruth } from './look-ahead-truth';
import { TruthWriter } from './truth-writer';
import { UdpFrameSender } from './udp-frame-sender';
import { config3Of } from '../wire/config3';
import { streamIdentity } from '../wire/stream-identity';

/** The runtime shell: a wall-clock loop asking the simulator for each reporting instant and handing frames to the transports. */
export class PmuSimApp {
  readonly sim: PmuSimulator;
  slotsSent = 0;
  slotsSkipped = 0;
  private tcp: PmuServer | undefined;
  private udp: UdpFrameSender | undefined;
  private kafka: KafkaFrameProducer | undefined;
  private truth: TruthWriter | undefined;
  private lookAhead: LookAheadTruth | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastSlot: number | undefined;
  private lastConfigMs = 0;
  private readonly caseName: string;
  /** How late the event loop ran and how long collections paused it since the last report: frames go out this late. */
  private readonly pauses = new RuntimePauses();

  constructor(
    readonly options: SimOptions,
    private readonly log: (line: string) => void,
  ) {
    // The case first: a bad --case fails here, before any socket, file or timer exists.
    const powerCase = loadCase(options.casePath);
    const grid = new GridTruth(powerCase, options.placement);
    this.caseName = powerCase.name;
    const pmuCount = options.pmuCount ?? grid.pmuBuses.length;
    this.sim = new PmuSimulator({ ...options.model, pmuCount }, grid, new SeededRandom(options.seed));
    validateAgainstModel(this.sim);
  }

  /** Starts the transports and the clock; resolves with the TCP port (0 when there is no TCP listener). */
  async start(): Promise<number> {
    const o = this.options;
    let port = 0;
    if (o.tcp !== undefined) port = await this.listenTcp(o.tcp.host, o.tcp.port);
    if (o.udpTargets.length > 0) this.udp = new UdpFrameSender(o.udpTargets, (id) => this.identityOf(id));
    if (o.kafkaBrokers.length > 0) {
      this.kafka = new KafkaFrameProducer(o.kafkaBrokers, o.kafkaTopic, o.maxKafkaQueueFrames);
      await this.kafka.connect();
    }
    if (o.truthLookAheadPoints > 0) {
      this.lookAhead = new LookAheadTruth(this.sim.grid, this.sim.schedule, o.truthLookAheadPoints);
      this.sim.useTruthSource(this.lookAhead);
    }
    if (o.truthPath !== undefined) {
      this.truth = new TruthWriter(o.truthPath);
      this.truth.writeMeta(this.sim, this.caseName);
    }
    this.pauses.start();
    this.wake();
    return port;
  }

  private identityOf(idcode: number): PmuIdentity | undefined {
    const stream = this.sim.streamById(idcode);
    return stream === undefined ? undefined : streamIdentity(stream);
  }

  /** One listener for every stream, answering with each stream's configuration in force. */
  private async listenTcp(host: string, port: number): Promise<number> {
    const o = this.options;
    const server = new PmuServer((id) => this.identityOf(id), {
      host,
      port,
      maxConnections: o.maxTcpClients,
      maxSendQueueBytes: o.maxSocketBufferBytes,
      now: () => systemFrameTime(),
    });
    server.onRefusal = (peer, message) => this.log(`tcp client ${peer}: ${message}`);
    try {
      const address = await server.listen();
      this.tcp = server;
      return address.port;
    } catch (error) {
      throw new ListenError('--tcp', `${host}:${port}`, error as NodeJS.ErrnoException);
    }
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.pauses.stop();
    await this.tcp?.close();
    this.udp?.close();
    await this.kafka?.close();
    await this.truth?.close();
    await this.lookAhead?.close();
  }

  counters(): Record<string, unknown> {
    return {
      slotsSent: this.slotsSent,
      slotsSkipped: this.slotsSkipped,
      ...this.pauses.take(),
      resolveFailures: this.sim.resolveFailures,
      truthLookAhead: this.lookAhead?.counters,
      tcp: this.tcp?.counters,
      udp:
        this.udp === undefined
          ? undefined
          : {
              framesSent: this.udp.framesSent,
              sendErrors: this.udp.sendErrors,
              repliesSent: this.udp.repliesSent,
              requestsIgnored: this.udp.requestsIgnored,
            },
      kafka:
        this.kafka === undefined
          ? undefined
          : {
              framesSent: this.kafka.framesSent,
              framesDropped: this.kafka.framesDropped,
              sendErrors: this.kafka.sendErrors,
            },
    };
  }

  private wake(): void {
    const fps = this.sim.options.framesPerSecond;
    const nowMs = Date.now();
    const nowSlot = Math.floor((nowMs * fps) / 1000);
    const first =
      this.lastSlot === undefined
        ? nowSlot
        : Math.max(this.lastSlot + 1, nowSlot - this.options.maxCatchUpFrames + 1);
    if (this.lastSlot !== undefined) this.slotsSkipped += first - this.lastSlot - 1;
    if (this.udp !== undefined || this.kafka !== undefined) this.maybeSendConfigs(nowMs);
    for (let slot = first; slot <= nowSlot; slot += 1) this.emit(slot);
    this.lastSlot = Math.max(this.lastSlot ?? nowSlot, nowSlot);
    const nextMs = ((nowSlot + 1) * 1000) / fps;
    this.timer = setTimeout(() => this.wake(), Math.max(0, Math.ceil(nextMs - Date.now())));
  }

  private emit(slot: number): void {
    const record = this.sim.advance(slot);
    if (record !== undefined) this.truth?.writeTruth(record);
    for (const { stream, bytes } of this.sim.framesAt(slot)) {
      this.tcp?.publish(stream.idcode, bytes);
      this.udp?.send(bytes);
      this.kafka?.enqueue(stream.idcode, bytes);
    }
    this.slotsSent += 1;
  }

  private maybeSendConfigs(nowMs: number): void {
    if (nowMs - this.lastConfigMs < this.options.configIntervalMs) return;
    this.lastConfigMs = nowMs;
    const time = { soc: Math.floor(nowMs / 1000), fracsec: 0 };
    for (const s of this.sim.streams) {
      const bytes = encodeFrame({ ...s.config, ...time });
      this.udp?.send(bytes);
      this.kafka?.enqueue(s.idcode, bytes);
    }
  }
}

/** Reads and parses the --case file; a CaseFileError (one line naming the flag and the path) when it cannot. */
export function loadCase(path: string): PowerCase {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (error) {
    const why =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new CaseFileError(
      `--case ${path} cannot be read (${why}); pass a MATPOWER .m file such as data/cases/case14.m`,
    );
  }
  try {
    return parseMatpowerCase(text, path);
  } catch (error) {
    if (error instanceof CaseFormatError)
      throw new CaseFileError(`--case ${path} is not a MATPOWER case: ${error.message.split('\n')[0]}`);
    throw error;
  }
}

/** Scenario events must name PMUs and branches that exist, and IDCODEs must fit 16 bits without clashing. */
function validateAgainstModel(sim: PmuSimulator): void {
  const ids = new Set(sim.pmus.map((p) => p.idcode));
  const last = sim.pmus[sim.pmus.length - 1].idcode;
  if (last > 65_535)
    throw new SimConfigError(`--idcode-base plus --pmus exceeds IDCODE 65535 (last PMU would be ${last})`);
  for (const s of sim.streams) {
    if (s.idcode > 65_535)
      throw new SimConfigError(`--stream-idcode-base gives stream IDCODE ${s.idcode} > 65535`);
    const ownPmu = s.pmus.length === 1 && s.pmus[0].idcode === s.idcode;
    if (!ownPmu && ids.has(s.idcode))
      throw new SimConfigError(
        `stream IDCODE ${s.idcode} clashes with a PMU IDCODE; move --stream-idcode-base`,
      );
  }
  for (const idcode of sim.options.streamFormats?.keys() ?? []) {
    if (sim.streamById(idcode) === undefined)
      throw new SimConfigError(
        `--stream-format names stream IDCODE ${idcode}, which this simulation does not have`,
      );
  }
  for (const s of sim.streams) {
    // A per-stream format with analogs and digitals can grow a packed stream's CFG-2 or CFG-3 past one frame.
    try {
      encodeFrame(s.config);
      encodeFrame(config3Of(s.config));
    } catch (error) {
      if (!(error instanceof FrameEncodeError)) throw error;
      throw new SimConfigError(
        `stream ${s.idcode}'s configuration does not fit one C37.118 frame in its format (${error.message}); give it fewer PMUs (--pmus-per-stream K)`,
      );
    }
  }
  for (const e of sim.options.events) {
    if (e.kind === 'trip-line' && e.branch >= sim.grid.baseNet.branchCount) {
      throw new SimConfigError(
        `--trip-line branch ${e.branch} does not exist: the case has ${sim.grid.baseNet.branchCount} branches (0-based rows)`,
      );
    }
    if (e.kind === 'config-change') {
      if (sim.streamById(e.idcode) === undefined)
        throw new SimConfigError(
          `--config-change names stream IDCODE ${e.idcode}, which this simulation does not have`,
        );
      continue;
    }
    if (e.kind !== 'trip-line' && !ids.has(e.idcode))
      throw new SimConfigError(
        `--${e.kind} names IDCODE ${e.idcode}, which is not a simulated PMU (${sim.pmus[0].idcode}..${last})`,
      );
  }
}
