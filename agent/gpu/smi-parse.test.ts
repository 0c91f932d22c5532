import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isUnknownFieldError, parseSmiInventory, parseSmiNvLinks, parseSmiRemap, parseSmiSample, SMI_SAMPLE_FIELDS, smiQueryArgs } from './smi-parse.js';

const rec = (name: string): string => readFileSync(join(import.meta.dirname, '../../test/agent/fixtures/smi', name), 'utf8');

describe('nvidia-smi parsing', () => {
  it('asks for the fields the recorded nvidia-smi answers', () => {
    expect(smiQueryArgs(SMI_SAMPLE_FIELDS)).toEqual([
      '--query-gpu=index,temperature.gpu,power.draw,utilization.gpu,memory.used,memory.total,ecc.errors.corrected.volatile.total,ecc.errors.uncorrected.volatile.total,ecc.errors.corrected.aggregate.total,ecc.errors.uncorrected.aggregate.total,retired_pages.single_bit_ecc.count,retired_pages.double_bit.count,retired_pages.pending,clocks_event_reasons.active',
      '--format=csv,noheader,nounits',
    ]);
  });

  it('reads the inventory in NVML\'s PCI form', () => {
    const inv = parseSmiInventory(rec('inventory.csv'));
    expect(inv.driverVersion).toBe('550.54.15');
    expect(inv.gpus[1]).toEqual({ index: 1, uuid: 'GPU-5c2d1a3e-8f4b-4c1d-9e2a-1b3c5d7e9f02', pciBusId: '00000000:2A:00.0', name: 'NVIDIA H100 80GB HBM3', memoryMiB: 81559, driverVersion: '550.54.15' });
  });

  it('reads readings; N/A is absent, an error is a failure', () => {
    const s = parseSmiSample(rec('sample.csv'));
    expect(s.failures).toEqual([]);
    expect(s.gpus[1]).toEqual({
      index: 1,
      temperatureC: 36,
      powerW: 113.97,
      utilizationPct: 87,
      memoryUsedMiB: 40211,
      memoryTotalMiB: 81559,
      ecc: { volatileCorrected: 12, volatileUncorrected: 2, aggregateCorrected: 15, aggregateUncorrected: 2 },
      throttleReasons: ['SwPowerCap', 'HwThermalSlowdown'],
    });
    const broken = parseSmiSample('0, [Unknown Error], [N/A], 5, 1, 2, [N/A], [N/A], [N/A], [N/A], 3, 1, Yes, [GPU requires reset]\n');
    expect(broken.gpus[0]).toEqual({ index: 0, utilizationPct: 5, memoryUsedMiB: 1, memoryTotalMiB: 2, retiredPages: { singleBit: 3, doubleBit: 1, pending: true } });
    expect(broken.failures).toEqual([
      { gpu: 0, call: 'nvidia-smi temperature.gpu', error: 'Unknown Error' },
      { gpu: 0, call: 'nvidia-smi clocks_event_reasons.active', error: 'GPU requires reset' },
    ]);
  });

  it('reads remapped rows and NVLink state', () => {
    expect(parseSmiRemap(rec('remap.csv')).get('00000000:2A:00.0')).toEqual({ correctable: 1, uncorrectable: 2, pending: true, failure: false });
    expect(parseSmiRemap('00000000:18:00.0, [N/A], [N/A], [N/A], [N/A]\n').size).toBe(0);
    expect(parseSmiNvLinks(rec('nvlink.txt')).get(1)).toEqual([
      { link: 0, up: true },
      { link: 1, up: false },
    ]);
  });

  it('recognises an unknown-field refusal', () => {
    expect(isUnknownFieldError('Field "clocks_event_reasons.active" is not a valid field to query.')).toBe(true);
    expect(isUnknownFieldError('NVIDIA-SMI has failed because it couldn\'t communicate with the NVIDIA driver.')).toBe(false);
  });
});
