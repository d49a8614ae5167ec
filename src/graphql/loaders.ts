import DataLoader from "dataloader";
import { type CodeSystemId } from "../domain/code-system.js";
import { type CodeNode, type ReleaseInfo } from "../domain/graph.js";
import {
  type CodeCountQuery,
  type GraphStore,
  type SearchPage,
  type SearchQuery,
  StoreUnavailableError,
  type TraversalPage,
  type TraversalQuery,
} from "../store/graph-store.js";
import {
  computeReleaseDiffs,
  type ReleaseDiff,
  type ReleaseDiffQuery,
} from "../import/release-diff.js";
import { UnavailableError } from "./errors.js";

/** The loaders of one request. Never shared between requests: their caches are per request. */
export interface Loaders {
  readonly codes: DataLoader<string, CodeNode | null>;
  readonly traversal: DataLoader<TraversalQuery, TraversalPage, string>;
  readonly search: DataLoader<SearchQuery, SearchPage, string>;
  readonly codeCounts: DataLoader<CodeCountQuery, number, string>;
  readonly releases: DataLoader<CodeSystemId, ReleaseInfo[]>;
  readonly releaseDiffs: DataLoader<ReleaseDiffQuery, ReleaseDiff, string>;
}

/** Object keys compare by content; key order is fixed by the query builders. */
const byContent = (key: object) => JSON.stringify(key);

/**
 * Store failures that mean "try later" become UNAVAILABLE errors for the client;
 * anything else stays as it is and is masked by the server's error formatter.
 */
async function guarded<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof StoreUnavailableError) throw new UnavailableError(error.message);
    throw error;
  }
}

/**
 * One set of loaders per request, from the context factory. Every field at one level of
 * a query asks its loader within the same tick, so each level costs one store call per
 * kind of read: all codes in one `getCodes`, all edge walks in one `traverse`.
 */
export function createLoaders(store: GraphStore): Loaders {
  const codes = new DataLoader<string, CodeNode | null>((ids) =>
    guarded(() => store.getCodes(ids)),
  );
  const primeCodes = <P extends { items: readonly { node: CodeNode }[] }>(pages: P[]): P[] => {
    for (const page of pages) for (const item of page.items) codes.prime(item.node.id, item.node);
    return pages;
  };
  return {
    codes,
    traversal: new DataLoader<TraversalQuery, TraversalPage, string>(
      async (queries) => primeCodes(await guarded(() => store.traverse(queries))),
      {
        cacheKeyFn: byContent,
      },
    ),
    search: new DataLoader<SearchQuery, SearchPage, string>(
      async (queries) => primeCodes(await guarded(() => store.search(queries))),
      {
        cacheKeyFn: byContent,
      },
    ),
    codeCounts: new DataLoader<CodeCountQuery, number, string>(
      (queries) => guarded(() => store.countCodes(queries)),
      { cacheKeyFn: byContent },
    ),
    releases: new DataLoader((systems) => guarded(() => store.listReleases(systems))),
    releaseDiffs: new DataLoader<ReleaseDiffQuery, ReleaseDiff, string>(
      (queries) => guarded(() => computeReleaseDiffs(store, queries)),
      {
        cacheKeyFn: byContent,
      },
    ),
  };
}
