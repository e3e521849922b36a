/**
 * CRC-CCITT as C37.118.2 specifies it for the CHK word: polynomial 0x1021,
 * initial value 0xFFFF, no reflection, no final XOR. The check value of the
 * ASCII string "123456789" is 0x29B1.
 */
const TABLE: Uint16Array = buildTable();
/** TABLE2[x]: the CRC contribution of byte x followed by a zero byte, for two bytes per step. */
const TABLE2: Uint16Array = buildPairTable(TABLE);

function buildTable(): Uint16Array {
  const table = new Uint16Array(256);
  for (let byte = 0; byte < 256; byte += 1) {
    let crc = byte << 8;
    for (let bit = 0; bit < 8; bit += 1) {
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    }
    table[byte] = crc;
  }
  return table;
}

function buildPairTable(t: Uint16Array): Uint16Array {
  const pair = new Uint16Array(256);
  for (let x = 0; x < 256; x += 1) pair[x] = ((t[x] & 0xff) << 8) ^ t[t[x] >> 8];
  return pair;
}

/**
 * CRC of bytes[start, end). The CRC is linear over XOR, so two bytes can be
 * folded per step with two table lookups; this is the hot path of every
 * received frame.
 */
export function crcCcitt(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0xffff;
  let i = start;
  for (; i + 1 < end; i += 2) {
    crc = TABLE2[(crc >> 8) ^ bytes[i]] ^ TABLE[(crc & 0xff) ^ bytes[i + 1]];
  }
  if (i < end) crc = ((crc << 8) & 0xffff) ^ TABLE[(crc >> 8) ^ bytes[i]];
  return crc;
}
