/**
 * A stand-in member of the estimator group for the ingest -> vsync test: it
 * founds the group on the given port and prints one JSON line per snapshot
 * delivered to it. Usage: node --import tsx test/ingest/estimator-listener.ts PORT
 */
import { Group } from '@gridcloud/vsync';
import { SNAPSHOT_HANDLER } from '../../apps/ingest/src/sinks/vsync-snapshot-sink';

const port = Number(process.argv[2]);
const group = new Group('estimators', { bindPort: port, seeds: [`127.0.0.1:${port}`] });
group.onView((view) =>
  process.stdout.write(`${JSON.stringify({ event: 'view', id: view.id, members: view.members.length })}\n`),
);
group.handle(
  SNAPSHOT_HANDLER,
  (snapshot: { slot: number; complete: boolean; pmus: { idcode: number; phasors: number[] }[] }) => {
    const line = {
      event: 'delivered',
      slot: snapshot.slot,
      complete: snapshot.complete,
      pmus: snapshot.pmus.map((p) => p.idcode),
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  },
);
await group.join();
process.stdout.write(`${JSON.stringify({ event: 'ready', port })}\n`);
process.on('SIGTERM', () => void group.close().then(() => process.exit(0)));
