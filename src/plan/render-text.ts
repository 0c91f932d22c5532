/**
 * The human plan, in Terraform's grammar: `+` create, `-` destroy, `-/+` replace, `~` update, grouped
 * by pool, ending with `Plan: X to add, Y to change, Z to destroy.` and the fleet's cost in $/hr.
 *
 * The plan is first laid out as structured lines (`planLines`) so that the terminal renderer can
 * colour the change symbols and the markdown renderer can move them to the first column for a
 * ```diff block, without either parsing the other's output.
 */
import pc from 'picocolors';
import { flagsNeeded, type Action, type GuardViolation, type JsonPatchOperation, type NodeRef, type PlacementCandidate, type Plan, type PoolPlan } from '../model/index.js';

/** A change symbol in the left column; `#` marks a comment line, `` a plain line. */
export type LineSymbol = '+' | '-' | '~' | '-/+' | '#' | '';

/** One line of the rendered plan. */
export interface PlanLine {
  /** Symbol shown right-aligned in a three-column gutter (empty for headings, warnings, summary). */
  symbol: LineSymbol;
  /** Nesting below the symbol gutter: 0 for pools and nodes, 1 for their details. */
  depth: number;
  text: string;
  /** Set on the first line of each action, so a cut listing can say how many actions it left out. */
  action?: true;
  /** Emphasis for the terminal: headings, the summary, warnings and errors. */
  style?: 'bold' | 'warning' | 'error';
}

/** Options of `renderText`. */
export interface TextOptions {
  /** Emit ANSI colours (the caller decides: TTY, NO_COLOR, --no-color). */
  color: boolean;
}

const NAME_GAP = '   ';
/** A value longer than this shows its first entries and how many more there are, never half an entry. */
const MAX_VALUE_CHARS = 60;
const MAX_FALLBACKS_SHOWN = 3;

/** `$1,234.56`, or `$?` when the price is unknown. */
export function formatMoney(amount: number | undefined): string {
  if (amount === undefined || !Number.isFinite(amount)) return '$?';
  const [whole = '0', cents = '00'] = Math.abs(amount).toFixed(2).split('.');
  const sign = amount < 0 && Math.abs(amount) >= 0.005 ? '-' : '';
  return `${sign}$${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${cents}`;
}

/** A signed cost change: `+$47.84/hr`, `-$2.49/hr`, `+$0.00/hr`. */
export function formatDelta(amount: number): string {
  const text = formatMoney(amount);
  return `${text.startsWith('-') ? text : `+${text}`}/hr`;
}

/** Heads the list of pools a plan left unknown (a provider they depend on could not be listed). */
export const UNKNOWN_HEADING = 'Unknown: these pools are left exactly as they are until their provider can be listed again:';

/** Terraform's summary line, to the letter. */
export function summaryLine(plan: Plan): string {
  const { add, change, destroy } = plan.summary;
  return `Plan: ${add} to add, ${change} to change, ${destroy} to destroy.`;
}

/** The cost line: totals before and after, the change, and the split by market. */
export function costLine(plan: Plan): string {
  const c = plan.cost;
  const unpriced =
    (c.unpriced > 0 ? `; ${c.unpriced} ${c.unpriced === 1 ? 'node has' : 'nodes have'} no known price (counted as $0.00)` : '') +
    (plan.unknown.length > 0 ? '; nodes of unknown pools not counted' : '');
  if (!plan.actions.length) {
    return `Cost: ${formatMoney(c.after)}/hr (on-demand ${formatMoney(c.onDemand.after)}/hr, spot ${formatMoney(c.spot.after)}/hr)${unpriced}`;
  }
  const onDemand = formatDelta(c.onDemand.after - c.onDemand.before);
  const spot = formatDelta(c.spot.after - c.spot.before);
  return `Cost: ${formatMoney(c.before)}/hr → ${formatMoney(c.after)}/hr (${formatDelta(c.delta)}): on-demand ${onDemand}, spot ${spot}${unpriced}`;
}

