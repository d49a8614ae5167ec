// "CPT is a subset of HCPCS", "HCPCS is a procedure code set": SUBSET_OF between systems.
UNWIND $links AS link
MATCH (a:CodeSystem {id: link.from})
MATCH (b:CodeSystem {id: link.to})
MERGE (a)-[r:SUBSET_OF {key: link.key}]->(b)
