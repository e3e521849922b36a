/** One InfluxDB point as the recorder builds it: time in milliseconds since the epoch (written with ms precision). */
export interface InfluxPoint {
  readonly measurement: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly fields: Readonly<Record<string, number | string | boolean>>;
  readonly timeMs: number;
}
