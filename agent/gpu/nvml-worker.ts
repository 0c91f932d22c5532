/**
 * The NVML sampling thread. NVML calls block inside the driver, sometimes for ever when a GPU is
 * wedged; running them here keeps the agent's event loop free, so a hung call becomes a failure
 * report instead of a frozen agent. Before each native call the thread writes which call and GPU
 * it is in to shared memory, so the main thread can name the call that hung.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CALL_NAMES, type WorkerReply, type WorkerRequest, type WorkerSetup } from './nvml-protocol.js';
import { NvmlCallError, openNvml, type Nvml } from './nvml-binding.js';

const setup = workerData as WorkerSetup;
const where = new Int32Array(setup.shared);
const tracker = {
  enter(call: string, gpu: number): void {
    Atomics.store(where, 1, gpu);
    Atomics.store(where, 0, (CALL_NAMES as readonly string[]).indexOf(call) + 1);
  },
  leave(): void {
    Atomics.store(where, 0, 0);
  },
};

let nvml: Nvml | undefined;

async function handle(req: WorkerRequest): Promise<WorkerReply> {
  try {
    nvml ??= await openNvml(setup.libPath, tracker);
    if (req.op === 'inventory') return { id: req.id, ok: true, result: nvml.inventory() };
    if (req.op === 'sample') return { id: req.id, ok: true, result: nvml.sample() };
    nvml.shutdown();
    nvml = undefined;
    return { id: req.id, ok: true, result: null };
  } catch (err) {
    if (err instanceof NvmlCallError) return { id: req.id, ok: false, error: err.message, call: err.call, code: err.code };
    // Anything else comes from loading the library (it is missing, or not NVML).
    const text = err instanceof Error ? err.message : String(err);
    return { id: req.id, ok: false, error: text.startsWith('koffi') ? text : `cannot load ${setup.libPath}: ${text}`, call: 'dlopen' };
  }
}

parentPort?.on('message', (req: WorkerRequest) => {
  void handle(req).then((reply) => parentPort?.postMessage(reply));
});
