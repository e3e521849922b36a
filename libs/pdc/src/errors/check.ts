import { PdcConfigError } from './pdc-config-error';

/** Validates a numeric option: `name` carries its unit last, so the message says what to pass. */
export function checkRange(name: string, value: number, min: number, max: number, integer = false): number {
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    value >= min &&
    value <= max &&
    (!integer || Number.isInteger(value));
  if (!ok) {
    throw new PdcConfigError(
      `${name} must be ${integer ? 'an integer' : 'a number'} in [${min}, ${max}], got ${String(value)}`,
    );
  }
  return value;
}

/** An invariant of the library itself; breaking it is a bug, not bad input. */
export function invariant(condition: boolean, what: string): asserts condition {
  if (!condition) throw new Error(`invariant violated: ${what}`);
}
