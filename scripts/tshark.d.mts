export declare const TSHARK_PATH: string;
export declare class TsharkUnavailableError extends Error {}
export declare function ensureTshark(): string;
