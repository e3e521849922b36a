import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** PEM files of one certificate authority and certificates it signed, made with openssl for a test. */
export interface TestCa {
  readonly dir: string;
  readonly caFile: string;
  /** Makes a certificate signed by this CA; returns the paths of its PEM certificate and key. */
  issue(name: string): { readonly certFile: string; readonly keyFile: string };
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: 'pipe' });
}

/** A fresh CA in a temporary directory (EC P-256 keys: fast to make). */
export function makeTestCa(name: string): TestCa {
  const dir = mkdtempSync(join(tmpdir(), `vsync-tls-${name}-`));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    ['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', `/CN=${name}`],
    dir,
  );
  // A leaf certificate usable by both ends of a connection (server and client authentication).
  writeFileSync(
    join(dir, 'leaf.ext'),
    'extendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=IP:127.0.0.1\n',
  );
  return {
    dir,
    caFile: join(dir, 'ca.pem'),
    issue(leaf: string) {
      openssl(
        ['req', '-new', ...ec, '-keyout', `${leaf}.key`, '-out', `${leaf}.csr`, '-subj', `/CN=${leaf}`],
        dir,
      );
      const sign = [
        'x509',
        '-req',
        '-in',
        `${leaf}.csr`,
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
      ];
      openssl([...sign, '-out', `${leaf}.pem`, '-days', '2', '-extfile', 'leaf.ext'], dir);
      return { certFile: join(dir, `${leaf}.pem`), keyFile: join(dir, `${leaf}.key`) };
    },
  };
}

/** The PEM text of a file, for options that take the material inline. */
export function pemOf(file: string): string {
  return readFileSync(file, 'utf8');
}
