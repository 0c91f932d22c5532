#!/usr/bin/env node
// The same bundle the navarch-agent package ships (built from agent/ by scripts/build-agent.mjs).
import { main } from '../agent/dist/main.js';

process.exitCode = await main(process.argv);
