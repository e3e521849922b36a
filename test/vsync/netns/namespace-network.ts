/**
 * A private network of Linux network namespaces for real-partition tests: one namespace per member, each with one
 * veth link ("access link") to a switch namespace, where two bridges ("racks") are joined by one veth pair ("trunk").
 * Nothing is created in the host's own namespace and every address is in 10.231.0.0/24 on these bridges, so no
 * packet of the test can leave them. A partition is a link taken down: an access link isolates one member, the trunk
 * splits rack A from rack B. Deleting the namespaces removes every veth and bridge with them.
 */
import { execFileSync } from 'node:child_process';

/** Every namespace of this library starts with it, so leftovers of a killed run can be recognised. */
const PREFIX = 'gcv';
const SUBNET = '10.231.0';
const FIRST_HOST = 10;
/** Bounds every `ip` call, so a wedged kernel call fails the test instead of hanging it. */
const IP_TIMEOUT_MS = 10_000;
export const MAX_MEMBERS = 100;

export class NamespaceNetworkError extends Error {
  override readonly name = 'NamespaceNetworkError';
}

export interface NetworkMember {
  readonly namespace: string;
  readonly host: string;
  readonly rack: 'A' | 'B';
  /** The switch-side end of this member's access link. */
  readonly port: string;
}

function ip(...args: string[]): void {
  try {
    execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: IP_TIMEOUT_MS });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new NamespaceNetworkError(`ip ${args.join(' ')} failed: ${stderr || (error as Error).message}`);
  }
}

function listNamespaces(): string[] {
  const out = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8', timeout: IP_TIMEOUT_MS });
  return out
    .split('\n')
    .map((line) => line.split(' ')[0])
    .filter((name) => name.length > 0);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Removes the namespaces of earlier runs whose test process no longer exists (a run killed before its cleanup). */
export function removeOrphanedNamespaces(): string[] {
  const orphans = listNamespaces().filter((name) => {
    const match = new RegExp(`^${PREFIX}(\\d+)x`).exec(name);
    return match !== null && !processAlive(Number(match[1]));
  });
  for (const name of orphans) ip('netns', 'del', name);
  return orphans;
}

/**
 * Why namespaces cannot be used here, or undefined when they can. It really creates and deletes one namespace with
 * a bridge, because only the kernel knows whether that is allowed.
 */
export function namespacesUnavailable(): string | undefined {
  if (process.platform !== 'linux') return `needs Linux, this is ${process.platform}`;
  if (process.getuid?.() !== 0) return 'needs root to create network namespaces';
  const probe = `${PREFIX}${process.pid}xprobe`;
  try {
    ip('netns', 'add', probe);
    ip('-n', probe, 'link', 'add', 'br0', 'type', 'bridge');
    return undefined;
  } catch (error) {
    return (error as Error).message;
  } finally {
    try {
      if (listNamespaces().includes(probe)) ip('netns', 'del', probe);
    } catch {
      // `ip` itself is missing: the message above already says so.
    }
  }
}

export class NamespaceNetwork {
  readonly members: NetworkMember[] = [];
  private readonly switchNamespace: string;
  private readonly created: string[] = [];
  private readonly onExit = (): void => this.destroy();

  /** `rackA` members are 0..rackA-1, the rest are in rack B. */
  constructor(count: number, rackA: number) {
    if (!Number.isInteger(count) || count < 1 || count > MAX_MEMBERS)
      throw new NamespaceNetworkError(`member count ${count} is not in 1..${MAX_MEMBERS}`);
    const run = `${PREFIX}${process.pid}x${Math.random().toString(36).slice(2, 7)}`;
    this.switchNamespace = `${run}-sw`;
    for (let i = 0; i < count; i += 1)
      this.members.push({
        namespace: `${run}-m${i}`,
        host: `${SUBNET}.${FIRST_HOST + i}`,
        rack: i < rackA ? 'A' : 'B',
        port: `p${i}`,
      });
  }

  /** Builds the namespaces, bridges and links; on any failure removes what it made and throws. */
  create(): void {
    process.once('exit', this.onExit);
    try {
      this.addNamespace(this.switchNamespace);
      this.createSwitch();
      for (const member of this.members) this.createMember(member);
    } catch (error) {
      this.destroy();
      throw error;
    }
  }

  /** The command prefix that runs a program inside a member's namespace. */
  launcher(index: number): string[] {
    return ['ip', 'netns', 'exec', this.members[index].namespace];
  }

  cutMember(index: number): void {
    this.setSwitchLink(this.members[index].port, 'down');
  }

  healMember(index: number): void {
    this.setSwitchLink(this.members[index].port, 'up');
  }

  /** Splits rack A from rack B: members within each rack still reach each other. */
  cutTrunk(): void {
    this.setSwitchLink('trunkA', 'down');
  }

  healTrunk(): void {
    this.setSwitchLink('trunkA', 'up');
  }

  /** Deletes every namespace this network made (and with them its veths and bridges); safe to call twice. */
  destroy(): void {
    process.removeListener('exit', this.onExit);
    const existing = new Set(listNamespaces());
    for (const name of this.created.splice(0)) if (existing.has(name)) ip('netns', 'del', name);
  }

  /** Namespaces of this network still present in the kernel (empty after destroy). */
  remaining(): string[] {
    const ours = new Set([this.switchNamespace, ...this.members.map((m) => m.namespace)]);
    return listNamespaces().filter((name) => ours.has(name));
  }

  private addNamespace(name: string): void {
    ip('netns', 'add', name);
    this.created.push(name);
    ip('-n', name, 'link', 'set', 'lo', 'up');
  }

  private createSwitch(): void {
    const sw = this.switchNamespace;
    for (const bridge of ['rackA', 'rackB']) {
      ip('-n', sw, 'link', 'add', bridge, 'type', 'bridge');
      ip('-n', sw, 'link', 'set', bridge, 'up');
    }
    ip('-n', sw, 'link', 'add', 'trunkA', 'type', 'veth', 'peer', 'name', 'trunkB');
    ip('-n', sw, 'link', 'set', 'trunkA', 'master', 'rackA', 'up');
    ip('-n', sw, 'link', 'set', 'trunkB', 'master', 'rackB', 'up');
  }

  private createMember(member: NetworkMember): void {
    this.addNamespace(member.namespace);
    const sw = this.switchNamespace;
    ip(
      '-n',
      sw,
      'link',
      'add',
      member.port,
      'type',
      'veth',
      'peer',
      'name',
      'eth0',
      'netns',
      member.namespace,
    );
    ip('-n', sw, 'link', 'set', member.port, 'master', `rack${member.rack}`, 'up');
    ip('-n', member.namespace, 'addr', 'add', `${member.host}/24`, 'dev', 'eth0');
    ip('-n', member.namespace, 'link', 'set', 'eth0', 'up');
  }

  private setSwitchLink(link: string, state: 'up' | 'down'): void {
    ip('-n', this.switchNamespace, 'link', 'set', link, state);
  }
}
