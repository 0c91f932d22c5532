export { main, buildProgram } from './main.js';
export type { CliContext, Output } from './context.js';
