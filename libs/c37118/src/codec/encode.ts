import { FrameEncodeError } from '../errors/frame-encode-error';
import { ByteWriter } from './byte-writer';
import { beginFrame, finishFrame } from './common';
import { writeConfigBody } from './config-codec';
import { writeConfig3Body } from './config3-codec';
import { writePmuData } from './data-codec';
import {
  COMMAND,
  type AnyConfigFrame,
  type CommandFrame,
  type CommandName,
  type DataFrame,
  type Frame,
  type FrameCommon,
} from './frame-types';
import { LOCKED_TIME } from './common';

/**
 * Encodes any frame. A data frame needs the configuration that describes it
 * (its FORMAT words and channel counts); other frames are self-describing.
 * Throws FrameEncodeError naming the offending field.
 */
export function encodeFrame(frame: Frame, config?: AnyConfigFrame): Uint8Array {
  const w = new ByteWriter();
  beginFrame(w, frame.kind, frame);
  switch (frame.kind) {
    case 'data':
      if (config === undefined)
        throw new FrameEncodeError(
          `data frame for IDCODE ${frame.idcode} needs its configuration to be encoded`,
        );
      writeDataBody(w, frame, config);
      break;
    case 'header':
      w.text(frame.text, 'header text');
      break;
    case 'cfg1':
    case 'cfg2':
      writeConfigBody(w, frame);
      break;
    case 'cfg3':
      writeConfig3Body(w, frame);
      break;
    case 'cmd':
      w.u16(frame.command, 'CMD');
      w.raw(frame.extended);
      break;
  }
  return finishFrame(w);
}

function writeDataBody(w: ByteWriter, frame: DataFrame, config: AnyConfigFrame): void {
  if (frame.pmus.length !== config.pmus.length) {
    throw new FrameEncodeError(
      `data frame has ${frame.pmus.length} PMU blocks; its configuration (IDCODE ${config.idcode}) has NUM_PMU ${config.pmus.length}`,
    );
  }
  frame.pmus.forEach((d, i) => writePmuData(w, d, config.pmus[i], i));
}

/** A command frame, as a PDC sends it to a PMU (IDCODE is the PMU's stream). */
export function commandFrame(
  idcode: number,
  command: CommandName | number,
  time: Pick<FrameCommon, 'soc' | 'fracsec'>,
  version = 1,
): CommandFrame {
  const code = typeof command === 'number' ? command : COMMAND[command];
  return {
    kind: 'cmd',
    version,
    idcode,
    soc: time.soc,
    fracsec: time.fracsec,
    timeQuality: LOCKED_TIME,
    command: code,
    extended: new Uint8Array(0),
  };
}
