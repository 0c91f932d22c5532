#!/usr/bin/env node
import { main } from '../lib/agent/cli/main.js';

process.exitCode = await main(process.argv);
