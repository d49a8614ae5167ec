// "ICD-10-CM replaces ICD-9-CM from 2015-10-01": REPLACES between systems.
UNWIND $links AS link
MATCH (a:CodeSystem {id: link.from})
MATCH (b:CodeSystem {id: link.to})
MERGE (a)-[r:REPLACES {key: link.key}]->(b)
SET r.effective = link.effective