/** One guard violation as a sentence, e.g. `pool "train": destroys 4 of 4 nodes (100%), more than the 50% allowed`. */
export function guardText(g: GuardViolation): string {
  if (g.rule !== 'destroy-share') {
    return g.rule === 'pool-size'
      ? `pool "${g.pool ?? ''}": would grow to ${g.count} nodes, more than safety.max_nodes_per_pool (${g.limit})`
      : `creates ${g.count} nodes, more than safety.max_create (${g.limit}) in one apply`;
  }
  const share = g.total > 0 ? Math.round((g.destroying / g.total) * 100) : 100;
  return `pool "${g.pool}": destroys ${g.destroying} of ${g.total} nodes (${share}%), more than the ${g.limitPercent}% allowed`;
}

/** `--allow-destroy`, `--allow-large`, or both joined with `and`: what the plan needs before apply runs it. */
export function neededFlags(plan: Plan): string {
  return flagsNeeded(plan).join(' and ');
}

/** Pool names that have something to show, sorted, with their pool-level plan when declared. */
export function changedPools(plan: Plan): Array<{ name: string; pool: PoolPlan | undefined; actions: Action[] }> {
  const byPool = new Map<string, Action[]>();
  for (const a of plan.actions) {
    const list = byPool.get(a.pool);
    if (list) list.push(a);
    else byPool.set(a.pool, [a]);
  }
  const names = new Set<string>(byPool.keys());
  for (const p of plan.pools) if (p.change !== 'none') names.add(p.name);
  return [...names]
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((name) => ({ name, pool: plan.pools.find((p) => p.name === name), actions: byPool.get(name) ?? [] }));
}

/** Lays the whole plan out as lines; `renderText` and the markdown renderer format them. */
export function planLines(plan: Plan): PlanLine[] {
  const lines: PlanLine[] = [];
  const groups = changedPools(plan);
  if (plan.actions.length) {
    lines.push({ symbol: '', depth: 0, text: 'navarch will perform the following actions:', style: 'bold' });
  } else {
    // Unknown pools may be anything: the fleet is never said to match while some of it went unseen.
    const none = plan.unknown.length ? 'No changes to the pools that could be observed.' : 'No changes. Your fleet matches the configuration.';
    lines.push({ symbol: '', depth: 0, text: none, style: 'bold' });
    // A pool can change (say, max_nodes raised) without any node to create or destroy: still show it.
    if (groups.length) lines.push(blank(), { symbol: '', depth: 0, text: 'Pool declarations changed, but no node needs to change:' });
  }
  for (const group of groups) {
    lines.push(blank(), ...poolLines(group.name, group.pool));
    lines.push(...actionsLines(group.actions));
  }
  if (plan.unknown.length) {
    lines.push(blank(), { symbol: '', depth: 0, text: UNKNOWN_HEADING, style: 'error' });
    for (const u of plan.unknown) lines.push({ symbol: '', depth: 0, text: `  - pool "${u.pool}": ${u.reason}` });
  }
  if (plan.warnings.length) {
    lines.push(blank(), { symbol: '', depth: 0, text: 'Warnings:', style: 'warning' });
    for (const w of plan.warnings) lines.push({ symbol: '', depth: 0, text: `  - ${w}` });
  }
  if (plan.guards.length) {
    lines.push(blank(), { symbol: '', depth: 0, text: `Error: this plan needs ${neededFlags(plan)}`, style: 'error' });
    for (const g of plan.guards) lines.push({ symbol: '', depth: 0, text: `  - ${guardText(g)}` });
  }
  lines.push(blank());
  if (plan.actions.length) lines.push({ symbol: '', depth: 0, text: summaryLine(plan), style: 'bold' });
  lines.push({ symbol: '', depth: 0, text: costLine(plan) });
  return lines;
}

/** Places a line's symbol in its gutter: `  + x`, `-/+ x`, `      # x`. */
export function layoutLine(line: PlanLine): string {
  if (line.symbol === '' && line.depth === 0) return line.text;
  return `${'    '.repeat(line.depth)}${line.symbol.padStart(3)} ${line.text}`;
}

