import { type GraphStore } from "../../src/store/graph-store.js";

export interface StoreCall {
  readonly method: string;
  /** The batch the method was called with (ids, queries ...). */
  readonly keys: readonly unknown[];
}

/** Wraps a store and records every batched read, to assert how many round trips a query costs. */
export function recordingStore(inner: GraphStore): { store: GraphStore; calls: StoreCall[] } {
  const calls: StoreCall[] = [];
  const batched = ["getCodes", "traverse", "search", "countCodes", "listReleases"] as const;
  const store = new Proxy(inner, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      if ((batched as readonly (string | symbol)[]).includes(property)) {
        return (keys: readonly unknown[]) => {
          calls.push({ method: String(property), keys: [...keys] });
          return value.call(target, keys);
        };
      }
      return value.bind(target);
    },
  });
  return { store, calls };
}
