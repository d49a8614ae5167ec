// The code systems and families of src/domain/code-system.ts as nodes.
UNWIND $systems AS system
MERGE (s:CodeSystem {id: system.id})
SET s = system
