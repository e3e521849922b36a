import { describe, expect, it } from 'vitest';
import { MeasurementModel } from '../estimator/measurement-model';
import { observableColumns } from '../estimator/observability';
import { MeasurementKind } from '../measurements/measurement-set';
import { synthesizeMeasurements } from '../measurements/synthetic-measurements';
import { solvePowerFlow } from '../powerflow/newton-raphson';
import { SeededRandom } from '../random/seeded-random';
import { loadCaseNetwork } from '../testing/case-files';
import { placePmus } from './pmu-placement';

/** Which PMU (by position in `pmus`) took each measurement row. */
function ownerOfRows(pmus: Int32Array, kinds: Uint8Array): number[] {
  const owner: number[] = [];
  let current = -1;
  for (const k of kinds) {
    if (k === MeasurementKind.VOLTAGE) current++;
    owner.push(current);
  }
  expect(current).toBe(pmus.length - 1);
  return owner;
}

describe('placePmus', () => {
  for (const name of ['case14', 'case30', 'case57', 'case118']) {
    it(`${name}: greedy placement makes every bus observable with fewer PMUs than buses`, () => {
      const net = loadCaseNetwork(name);
      const pmus = placePmus(net, 'greedy');
      expect(pmus.length).toBeLessThan(net.busCount / 2);
      const set = synthesizeMeasurements(net, solvePowerFlow(net), pmus, 0, new SeededRandom(1));
      const model = MeasurementModel.central(net, set);
      expect(observableColumns(model, new Uint8Array(set.count).fill(1)).every((o) => o === 1)).toBe(true);
    });

    it(`${name}: redundant placement stays observable after losing any one PMU`, () => {
      const net = loadCaseNetwork(name);
      const pmus = placePmus(net, 'redundant');
      const set = synthesizeMeasurements(net, solvePowerFlow(net), pmus, 0, new SeededRandom(1));
      const model = MeasurementModel.central(net, set);
      const owner = ownerOfRows(pmus, set.kind);
      for (let lost = 0; lost < pmus.length; lost++) {
        const present = Uint8Array.from(owner, (o) => (o === lost ? 0 : 1));
        const observable = observableColumns(model, present);
        expect(
          observable.every((o) => o === 1),
          `losing the PMU at bus ${net.busIds[pmus[lost]]}`,
        ).toBe(true);
      }
    });
  }

  it("'all' puts a PMU at every bus", () => {
    const net = loadCaseNetwork('case14');
    expect([...placePmus(net, 'all')]).toEqual([...Array(14).keys()]);
  });
});
