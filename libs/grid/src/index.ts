export { GridError } from './errors/grid-error';
export { CaseFormatError } from './errors/case-format-error';
export { CsvFormatError } from './errors/csv-format-error';
export { SingularSystemError } from './errors/singular-system-error';
export { PowerFlowDivergenceError } from './errors/power-flow-divergence-error';
export { PowerFlowNumericError } from './errors/power-flow-numeric-error';
export { GridConfigError } from './errors/config-error';
export { BusType, type CaseBranch, type CaseBus, type CaseGen, type PowerCase } from './case/power-case';
export { parseMatpowerCase } from './case/matpower-parser';
export {
  DEFAULT_INPUT_LIMITS,
  MAX_BUS_NUMBER,
  validateInputLimits,
  type InputLimits,
} from './case/input-limits';
export type { TextLines } from './case/text-lines';
export { Network, type ComplexCsc } from './network/network';
export { solvePowerFlow } from './powerflow/newton-raphson';
export { DEFAULT_POWER_FLOW_OPTIONS, type PowerFlowOptions } from './powerflow/power-flow-options';
export type { BusVoltages, PowerFlowSolution } from './powerflow/power-flow-solution';
export {
  MeasurementKind,
  BranchEnd,
  MeasurementSet,
  type MeasurementSpec,
} from './measurements/measurement-set';
export { synthesizeMeasurements, branchCurrent, rectangular } from './measurements/synthetic-measurements';
export { SeededRandom, NormalSource, type RandomSource } from './random/seeded-random';
export { ZigguratNormal } from './random/ziggurat-normal';
export { placePmus, PLACEMENT_STRATEGIES, type PlacementStrategy } from './pmu/pmu-placement';
export { MeasurementModel } from './estimator/measurement-model';
export { observableColumns } from './estimator/observability';
export { ZeroInjectionConstraints, zeroInjectionBuses } from './estimator/zero-injection';
export { GainStructure } from './estimator/gain-structure';
export { GainFactor } from './estimator/gain-factor';
export { LinearStateEstimator } from './estimator/linear-state-estimator';
export { residualCovarianceColumn, type CovarianceColumn } from './estimator/residual-covariance';
export { identifyJointly, type JointIdentification } from './estimator/hypothesis-testing';
export type { EstimateReport, ObservabilityReport } from './estimator/estimate-report';
export type { MeasurementCriticality } from './estimator/criticality';
export { DEFAULT_ESTIMATOR_OPTIONS, type EstimatorOptions } from './estimator/estimator-options';
export { chiSquareQuantile, normalQuantile } from './stats/chi-square';
export {
  MEASUREMENT_CSV_HEADER,
  formatMeasurementCsv,
  parseMeasurementCsv,
  type ParsedMeasurements,
} from './measurements/measurement-csv';
export {
  VOLTAGE_CSV_HEADER,
  formatVoltageCsv,
  parseVoltageCsv,
  type ParsedVoltages,
} from './measurements/voltage-csv';
export { partitionBuses } from './estimator/area-partition';
export { AreaEstimator, type AreaEstimate } from './estimator/area-estimator';
export { pmuRowGroups, type PmuRowGroup } from './measurements/pmu-row-groups';
export { TopologyError } from './errors/topology-error';
export { breakerTopology, type BreakerTopology } from './topology/breaker-topology';
export { findIslands, type Island, type IslandMap } from './topology/islands';
export { islandedNetwork } from './topology/islanded-network';
export {
  TopologyEstimator,
  DEFAULT_MAX_CACHED_TOPOLOGIES,
  type IslandEstimate,
  type TopologyEstimate,
  type TopologyModel,
} from './topology/topology-estimator';
export { solveIslandedPowerFlow, type IslandedPowerFlow } from './powerflow/islanded-power-flow';
export {
  ScadaKind,
  ScadaSet,
  DEFAULT_SCADA_NOISE,
  busInjections,
  synthesizeScada,
  type ScadaSpec,
  type ScadaNoise,
} from './hybrid/scada-set';
export {
  NonlinearStateEstimator,
  DEFAULT_NONLINEAR_OPTIONS,
  type NonlinearEstimate,
  type NonlinearEstimatorOptions,
} from './hybrid/nonlinear-state-estimator';
export { HybridEstimator, DEFAULT_HYBRID_OPTIONS, type HybridOptions } from './hybrid/hybrid-estimator';