/** Renders a plan for a terminal. Pure: the same plan always gives the same string. */
export function renderText(plan: Plan, options: TextOptions): string {
  const c = pc.createColors(options.color);
  const paint: Record<LineSymbol, (s: string) => string> = {
    '+': c.green,
    '-': c.red,
    '~': c.yellow,
    '-/+': c.magenta,
    '#': c.dim,
    '': (s) => s,
  };
  const styles = { bold: c.bold, warning: (s: string) => c.bold(c.yellow(s)), error: (s: string) => c.bold(c.red(s)) };
  const out = planLines(plan).map((line) => {
    if (line.style) return styles[line.style](layoutLine(line));
    if (line.symbol === '' && line.depth === 0) return line.text;
    const gutter = `${'    '.repeat(line.depth)}${paint[line.symbol](line.symbol.padStart(3))} `;
    return line.symbol === '#' ? `${gutter}${c.dim(line.text)}` : `${gutter}${line.text}`;
  });
  return `${out.join('\n')}\n`;
}

function blank(): PlanLine {
  return { symbol: '', depth: 0, text: '' };
}

function poolLines(name: string, pool: PoolPlan | undefined): PlanLine[] {
  if (!pool) return [{ symbol: '#', depth: 0, text: `pool "${name}" (not declared)` }];
  const flagList = [pool.change === 'create' ? 'new' : '', pool.change === 'delete' ? 'removed' : '', pool.protect ? 'protected' : ''];
  const flags = flagList.some(Boolean) ? ` (${flagList.filter(Boolean).join(', ')})` : '';
  const nodes = pool.nodesBefore === pool.nodesAfter ? `${pool.nodesAfter}` : `${pool.nodesBefore} → ${pool.nodesAfter}`;
  const cost =
    pool.costBefore === pool.costAfter
      ? `${formatMoney(pool.costAfter)}/hr`
      : `${formatMoney(pool.costBefore)}/hr → ${formatMoney(pool.costAfter)}/hr`;
  const noun = pool.nodesBefore === 1 && pool.nodesAfter === 1 ? 'node' : 'nodes';
  const lines: PlanLine[] = [{ symbol: '#', depth: 0, text: `pool "${name}"${flags}: ${nodes} ${noun}, ${cost}` }];
  const symbol = ({ create: '+', delete: '-', update: '~', none: '' } as const)[pool.change];
  if (symbol) lines.push({ symbol, depth: 0, text: `pool "${name}"` }, ...patchLines(pool.patch));
  return lines;
}

/**
 * JSON Patch as Terraform shows attributes: `+ name = value`, `- name = old`, `~ name = old → new`,
 * with paths as attribute names (`labels.team`, `candidates[0].region`) and values in HCL's
 * notation (`{team = "serving"}`); the `=` of one pool's lines aligned. Old values come from the
 * `test` op fast-json-patch's invertible diff puts before each replace and remove.
 */
function patchLines(patch: JsonPatchOperation[]): PlanLine[] {
  const rows: Array<{ symbol: '+' | '-' | '~'; name: string; rest: string }> = [];
  patch.forEach((op, i) => {
    const prev = patch[i - 1];
    const old = prev?.op === 'test' && prev.path === op.path ? showValue(prev.value) : undefined;
    const name = attributeName(op.path);
    if (op.op === 'add') rows.push({ symbol: '+', name, rest: `= ${showValue(op.value)}` });
    else if (op.op === 'remove') rows.push({ symbol: '-', name, rest: old === undefined ? '' : `= ${old}` });
    else if (op.op === 'replace') rows.push({ symbol: '~', name, rest: `= ${old === undefined ? '' : `${old} → `}${showValue(op.value)}` });
    else if (op.op === 'move') rows.push({ symbol: '~', name, rest: `(moved from ${attributeName(op.from ?? '')})` });
    else if (op.op === 'copy') rows.push({ symbol: '+', name, rest: `(copied from ${attributeName(op.from ?? '')})` });
  });
  const width = Math.max(0, ...rows.map((r) => r.name.length));
  return rows.map((r) => ({ symbol: r.symbol, depth: 1, text: r.rest ? `${r.name.padEnd(width)} ${r.rest}` : r.name }));
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** A JSON pointer as an attribute path: `/labels/team` → `labels.team`, `/candidates/0/region` → `candidates[0].region`. */
export function attributeName(pointer: string): string {
  const parts = pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  return parts.length === 0 ? '(the pool)' : attributePath(parts);
}

/** Path segments as an attribute path: names joined by dots, indexes and other keys in brackets. */
function attributePath(parts: readonly string[]): string {
  return parts.map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : IDENTIFIER.test(p) ? `${i === 0 ? '' : '.'}${p}` : `[${JSON.stringify(p)}]`)).join('');
}

