import { describe, expect, it } from 'vitest';
import { TransportConfigError } from './errors/transport-config-error';
import { DEFAULT_TRANSPORT_CONFIG, resolveTransportConfig } from './transport-config';

function optionRejected(options: Record<string, unknown>): TransportConfigError {
  try {
    resolveTransportConfig(options);
  } catch (error) {
    if (error instanceof TransportConfigError) return error;
    throw error;
  }
  throw new Error('expected a TransportConfigError');
}

describe('resolveTransportConfig', () => {
  it('fills defaults and keeps given values', () => {
    const config = resolveTransportConfig({ bindPort: 7000, flushDelayMs: 2 });
    expect(config).toEqual({ ...DEFAULT_TRANSPORT_CONFIG, bindPort: 7000, flushDelayMs: 2 });
  });

  it('names the option and its range when a bound is out of range', () => {
    const error = optionRejected({ maxFrameBytes: -1 });
    expect(error.option).toBe('maxFrameBytes');
    expect(error.message).toContain('1024..');
    expect(optionRejected({ bindPort: 70000 }).option).toBe('bindPort');
    expect(optionRejected({ flushDelayMs: 1.5 }).option).toBe('flushDelayMs');
  });

  it('checks bounds against each other', () => {
    expect(optionRejected({ maxFrameBytes: 4096, maxBatchBytes: 8192 }).option).toBe('maxBatchBytes');
    expect(optionRejected({ reconnectInitialDelayMs: 500, reconnectMaxDelayMs: 100 }).option).toBe(
      'reconnectMaxDelayMs',
    );
  });

  it('requires an advertised address when binding the wildcard, and a valid one when given', () => {
    expect(optionRejected({ bindHost: '0.0.0.0' }).option).toBe('advertiseAddress');
    expect(optionRejected({ advertiseAddress: 'no-port' }).message).toContain('host:port');
    expect(
      resolveTransportConfig({ bindHost: '0.0.0.0', advertiseAddress: 'node-1:7000' }).advertiseAddress,
    ).toBe('node-1:7000');
  });
});
