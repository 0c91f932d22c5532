/** GPU sources: NVML (through a sampling thread), nvidia-smi, and a fake with injectable faults. */
export * from './types.js';
export { FakeGpuSource, FAKE_DEFAULTS, fakePciBusId, parseFakeSpec, specFile, type FakeFault, type FakeGpuSpec } from './fake.js';
export { NvmlSource, NvmlSourceError, forceExit } from './nvml.js';
export { SmiSource, SmiError } from './smi.js';
export { SMI_INVENTORY_FIELDS, SMI_SAMPLE_FIELDS, SMI_REMAP_FIELDS, SMI_LEGACY_CLOCK_FIELD } from './smi-parse.js';
export { guardedSample, failureOf } from './guard.js';
export { openGpus, type GpuSourceChoice, type GpuSourceOptions, type OpenedGpus } from './select.js';
