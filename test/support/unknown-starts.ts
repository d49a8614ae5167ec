import { type GraphRecords } from "../../src/domain/graph.js";

/**
 * The graph as the first release imported for each system leaves it: every code's first
 * version and every edge start on an unknown day (validFrom null), so only each system's
 * own first day keeps its codes from being valid before it.
 */
export function withUnknownStarts(records: GraphRecords): GraphRecords {
  return {
    ...records,
    codes: records.codes.map((c) => ({
      ...c,
      versions: [{ ...c.versions[0]!, validFrom: null }, ...c.versions.slice(1)],
    })),
    edges: records.edges.map((e) => ({ ...e, validFrom: null })),
  };
}
