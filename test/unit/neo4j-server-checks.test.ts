import { describe, expect, it } from "vitest";
import {
  FULLTEXT_INDEX,
  fulltextIndexDifferences,
  unsupportedVersionReason,
} from "../../src/store/neo4j/server-checks.js";

describe("the Neo4j version the statements need", () => {
  it("accepts 5.23 and later, calendar versions, and Aura's version strings", () => {
    for (const version of ["5.23.0", "5.26.0", "5.26.12", "5.27-aura", "2025.01.0", "2026.10.1"])
      expect(unsupportedVersionReason(version), version).toBeNull();
  });

  it("refuses older servers, and versions it cannot read, saying why", () => {
    expect(unsupportedVersionReason("5.22.0")).toBe(
      "Neo4j 5.22.0 is too old: codegraph's statements need 5.23 or later (CALL (x) { ... } subqueries); docker-compose.yml pins neo4j:5.26",
    );
    for (const version of ["4.4.30", "5.9.0", "5.1.0"])
      expect(unsupportedVersionReason(version), version).toMatch(/too old/);
    expect(unsupportedVersionReason(null)).toMatch(/cannot tell Neo4j's version .* null/);
    expect(unsupportedVersionReason("dev")).toMatch(/cannot tell/);
  });
});

describe("the full-text index db:migrate expects", () => {
  const wanted = {
    labelsOrTypes: ["Code"],
    properties: ["titleTexts", "synonymTexts"],
    options: {
      indexProvider: "fulltext-1.0",
      indexConfig: { "fulltext.analyzer": "whitespace", "fulltext.eventually_consistent": false },
    },
  };

  it("finds no difference in the index schema.cypher creates", () => {
    expect(fulltextIndexDifferences(wanted)).toEqual([]);
    expect(FULLTEXT_INDEX.name).toBe("code_search");
  });

  it("names each difference: analyzer, consistency, labels, properties", () => {
    expect(
      fulltextIndexDifferences({
        labelsOrTypes: ["Code", "Other"],
        properties: ["titleTexts"],
        options: {
          indexConfig: {
            "fulltext.analyzer": "standard-no-stop-words",
            "fulltext.eventually_consistent": true,
          },
        },
      }),
    ).toEqual([
      'labels ["Code","Other"], wanted ["Code"]',
      'properties ["titleTexts"], wanted ["titleTexts","synonymTexts"]',
      'analyzer "standard-no-stop-words", wanted "whitespace"',
      "eventually_consistent true, wanted false",
    ]);
    expect(fulltextIndexDifferences({ ...wanted, options: null })).toEqual([
      'analyzer null, wanted "whitespace"',
      "eventually_consistent null, wanted false",
    ]);
  });
});
