/**
 * Injected failures: rules from navarch.yaml and ones added at run time. Their counters live in the
 * state file, so "fail twice" means twice in total, across every process and run that shares it.
 */
import { ProviderError, shortHash, stableStringify, type ProviderErrorClass } from '../../model/index.js';
import type { FailureOp, FailureRule, InjectableErrorClass } from './settings.js';
import type { FakeState } from './state.js';

/** What a call is about, for matching rule filters. */
export interface FailureCall {
  op: FailureOp;
  region?: string | undefined;
  instanceType?: string | undefined;
}

/** The cloud error code each class is reported with (EC2's spelling, as the fake mirrors a real cloud). */
const PROVIDER_CODES: Record<InjectableErrorClass, string> = {
  capacity: 'InsufficientCapacity',
  quota: 'QuotaExceeded',
  throttled: 'RequestLimitExceeded',
  transient: 'InternalError',
  auth: 'AuthFailure',
  invalid: 'InvalidParameterValue',
};

const DEFAULT_MESSAGES: Record<InjectableErrorClass, string> = {
  capacity: 'insufficient capacity',
  quota: 'quota exceeded',
  throttled: 'request rate exceeded',
  transient: 'internal error',
  auth: 'credentials rejected',
  invalid: 'invalid request',
};

/** Server-suggested wait on throttling, as real clouds send with a 429/503. */
const THROTTLE_RETRY_AFTER_MS = 1_000;

function matches(rule: FailureRule, call: FailureCall): boolean {
  if (rule.op !== call.op) return false;
  if (rule.region !== undefined && rule.region !== call.region) return false;
  if (rule.instance_type !== undefined && rule.instance_type !== call.instanceType) return false;
  return true;
}

/** The counter key of a configured rule: its position and content, so editing a rule restarts its count. */
export function ruleKey(provider: string, index: number, rule: FailureRule): string {
  return `${provider}/${index}/${shortHash(stableStringify(rule))}`;
}

/** Builds the error a rule raises, shaped as the real clouds' adapters would classify it. */
export function injectedError(provider: string, rule: FailureRule, call: FailureCall): ProviderError {
  const errorClass: ProviderErrorClass = rule.error;
  const where = call.region ? ` in ${call.region}` : '';
  const message = rule.message ?? `${DEFAULT_MESSAGES[rule.error]}${where} (injected ${call.op} failure)`;
  return new ProviderError(errorClass, provider, message, {
    providerCode: PROVIDER_CODES[rule.error],
    ...(call.region ? { location: call.region } : {}),
    ...(rule.error === 'throttled' ? { retryAfterMs: THROTTLE_RETRY_AFTER_MS } : {}),
  });
}

/**
 * Finds the first rule that fails this call, counts it, and returns its error (undefined when the
 * call goes through). Run-time injections come first; exhausted ones are removed.
 */
export function takeFailure(
  state: FakeState,
  provider: string,
  configured: readonly FailureRule[],
  call: FailureCall,
): ProviderError | undefined {
  const exhausted = (f: FakeState['injected'][number]): boolean => f.rule.times !== undefined && f.fired >= f.rule.times;
  state.injected = state.injected.filter((f) => !exhausted(f));
  for (const injected of state.injected) {
    if (injected.provider !== undefined && injected.provider !== provider) continue;
    if (!matches(injected.rule, call)) continue;
    injected.fired += 1;
    if (exhausted(injected)) state.injected = state.injected.filter((f) => f !== injected);
    return injectedError(provider, injected.rule, call);
  }
  for (const [index, rule] of configured.entries()) {
    if (!matches(rule, call)) continue;
    const key = ruleKey(provider, index, rule);
    const fired = state.failureCounts[key] ?? 0;
    if (rule.times !== undefined && fired >= rule.times) continue;
    state.failureCounts[key] = fired + 1;
    return injectedError(provider, rule, call);
  }
  return undefined;
}
