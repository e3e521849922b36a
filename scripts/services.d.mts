export declare class ServiceUnavailableError extends Error {
  readonly service: string;
}
export declare const serviceNames: string[];
export declare function up(names?: string[], env?: NodeJS.ProcessEnv): Promise<{ started: string[] }>;
export declare function down(names?: string[], env?: NodeJS.ProcessEnv): Promise<{ stopped: string[] }>;
export declare function status(env?: NodeJS.ProcessEnv): Promise<string[]>;
export declare function ensureMavenLibs(options: {
  service: string;
  pom: string;
  artifact: string;
  versionProperty: string;
  version: string;
  libsDir: string;
}): void;
