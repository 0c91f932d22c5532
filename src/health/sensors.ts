/**
 * Readings no GPU can produce. NVML answers for a sensor it cannot read with a sentinel (0xFFFFFFFF,
 * or a temperature of 255 or 65535) as often as with an error, and passed on as a number that reads
 * as a GPU at 255°C or a board drawing 4 MW. Such a reading is not the GPU's state but a broken
 * sensor, and a node whose sensors are broken cannot be watched: it counts as unhealthy, like a
 * failing NVML call, rather than being judged on numbers that mean nothing.
 * Pure: the same readings always give the same findings.
 */
import type { GpuSample } from '../model/index.js';
import { gpuLabel, type Finding, type GpuIdentity } from './classify.js';

/** The GPU readings of a heartbeat that come from a sensor. */
export type GpuSensor = Exclude<keyof GpuSample, 'index'>;

interface SensorLimit {
  /** Most any GPU made (or in sight) reads; past it the sensor is at fault. */
  max: number;
  name: string;
  unit: string;
}

/** Generous on purpose: a GPU shuts down near 100°C, draws at most ~1.2 kW and has at most a few hundred GiB. */
export const SENSOR_LIMITS: Readonly<Record<GpuSensor, SensorLimit>> = {
  temperatureC: { max: 150, name: 'temperature', unit: '°C' },
  powerW: { max: 5_000, name: 'power', unit: ' W' },
  utilizationPct: { max: 100, name: 'utilisation', unit: '%' },
  memoryUsedMiB: { max: 4 * 1024 * 1024, name: 'memory-used', unit: ' MiB' },
  memoryTotalMiB: { max: 4 * 1024 * 1024, name: 'memory-total', unit: ' MiB' },
};

/** Whether `value` is a reading no GPU produces (a sentinel, a broken sensor). */
export function implausible(sensor: GpuSensor, value: number): boolean {
  return value > SENSOR_LIMITS[sensor].max;
}

/** The finding of a reading no GPU produces: a sensor fault on that GPU. */
export function sensorFault(gpus: readonly GpuIdentity[], gpu: number | undefined, sensor: GpuSensor, value: number): Finding {
  const l = SENSOR_LIMITS[sensor];
  const label = gpuLabel(gpus, gpu, undefined) || 'a GPU';
  const finding: Finding = {
    severity: 'unhealthy',
    reason: `sensor fault on ${label}: the ${l.name} sensor reads ${value}${l.unit}, more than any GPU reaches (${l.max}${l.unit}); the GPU cannot be watched`,
    label: `${l.name} sensor fault`,
  };
  return gpu === undefined ? finding : { ...finding, gpu };
}

/** One finding per reading of a heartbeat that no GPU produces. */
export function classifySensors(samples: readonly GpuSample[], gpus: readonly GpuIdentity[]): Finding[] {
  const out: Finding[] = [];
  for (const s of samples) {
    for (const sensor of Object.keys(SENSOR_LIMITS) as GpuSensor[]) {
      const v = s[sensor];
      if (v !== undefined && implausible(sensor, v)) out.push(sensorFault(gpus, s.index, sensor, v));
    }
  }
  return out;
}
