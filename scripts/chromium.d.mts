export declare const CHROMIUM_PATH: string;
export declare class ChromiumUnavailableError extends Error {}
export declare function ensureChromium(): string;
