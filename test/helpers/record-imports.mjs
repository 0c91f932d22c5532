// Preloaded with `node --import`: records every module URL the process resolves into the file named
// by NAVARCH_RECORD_IMPORTS, so tests can prove which packages a command loads.
import { register } from 'node:module';
import { appendFileSync } from 'node:fs';
import { MessageChannel } from 'node:worker_threads';

const file = process.env.NAVARCH_RECORD_IMPORTS;
if (file) {
  const { port1, port2 } = new MessageChannel();
  port1.on('message', (url) => appendFileSync(file, `${url}\n`));
  port1.unref();
  register('./record-imports-hooks.mjs', import.meta.url, { data: { port: port2 }, transferList: [port2] });
}
