import { processKey, type ProcessId } from '@gridcloud/vsync';
import { ESTIMATOR_SERVICE_GROUP } from '../wire/group-messages';

/**
 * The workers of one delivery: the members of the `estimators` view that are
 * also members of `service.estimator` in the system view, in view order, as
 * process keys. Ingest is a member of `estimators` but not a worker. Both views
 * are read inside the delivery, where vsync makes them the same at every member.
 */
export function deliveryWorkers(
  estimatorsView: { readonly members: readonly ProcessId[] },
  systemView: {
    readonly groups: readonly { readonly name: string; readonly members: readonly ProcessId[] }[];
  },
): string[] {
  const service = systemView.groups.find((g) => g.name === ESTIMATOR_SERVICE_GROUP);
  const services = new Set((service?.members ?? []).map(processKey));
  return estimatorsView.members.map(processKey).filter((k) => services.has(k));
}
