/**
 * Writes the pcapng and IPv6 fixtures into data/pcaps (see `capture-fixtures.ts`):
 *
 *   npx tsx libs/c37118/src/testing/write-capture-fixtures.ts
 */
import { writeFileSync } from 'node:fs';
import { CAPTURE_FIXTURES, makeFixture } from './capture-fixtures';
import { PCAP_DIR } from './pcap-readme';

for (const fixture of CAPTURE_FIXTURES) {
  const bytes = makeFixture(fixture);
  writeFileSync(`${PCAP_DIR}${fixture.file}`, bytes);
  process.stdout.write(
    `${fixture.file}: ${bytes.length} bytes from ${fixture.source ?? "the project's own frames"}\n`,
  );
}
