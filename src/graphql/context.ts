import { type Limits } from "../config.js";
import { type IsoDate, today } from "../domain/dates.js";
import { type GraphStore } from "../store/graph-store.js";
import { createLoaders, type Loaders } from "./loaders.js";

/** What every resolver of one request sees. */
export interface Context {
  readonly loaders: Loaders;
  readonly limits: Limits;
  /** The request's "today": the default `asOf`, fixed once so one answer uses one date. */
  readonly today: IsoDate;
}

/** Builds a fresh context, with fresh loaders, for each request. `clock` is for tests. */
export function createContextFactory(
  store: GraphStore,
  limits: Limits,
  clock: () => IsoDate = today,
): () => Promise<Context> {
  return async () => ({ loaders: createLoaders(store), limits, today: clock() });
}