/** A map key in HCL: bare when it is an identifier, else quoted. */
function hclKey(key: string): string {
  return IDENTIFIER.test(key) ? key : JSON.stringify(key);
}

/** A value in HCL's notation: `"text"`, `8`, `true`, `["a", "b"]`, `{team = "serving"}`. */
export function hclValue(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map(hclValue).join(', ')}]`;
  if (typeof value === 'object') return `{${Object.entries(value).map(([k, v]) => `${hclKey(k)} = ${hclValue(v)}`).join(', ')}}`;
  return JSON.stringify(value);
}

/** A value for a plan line: in full when short, else its first entries and how many more, never cut inside one. */
function showValue(value: unknown): string {
  const full = hclValue(value);
  if (full.length <= MAX_VALUE_CHARS || value === null || typeof value !== 'object') return full;
  const array = Array.isArray(value);
  const entries = array ? (value as unknown[]).map(hclValue) : Object.entries(value).map(([k, v]) => `${hclKey(k)} = ${hclValue(v)}`);
  const [open, close] = array ? ['[', ']'] : ['{', '}'];
  const shown: string[] = [];
  for (const e of entries) {
    const more = entries.length - shown.length - 1;
    const candidate = `${open}${[...shown, e].join(', ')}${more > 0 ? `, +${more} more` : ''}${close}`;
    if (shown.length > 0 && candidate.length > MAX_VALUE_CHARS) break;
    shown.push(e);
  }
  const rest = entries.length - shown.length;
  return `${open}${shown.join(', ')}${rest > 0 ? `, +${rest} more` : ''}${close}`;
}

/** Why an action is in the plan, as its comment line shows it (an update's label diff says it already). */
function reasonOf(a: Action): string | undefined {
  return a.reason.code !== 'labels-changed' && a.reason.message ? a.reason.message : undefined;
}

/**
 * A pool's actions in plan order, a run of actions with the same reason followed by that reason
 * once (`# 3 nodes: pool "train" has 2 of 5 nodes`) rather than once per node.
 */
function actionsLines(actions: readonly Action[]): PlanLine[] {
  const lines: PlanLine[] = [];
  for (let i = 0; i < actions.length; ) {
    const reason = reasonOf(actions[i] as Action);
    let j = i + 1;
    while (reason !== undefined && j < actions.length && reasonOf(actions[j] as Action) === reason) j++;
    for (const a of actions.slice(i, j)) lines.push({ ...actionHead(a), action: true });
    if (reason !== undefined) lines.push({ symbol: '#', depth: 1, text: j - i > 1 ? `${j - i} nodes: ${reason}` : reason });
    i = j;
  }
  return lines;
}

function actionHead(a: Action): PlanLine {
  switch (a.kind) {
    case 'create':
      return { symbol: '+', depth: 0, text: `${a.node}${NAME_GAP}${createText(a.placements)}` };
    case 'destroy':
      return { symbol: '-', depth: 0, text: `${a.existing?.name ?? a.node}${NAME_GAP}${existingText(a.existing)}` };
    case 'replace':
      return { symbol: '-/+', depth: 0, text: replaceText(a) };
    case 'update':
      return { symbol: '~', depth: 0, text: `${a.node}${NAME_GAP}${labelsText(a.labels)}` };
  }
}

