export declare const repoRoot: string;
export interface KafkaTopic {
  topic: string;
  numPartitions: number;
}
export interface ServicesConfig {
  host: string;
  stateDir: string;
  dataRoot: string;
  readyTimeoutMs: number;
  stopTimeoutMs: number;
  redis: { port: number };
  influx: { port: number; rpcPort: number; database: string };
  kafka: {
    port: number;
    controllerPort: number;
    version: string;
    heapMb: number;
    libsDir: string;
    topics: KafkaTopic[];
  };
}
export declare function servicesConfig(env?: NodeJS.ProcessEnv): ServicesConfig;
export declare function serviceAddresses(env?: NodeJS.ProcessEnv): {
  redis: { host: string; port: number };
  influx: { host: string; port: number; database: string };
  kafka: { brokers: string[] };
};
