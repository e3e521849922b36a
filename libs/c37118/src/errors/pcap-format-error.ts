/** The file is not a classic pcap capture this reader understands; the message says what it found. */
export class PcapFormatError extends Error {
  override readonly name = 'PcapFormatError';
}
