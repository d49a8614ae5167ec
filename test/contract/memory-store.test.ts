import { MemoryStore } from "../../src/store/memory/memory-store.js";
import { graphStoreContract } from "./graph-store.contract.js";

graphStoreContract("memory", {
  open: async () => new MemoryStore(),
  dispose: async (store) => store.close(),
});
