/**
 * The bad-data method issue 17 was filed against, run as it was: libs/grid/src at LEGACY_GRID_COMMIT (the last
 * libs/grid commit before the first commit of issue-17 work, c64a405) is extracted from git into a temporary
 * folder and imported, and `estimate(z, [], true)` runs with `normalizedResidualDetection` on, as
 * `gridcloud estimate --bad-data --bad-data-lnr` did (apps/cli/src/commands/estimate.ts at that commit): remove
 * the largest normalized residual while it clears the threshold, re-estimate, never revisit. That code has no
 * zero-injection constraints, so it estimates every frame without them.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { MeasurementModel } from '@gridcloud/grid';

export const LEGACY_GRID_COMMIT = '639cfa77a212ca7e154ad33c097abbf70c527283';

/** The parts of the old libs/grid API the baseline calls (structurally the same as today's). */
interface LegacyGridModule {
  Network: new (c: unknown) => unknown;
  parseMatpowerCase: (text: string, name: string) => unknown;
  MeasurementSet: new (specs: unknown[]) => unknown;
  MeasurementModel: { central: (net: unknown, set: unknown) => LegacyModel };
  LinearStateEstimator: new (model: LegacyModel, options: unknown) => LegacyEstimator;
  DEFAULT_ESTIMATOR_OPTIONS: Record<string, unknown>;
}

/** The old model's coefficient arrays, compared with today's before any trial. */
type LegacyModel = Pick<
  MeasurementModel,
  'rowCount' | 'col1' | 'col2' | 'h1Re' | 'h1Im' | 'h2Re' | 'h2Im' | 'sigma'
>;

interface LegacyEstimator {
  estimate(
    zRe: Float64Array,
    zIm: Float64Array,
    missing: readonly number[],
    badData: boolean,
  ): {
    vRe: Float64Array;
    vIm: Float64Array;
    observable: Uint8Array;
    removed: readonly { row: number }[];
    badDataRemains: boolean;
  };
}

/** One frame through the old method: the rows it removed (ascending) and its estimate. */
export type LegacyRun = (
  zRe: Float64Array,
  zIm: Float64Array,
) => {
  removed: number[];
  badDataRemains: boolean;
  vRe: Float64Array;
  vIm: Float64Array;
  observable: Uint8Array;
};

/** Extracts and imports the old libs/grid; the caller removes `folder` when done. */
export async function loadLegacyGrid(): Promise<{ grid: LegacyGridModule; folder: string }> {
  const root = execFileSync('git', ['rev-parse', '--show-toplevel'], { encoding: 'utf8' }).trim();
  const folder = mkdtempSync(join(tmpdir(), 'bad-data-legacy-'));
  try {
    const archive = execFileSync('git', ['-C', root, 'archive', LEGACY_GRID_COMMIT, 'libs/grid/src'], {
      maxBuffer: 64 * 1024 * 1024,
    });
    execFileSync('tar', ['-x', '-C', folder], { input: archive });
    const url = pathToFileURL(join(folder, 'libs/grid/src/index.ts')).href;
    return { grid: (await import(url)) as LegacyGridModule, folder };
  } catch (error) {
    rmSync(folder, { recursive: true, force: true });
    throw new Error(
      `cannot load libs/grid at ${LEGACY_GRID_COMMIT} from git (the baseline needs the repository's history): ${String(error)}`,
    );
  }
}

/**
 * The old estimator over the same measurements as `model` (today's), checked row by row: the same trials must
 * mean the same H and sigma, else the comparison would be void.
 */
export function legacyRun(
  grid: LegacyGridModule,
  caseText: string,
  caseName: string,
  model: MeasurementModel,
): LegacyRun {
  const net = new grid.Network(grid.parseMatpowerCase(caseText, caseName));
  const specs = Array.from({ length: model.set.count }, (_, i) => model.set.spec(i));
  const old = grid.MeasurementModel.central(net, new grid.MeasurementSet(specs));
  assertSameRows(old, model);
  const options = { ...grid.DEFAULT_ESTIMATOR_OPTIONS, normalizedResidualDetection: true };
  const est = new grid.LinearStateEstimator(old, options);
  return (zRe, zIm) => {
    const report = est.estimate(zRe, zIm, [], true);
    return { ...report, removed: report.removed.map((r) => r.row).sort((a, b) => a - b) };
  };
}

function assertSameRows(old: LegacyModel, model: MeasurementModel): void {
  const fields = ['col1', 'col2', 'h1Re', 'h1Im', 'h2Re', 'h2Im', 'sigma'] as const;
  const differs = (f: (typeof fields)[number]): boolean =>
    old[f].length !== model[f].length || old[f].some((v, i) => v !== model[f][i]);
  const bad = fields.filter(differs);
  if (old.rowCount !== model.rowCount || bad.length > 0)
    throw new Error(`the old libs/grid builds another measurement model (${bad.join(', ') || 'row count'})`);
}
