/** A tiny positional schema language: the codec writes fields in the listed order with no names on the wire. */
export type Schema =
  | 'uint'
  | 'str'
  | 'bytes'
  | 'bool'
  | { readonly enum: readonly string[] }
  | { readonly arr: Schema }
  | { readonly opt: Schema }
  | { readonly obj: readonly (readonly [string, Schema])[] };

const pid: Schema = {
  obj: [
    ['address', 'str'],
    ['incarnation', 'uint'],
  ],
};
const pids: Schema = { arr: pid };
const ballot: Schema = {
  obj: [
    ['round', 'uint'],
    ['leader', pid],
  ],
};
const record: Schema = {
  obj: [
    ['group', 'str'],
    ['sender', pid],
    ['epoch', 'uint'],
    ['seq', 'uint'],
    ['ordering', { enum: ['fifo', 'total', 'safe'] }],
    ['lamport', 'uint'],
    ['payload', 'bytes'],
    ['queryId', 'uint'],
  ],
};
const group: Schema = {
  obj: [
    ['name', 'str'],
    ['viewId', 'uint'],
    ['groupViewId', 'uint'],
    ['members', pids],
    ['secured', 'bool'],
  ],
};
const viewValue: Schema = {
  obj: [
    ['id', 'uint'],
    ['members', pids],
    ['groups', { arr: group }],
    ['joined', pids],
    ['left', pids],
    ['failed', pids],
    ['flush', { arr: record }],
    ['serviceSize', 'uint'],
  ],
};

/* The envelope every message starts with (after its version byte and kind code), written and read field by field
 * by message-codec.ts: from (str address, uint incarnation), uint toIncarnation, uint linkSeq, uint linkAck. */

/** Body schemas by kind. The index in this list is the kind's code on the wire: append only, never reorder. */
export const BODY_SCHEMAS: readonly (readonly [string, readonly (readonly [string, Schema])[]])[] = [
  ['heartbeat', [['viewId', 'uint']]],
  ['linkAck', []],
  ['joinRequest', [['joiner', pid]]],
  ['notMember', [['viewId', 'uint']]],
  [
    'suspect',
    [
      ['viewId', 'uint'],
      ['suspects', pids],
    ],
  ],
  ['leaveSystem', [['viewId', 'uint']]],
  [
    'groupChange',
    [
      ['member', pid],
      ['group', 'str'],
      ['join', 'bool'],
      ['secured', 'bool'],
      ['sponsored', 'bool'],
    ],
  ],
  [
    'flush',
    [
      ['viewId', 'uint'],
      ['ballot', ballot],
    ],
  ],
  [
    'flushOk',
    [
      ['viewId', 'uint'],
      ['ballot', ballot],
      [
        'accepted',
        {
          opt: {
            obj: [
              ['ballot', ballot],
              ['value', viewValue],
            ],
          },
        },
      ],
      ['records', { arr: record }],
    ],
  ],
  [
    'nack',
    [
      ['viewId', 'uint'],
      ['promised', ballot],
    ],
  ],
  [
    'propose',
    [
      ['viewId', 'uint'],
      ['ballot', ballot],
      ['value', viewValue],
    ],
  ],
  [
    'proposeOk',
    [
      ['viewId', 'uint'],
      ['ballot', ballot],
    ],
  ],
  ['commit', [['value', viewValue]]],
  // Written and read by hand (message-codec writeData/readData): records share group, epoch and sender.
  ['data', []],
  [
    'groupAck',
    [
      ['group', 'str'],
      ['epoch', 'uint'],
      ['received', { arr: 'uint' }],
    ],
  ],
  ['systemLive', [['viewId', 'uint']]],
  [
    'recordsPart',
    [
      ['slot', 'uint'],
      ['records', { arr: record }],
    ],
  ],
  ['probe', []],
  ['refound', []],
  [
    'p2p',
    [
      ['group', 'str'],
      ['queryId', 'uint'],
      ['payload', 'bytes'],
    ],
  ],
  [
    'queryReply',
    [
      ['group', 'str'],
      ['queryId', 'uint'],
      ['outcome', { enum: ['value', 'null', 'abort'] }],
      ['payload', 'bytes'],
    ],
  ],
  [
    'groupProof',
    [
      ['group', 'str'],
      ['proof', 'bytes'],
    ],
  ],
  [
    'groupRefused',
    [
      ['group', 'str'],
      ['proof', 'bool'],
    ],
  ],
  [
    'safeAccept',
    [
      ['group', 'str'],
      ['epoch', 'uint'],
      ['through', { arr: 'uint' }],
    ],
  ],
  [
    'orderRequest',
    [
      ['group', 'str'],
      ['epoch', 'uint'],
      ['count', 'uint'],
    ],
  ],
  [
    'orderGrant',
    [
      ['group', 'str'],
      ['epoch', 'uint'],
      ['first', 'uint'],
      ['count', 'uint'],
    ],
  ],
];
