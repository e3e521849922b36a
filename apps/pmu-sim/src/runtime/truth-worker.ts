/**
 * The look-ahead worker thread: solves the power flow for the truth keys the emitting thread will reach, one
 * request at a time, and hands back plain typed arrays (transferred, not copied). No decision is made here: the
 * keys and their loads come from the simulator's TruthSchedule.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PowerFlowDivergenceError, type PowerCase } from '@gridcloud/grid';
import { solveTruthVoltages } from '../model/grid-truth';
import type { TruthSolveReply, TruthSolveRequest, TruthWorkerMessage } from './truth-messages';

const powerCase = (workerData as { powerCase: PowerCase }).powerCase;
const port = parentPort;
if (port === null) throw new Error('truth-worker runs as a worker thread only');

port.on('message', (request: TruthSolveRequest) => {
  let reply: TruthSolveReply;
  try {
    const solved = solveTruthVoltages(powerCase, request.loadScale, request.tripped);
    reply = { key: request.key, solved };
    // Float64Array.from allocates plain ArrayBuffers, never shared ones.
    const buffers = [solved.vRe, solved.vIm, solved.vm, solved.va].map((a) => a.buffer as ArrayBuffer);
    port.postMessage(reply, buffers);
    return;
  } catch (error) {
    // The emitting thread solves a key the worker could not itself, so its error (divergence) surfaces there.
    const why = error instanceof PowerFlowDivergenceError ? 'diverged' : String(error);
    reply = { key: request.key, failed: why };
  }
  port.postMessage(reply);
});
const ready: TruthWorkerMessage = { ready: true };
port.postMessage(ready);
