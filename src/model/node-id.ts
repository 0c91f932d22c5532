/**
 * What a node id may be: a navarch node name (`<pool>-<n>`, or any name of the same alphabet for a
 * machine set up by hand). The agent API carries it in every URL and derives the node's token from
 * it, so the agent refuses at start what the control plane would refuse on every call.
 */
export const NODE_ID = /^[a-z][a-z0-9-]{0,62}$/;

/** Why `id` cannot be a node id, said for a person; undefined when it can. */
export function nodeIdProblem(id: string): string | undefined {
  return NODE_ID.test(id) ? undefined : `"${id}" is not a node name: lowercase letters, digits and dashes, starting with a letter, at most 63 (e.g. train-3)`;
}
