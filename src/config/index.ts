/** Reading a config repository: YAML with positions, JSON Schema validation, normalisation to `DesiredFleet`. */
export { checkDirectory, directorySource, IS_DIRECTORY, leavesRepository, MAX_FILE_BYTES, readRepositoryFile, SourceFileError, type ConfigSource } from './source.js';
export { memorySource } from './memory-source.js';
export { fleetNameFromRoot, loadDesired, ROOT_FILE, sortDiagnostics, validateRepo, type LoadOptions, type ValidationResult } from './load.js';
export { SCHEMAS, type SchemaName } from './schema.js';
export { MAX_ALIAS_COUNT } from './yaml-file.js';
