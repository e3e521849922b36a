import { Group, type GroupClient } from '@gridcloud/vsync';

/** How the snapshot sink reaches the estimator group: as a member (Group) or as a client through a representative. */
export interface EstimatorChannel {
  send(handlerId: number, bytes: Uint8Array): Promise<void>;
  /** Called after each change of the group's members (a member's view, or the client's system view). */
  onMembersChange(listener: () => void): void;
  join(): Promise<void>;
  close(): Promise<void>;
}

export function estimatorChannel(target: Group | GroupClient): EstimatorChannel {
  return target instanceof Group ? memberChannel(target) : clientChannel(target);
}

function memberChannel(group: Group): EstimatorChannel {
  return {
    send: (handlerId, bytes) => group.send(handlerId, bytes),
    onMembersChange: (listener) => void group.onView(() => listener()),
    join: () => group.join(),
    close: () => group.close(),
  };
}

/** The client's process is the app's (VsyncModule closes it); members are read from its system views. */
function clientChannel(client: GroupClient): EstimatorChannel {
  return {
    send: (handlerId, bytes) => client.send(handlerId, bytes),
    onMembersChange: (listener) => {
      let seen = '';
      client.process.onSystemView(() => {
        const now = client
          .members()
          .map((m) => `${m.address}#${m.incarnation}`)
          .join(',');
        if (now !== seen && now !== '') listener();
        seen = now;
      });
    },
    join: () => client.process.start(),
    close: () => Promise.resolve(),
  };
}
