import { BranchEnd, MeasurementKind } from '@gridcloud/grid';
import { describe, expect, it } from 'vitest';
import { ChannelMapError } from '../errors/channel-map-error';
import { loadCase } from '../testing/grid-fixture';
import { parseChannelMap } from './channel-map';
import { bindCatalog } from './measurement-layout';

const net = loadCase('case14');
const channel = (
  name: string,
  isCurrent: boolean,
): { name: string; isCurrent: boolean; phunitScale: number } => ({
  name,
  isCurrent,
  phunitScale: 1,
});

describe('bindCatalog', () => {
  it("maps pmu-sim's names to voltages and branch-end currents, and lists what it cannot place with the reason", () => {
    // case14 branch row 0 joins buses 1 and 2.
    const catalog = {
      version: 1,
      pmus: [
        {
          idcode: 5,
          station: 'S',
          cfgcnt: 1,
          channels: [
            channel('V2', false),
            channel('I2-1#0', true),
            channel('I1-2#0', true),
            channel('I2-9#0', true),
            channel('VA', false),
            channel('V99', false),
          ],
        },
      ],
    };
    const layout = bindCatalog(net, catalog, 0.002);
    expect(layout.set.count).toBe(3);
    expect([...layout.set.kind]).toEqual([
      MeasurementKind.VOLTAGE,
      MeasurementKind.CURRENT,
      MeasurementKind.CURRENT,
    ]);
    expect([...layout.set.end.subarray(1)]).toEqual([BranchEnd.TO, BranchEnd.FROM]);
    expect(layout.set.bus[0]).toBe(net.indexOf(2));
    expect([...layout.pmus.get(5)!.rows]).toEqual([0, 1, 2, -1, -1, -1]);
    expect(layout.unmapped.map((u) => [u.channel, u.reason])).toEqual([
      ['I2-9#0', 'branch row 0 does not join buses 2 and 9'],
      ['VA', expect.stringMatching(/no channel-map entry/)],
      ['V99', 'bus 99 is not in the case'],
    ]);
  });

  it('places real channels through a channel-map file, with their per-unit scale', () => {
    const map = parseChannelMap(
      JSON.stringify({
        channels: [
          { idcode: 9, channel: 'VA', kind: 'voltage', busId: 4, scaleToPu: 1e-5 },
          { idcode: 9, channel: 'IA', kind: 'current', busId: 4, branch: 6, scaleToPu: 0.5 },
        ],
      }),
    );
    const catalog = {
      version: 1,
      pmus: [{ idcode: 9, station: 'R', cfgcnt: 1, channels: [channel('VA', false), channel('IA', true)] }],
    };
    const layout = bindCatalog(net, catalog, 0.002, map);
    expect(layout.unmapped).toEqual([]);
    expect([...layout.pmus.get(9)!.scaleToPu]).toEqual([1e-5, 0.5]);
    expect(layout.set.branch[1]).toBe(6);
  });

  it('refuses a malformed channel map naming the entry', () => {
    expect(() =>
      parseChannelMap('{"channels":[{"idcode":1,"channel":"I","kind":"current","busId":2}]}'),
    ).toThrow(ChannelMapError);
    expect(() =>
      parseChannelMap('{"channels":[{"idcode":1,"channel":"I","kind":"current","busId":2}]}'),
    ).toThrow(/channels\[0\]: a current needs branch/);
    expect(() => parseChannelMap('[')).toThrow(/not JSON/);
  });
});
