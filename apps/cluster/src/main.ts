/**
 * `npm start`: the whole monitoring cluster on one machine, with no external
 * services. Each role below is a separate OS process embedding libs/vsync; the
 * roles join their groups and the supervisor restarts any that a view reports
 * gone. Until the services exist, this prints the plan and which parts are
 * present in this checkout, and exits.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

interface Role {
  name: string;
  entry: string;
  does: string;
}

const roles: Role[] = [
  { name: 'pmu-sim', entry: 'apps/pmu-sim/src/main.ts', does: 'streams synthetic C37.118 PMU data from a MATPOWER case' },
  { name: 'ingest', entry: 'apps/ingest/src/main.ts', does: 'PDC: decodes and time-aligns PMU frames into snapshots' },
  { name: 'estimator', entry: 'apps/estimator/src/main.ts', does: 'replicated linear state estimator group' },
  { name: 'filestore', entry: 'apps/filestore/src/main.ts', does: 'replicated temporal file store' },
  { name: 'supervisor', entry: 'apps/supervisor/src/main.ts', does: 'restarts processes that group views report gone' },
  { name: 'dashboard', entry: 'apps/dashboard/src/main.ts', does: 'live web dashboard (socket.io)' },
];

function main(): void {
  const lines = roles.map((role) => {
    const present = fs.existsSync(path.join(root, role.entry));
    return `  ${present ? '[present]' : '[planned]'} ${role.name.padEnd(11)}${role.does}`;
  });
  process.stdout.write(
    ['GridCloud cluster: the roles `npm start` runs on this machine', ...lines, '', 'No role can run yet: nothing was started.'].join(
      '\n',
    ) + '\n',
  );
}

main();
