// Edge ends that are neither in the batch being loaded nor already held: a load naming
// one is rejected before it writes anything.
UNWIND $ids AS id
OPTIONAL MATCH (n:Code {id: id})
WITH id, n
WHERE n IS NULL
RETURN collect(id) AS missing
