// The held hierarchy above a load's SUBSET_OF edges, read before the load writes anything,
// for the embedded store's cycle check (src/store/hierarchy-cycle.ts), run by the adapter.
// $ids are the parents of the loaded edges. Returned: every held SUBSET_OF edge out of one
// of them or out of any code above them, on any date (the check finds the dates). A cycle
// a load would close runs through one of its edges, then from that edge's parent up held
// edges, or other loaded edges (whose parents are in $ids too), back to its child: these
// rows and the loaded edges hold every edge of it. A cycle the held graph already has
// elsewhere (data that never went through a load) is not looked for.
//
// Cost. Per batch of ids (NEO4J_BATCH_SIZE), the codes above them, then the SUBSET_OF edges
// out of those. Only distinct end codes are kept, the case Neo4j can plan as a pruning
// expansion that reaches each code once (not confirmed on a live plan). A code has about
// one parent and ICD-10-CM is seven levels deep, so this is a few rows per id: never more
// than the held SUBSET_OF edges, which a reload of a whole release reads back once (a
// first load reads nothing). The bound is the deepest walk (50, MAX_WALK_DEPTH): a cycle
// whose held part is longer than 50 edges goes unseen here, as no walk could follow it.
UNWIND $ids AS id
MATCH (:Code {id: id})-[:SUBSET_OF*0..50]->(n:Code)
WITH DISTINCT n
MATCH (n)-[r:SUBSET_OF]->(parent:Code)
RETURN n.id AS child, parent.id AS parent, r AS edge
