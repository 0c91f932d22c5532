/**
 * The JSON Schema validators are compiled at build time (scripts/build-validators.mjs) into modules
 * that are committed: each must be exactly what the schemas in schemas/ build today.
 */
import { describe, expect, it } from 'vitest';
import { generate, MODULES, readSchema, stale } from '../../scripts/build-validators.mjs';

describe('the generated schema validators', () => {
  it('are exactly what schemas/ builds (run `npm run build:validators` and commit when this fails)', async () => {
    expect(await stale()).toEqual([]);
  });

  it('change when a schema they compile changes, so the check above sees an edit left unbuilt', async () => {
    const spec = MODULES.find((m) => m.out === 'src/config/validators.generated.ts');
    if (!spec) throw new Error('no module for the config schemas');
    const edited = async (name: string) => {
      const schema = await readSchema(name);
      // pool.schema.json is compiled only through navarch's $ref and its own export.
      return name === 'pool' ? { ...schema, description: 'edited' } : schema;
    };
    const before = await generate(spec);
    const after = await generate(spec, edited);
    expect(after).not.toEqual(before);
    expect(after).toContain('"description":"edited"');
  });
});
