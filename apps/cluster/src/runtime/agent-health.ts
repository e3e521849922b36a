import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What GET /health reports of a host agent. */
export interface AgentHealthReport {
  /** In the `agents` group's view: the supervisors' orders reach it. */
  readonly joined: boolean;
  readonly [field: string]: unknown;
}

/**
 * GET /health of a host agent (npm start's and each compose container's): 200 while it is in the `agents` view,
 * 503 otherwise, with the report as JSON; anything else is 404. Plain node:http: the agent is no Nest app and
 * needs nothing else.
 */
export class AgentHealth {
  private readonly server: http.Server;

  constructor(private readonly report: () => AgentHealthReport) {
    this.server = http.createServer((req, res) => this.answer(req, res));
  }

  /** Listens on host:port (0: ephemeral); resolves with the port. */
  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve((this.server.address() as AddressInfo).port));
    });
  }

  /** Stops listening and drops kept-alive connections (a watcher polling /health must not hold the stop). */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private answer(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (req.method !== 'GET' || req.url !== '/health') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /health\n');
      return;
    }
    const report = this.report();
    res.writeHead(report.joined ? 200 : 503, { 'content-type': 'application/json' });
    res.end(`${JSON.stringify(report)}\n`);
  }
}