function market(spot: boolean): string {
  return spot ? 'spot' : 'on-demand';
}

function where(provider: string, region: string, zone?: string): string {
  return `${provider} ${region}${zone ? `/${zone}` : ''}`;
}

function createText(placements: PlacementCandidate[]): string {
  const [first, ...rest] = placements;
  if (!first) return '(no placement)';
  const main = `${first.instanceType} on ${where(first.provider, first.region)} (${market(first.spot)}, ${formatMoney(first.pricePerHour)}/hr)`;
  return `${main}${fallbacksText(first, rest)}`;
}

function fallbacksText(first: PlacementCandidate, rest: PlacementCandidate[]): string {
  if (!rest.length) return '';
  const shown = rest.slice(0, MAX_FALLBACKS_SHOWN).map((p) => {
    const extra = [p.instanceType !== first.instanceType ? p.instanceType : '', p.spot !== first.spot ? market(p.spot) : '']
      .filter(Boolean)
      .join(', ');
    return `${where(p.provider, p.region)}${extra ? ` (${extra})` : ''}`;
  });
  const hidden = rest.length - shown.length;
  const more = hidden > 0 ? ` and ${hidden} more` : '';
  return ` (+${rest.length} ${rest.length === 1 ? 'fallback' : 'fallbacks'}: ${shown.join(', ')}${more})`;
}

function existingText(e: NodeRef | undefined): string {
  if (!e) return '(unknown instance)';
  return `${e.instanceType} ${e.instanceId} on ${where(e.provider, e.region, e.zone)} (${market(e.spot)}, ${formatMoney(e.pricePerHour)}/hr)`;
}

function replaceText(a: Action): string {
  const e = a.existing;
  const [p, ...rest] = a.placements;
  const names = e && e.name !== a.node ? `${e.name} → ${a.node}` : a.node;
  const oldType = e?.instanceType ?? '?';
  const newType = p?.instanceType ?? '?';
  const oldWhere = e ? where(e.provider, e.region) : '?';
  const newWhere = p ? where(p.provider, p.region) : '?';
  const type = oldType === newType ? oldType : `${oldType} → ${newType}`;
  const place = oldWhere === newWhere ? `on ${oldWhere}` : `on ${oldWhere} → ${newWhere}`;
  const oldMarket = e ? market(e.spot) : '?';
  const newMarket = p ? market(p.spot) : '?';
  const marketText = oldMarket === newMarket ? oldMarket : `${oldMarket} → ${newMarket}`;
  const oldPrice = formatMoney(e?.pricePerHour);
  const newPrice = formatMoney(p?.pricePerHour);
  const price = oldPrice === newPrice ? `${oldPrice}/hr` : `${oldPrice}/hr → ${newPrice}/hr`;
  const order = a.order === 'destroy-before-create' ? 'destroy before create' : 'create before destroy';
  return `${names}${NAME_GAP}${type} ${place} (${marketText}, ${price}, ${order})${p ? fallbacksText(p, rest) : ''}`;
}

function labelsText(labels: Action['labels']): string {
  if (!labels) return 'labels unchanged';
  const keys = [...new Set([...Object.keys(labels.before), ...Object.keys(labels.after)])].sort();
  const parts: string[] = [];
  for (const k of keys) {
    const before = labels.before[k];
    const after = labels.after[k];
    if (before === after) continue;
    const name = attributePath(['labels', k]);
    if (before === undefined) parts.push(`+${name} = ${JSON.stringify(after)}`);
    else if (after === undefined) parts.push(`-${name} = ${JSON.stringify(before)}`);
    else parts.push(`${name} = ${JSON.stringify(before)} → ${JSON.stringify(after)}`);
  }
  return parts.length ? parts.join(', ') : 'labels unchanged';
}
