/** The pure planner, its renderers (text, json, markdown) and saved plan files. */
export { plan } from './plan.js';
export type { PlanOptions } from './plan.js';
export type { SizeMode } from './size-limits.js';
export { observedDigest } from './digest.js';
export { orderPlacements, conforms, unavailableFromOffers, type UnavailableOffering } from './placement.js';
export { renderText, formatMoney, formatDelta, summaryLine, costLine, guardText } from './render-text.js';
export type { TextOptions } from './render-text.js';
export { renderJson } from './render-json.js';
export { planToDocument, planFromDocument, type PlanDocument } from './plan-document.js';
export { renderMarkdown } from './render-markdown.js';
export type { MarkdownOptions } from './render-markdown.js';
export { savePlan, loadPlan, parsePlan, checkStale, planDigest } from './plan-file.js';
export type { CurrentState } from './plan-file.js';
export { budgetUnhealthy, describeBudget, disruptionAllowance, DEFAULT_DISRUPTION_BUDGET } from './disruption.js';
