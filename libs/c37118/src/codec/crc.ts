/**
 * CRC-CCITT as C37.118.2 specifies it for the CHK word: polynomial 0x1021,
 * initial value 0xFFFF, no reflection, no final XOR. The check value of the
 * ASCII string "123456789" is 0x29B1.
 */
const TABLE: Uint16Array = buildTable();

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

/** CRC of bytes[start, end). A table lookup per byte keeps the hot path cheap. */
export function crcCcitt(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0xffff;
  for (let i = start; i < end; i += 1) {
    crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >>> 8) ^ bytes[i]) & 0xff];
  }
  return crc;
}
