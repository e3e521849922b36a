export {
  TransferPlan,
  DEFAULT_TRANSFER_PLAN,
  type TransferInput,
  type TransferEffect,
  type TransferPlanConfig,
} from './transfer-plan';
