/** The status file: the observed fleet committed back to the repository. */
export { parseStatus, readStatus, serializeStatus, writeStatus } from './status-file.js';
export { emptyStatus, lifecyclePart, StatusBook, withLifecycles } from './book.js';
export { labelsOf, ordinalOf } from './names.js';
export { withBreakerConditions } from './conditions.js';
