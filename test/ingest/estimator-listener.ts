/**
 * A stand-in member of the estimator group for the ingest -> vsync test: it
 * founds the group on the given port and prints one JSON line per snapshot
 * and per PMU catalog delivered to it, decoded with libs/estimation.
 * Usage: node --import tsx test/ingest/estimator-listener.ts PORT [SEED_PORT]
 * (with SEED_PORT it joins the group a listener on that port founded; each snapshot line names its sender).
 */
import { decodeCatalog, decodeSnapshot } from '@gridcloud/estimation';
import { Group } from '@gridcloud/vsync';
import { CATALOG_HANDLER, SNAPSHOT_HANDLER } from '../../apps/ingest/src/sinks/vsync-snapshot-sink';

const port = Number(process.argv[2]);
const group = new Group('estimators', { bindPort: port, seeds: [`127.0.0.1:${process.argv[3] ?? port}`] });
const print = (line: object): void => void process.stdout.write(`${JSON.stringify(line)}\n`);
group.onError((error) => process.stderr.write(`listener: ${error.message}\n`));
group.onView((view) => print({ event: 'view', id: view.id, members: view.members.length }));
group.handle(SNAPSHOT_HANDLER, (bytes: Uint8Array) => {
  const s = decodeSnapshot(bytes);
  print({
    event: 'delivered',
    sender: group.delivery?.sender.address,
    slot: s.slot,
    complete: s.complete,
    catalogVersion: s.catalogVersion,
    pmus: [...s.idcodes],
    channels: Array.from(s.idcodes, (_, p) => s.phasorStart[p + 1] - s.phasorStart[p]),
  });
});
group.handle(CATALOG_HANDLER, (bytes: Uint8Array) => {
  const c = decodeCatalog(bytes);
  print({
    event: 'catalog',
    version: c.version,
    pmus: c.pmus.map((p) => ({ idcode: p.idcode, channels: p.channels.map((ch) => ch.name) })),
  });
});
await group.join();
print({ event: 'ready', port });
process.on('SIGTERM', () => void group.close().then(() => process.exit(0)));
