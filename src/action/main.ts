/** The bundled entry of the GitHub Action (`dist/action/index.js`, run by `action.yml`). */
import { run } from './run.js';

await run();
