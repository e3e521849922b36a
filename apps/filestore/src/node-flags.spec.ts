import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { FILESTORE_NODE_FLAGS } from './node-flags';

describe('the file store replicas node flags', () => {
  it.each(['apps/cluster/desired-state.yaml', 'apps/cluster/compose-desired-state.yaml'])(
    'are the ones %s launches its replicas with',
    (file) => {
      const state = parse(fs.readFileSync(file, 'utf8')) as {
        services: Record<string, { entry?: string; nodeFlags?: string[] }>;
      };
      expect(state.services.filestore.entry).toBe('apps/filestore/src/main.ts');
      expect(state.services.filestore.nodeFlags).toEqual(FILESTORE_NODE_FLAGS);
    },
  );
});
