import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import neo4j from "neo4j-driver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GraphRecords } from "../../src/domain/graph.js";
import { ALL_RELATIONS, Relation } from "../../src/domain/relationship.js";
import { loadSeed } from "../../src/import/seed-loader.js";
import { PROJECT_ROOT } from "../../src/project-root.js";
import {
  ARRAY_DELIMITER,
  type AdminImportSummary,
  edgeFileName,
  writeAdminImportFiles,
} from "../../src/store/neo4j/admin-import-files.js";
import {
  codeToRow,
  edgeToRow,
  type PropertyRow,
  releaseToRow,
} from "../../src/store/neo4j/record-mapping.js";

/**
 * `codegraph export --neo4j-admin`: the files must give Neo4j the same properties the
 * transactional load writes. Each file is read back here the way neo4j-admin reads it
 * (RFC 4180 quoting, typed header columns, the array delimiter, an empty unquoted field
 * meaning no property) and compared with the rows of codeToRow, edgeToRow, releaseToRow.
 * neo4j-admin itself does not run here.
 */

let dir: string;
let seed: GraphRecords;
let summary: AdminImportSummary;

beforeAll(async () => {
  seed = await loadSeed(`${PROJECT_ROOT}/seed`);
  dir = await mkdtemp(join(tmpdir(), "codegraph-admin-"));
  const chunks = <T>(items: readonly T[], size: number) =>
    async function* () {
      for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
    };
  summary = await writeAdminImportFiles(dir, {
    codes: chunks(seed.codes, 100),
    edges: chunks(seed.edges, 100),
    releases: async () => seed.releases,
  });
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** RFC 4180: fields separated by commas, quoted fields with "" for a quote. Unquoted empty → null. */
function parseCsv(text: string): (string | null)[][] {
  const rows: (string | null)[][] = [];
  let row: (string | null)[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] === '"') {
      let value = "";
      i++;
      for (;;) {
        if (text[i] === '"' && text[i + 1] === '"') {
          value += '"';
          i += 2;
        } else if (text[i] === '"') {
          i++;
          break;
        } else value += text[i++];
      }
      row.push(value);
    } else {
      let end = i;
      while (end < text.length && text[end] !== "," && text[end] !== "\n") end++;
      row.push(end === i ? null : text.slice(i, end));
      i = end;
    }
    if (text[i] === ",") i++;
    else if (text[i] === "\n" || i >= text.length) {
      rows.push(row);
      row = [];
      i++;
    }
  }
  return rows;
}

/** A field as neo4j-admin types it from the header: `name:type`, arrays split on the delimiter. */
function typed(value: string | null, type: string | undefined): unknown {
  if (value === null) return undefined;
  const one = (v: string, t: string | undefined): unknown => {
    switch (t) {
      case undefined:
      case "string":
        return v;
      case "long":
      case "double":
        return Number(v);
      case "boolean":
        return v === "true";
      case "date":
        return v;
      default:
        throw new Error(`unexpected type ${t}`);
    }
  };
  if (type?.endsWith("[]"))
    return value.split(ARRAY_DELIMITER).map((v) => one(v, type.slice(0, -2)));
  return one(value, type);
}

/** What Neo4j holds for a row written by the loader, in the same plain terms. */
function plain(row: PropertyRow): Record<string, unknown> {
  const value = (v: unknown): unknown =>
    neo4j.isInt(v)
      ? v.toNumber()
      : neo4j.isDate(v)
        ? v.toString()
        : Array.isArray(v)
          ? v.map(value)
          : v;
  return Object.fromEntries(
    Object.entries(row)
      // Nulls are no property; neo4j-admin cannot write an empty list, so those are absent too.
      .filter(([, v]) => v !== null && !(Array.isArray(v) && v.length === 0))
      .map(([k, v]) => [k, value(v)]),
  );
}

/** The file's rows as property maps (the ID column under its name; special columns apart). */
async function readFileRows(
  name: string,
): Promise<{ header: string[]; rows: Record<string, unknown>[] }> {
  const [header, ...lines] = parseCsv(await readFile(join(dir, name), "utf8"));
  // `name:type` is a typed property; `:LABEL`, `:TYPE`, `id:ID(...)`, `:START_ID(...)` are
  // special columns, read as plain text under their full header.
  const columns = header!.map((h) => {
    const [prop, type] = h!.split(":") as [string, string | undefined];
    const special = prop === "" || /^(ID|START_ID|END_ID)\(/.test(type ?? "");
    return { key: prop === "" ? h! : prop, type: special ? undefined : type };
  });
  const rows = lines.map((fields) => {
    const out: Record<string, unknown> = {};
    columns.forEach((c, i) => {
      const v = typed(fields[i] ?? null, c.type);
      if (v !== undefined) out[c.key] = v;
    });
    return out;
  });
  return { header: header as string[], rows };
}

describe("neo4j-admin import files", () => {
  it("hold every code with exactly the properties the loader writes", async () => {
    const { header, rows } = await readFileRows("codes.csv");
    expect(header.slice(0, 2)).toEqual(["id:ID(Code)", ":LABEL"]);
    expect(rows).toHaveLength(seed.codes.length);
    for (const [i, code] of seed.codes.entries()) {
      const { ":LABEL": label, ...properties } = rows[i]!;
      expect(label).toBe("Code");
      expect(properties, code.id).toEqual(plain(codeToRow(code)));
    }
  });

  it("hold every edge in its type's file, with the loader's properties", async () => {
    let total = 0;
    for (const relation of ALL_RELATIONS) {
      const { header, rows } = await readFileRows(edgeFileName(relation));
      expect(header.slice(0, 3)).toEqual([":START_ID(Code)", ":END_ID(Code)", ":TYPE"]);
      const edges = seed.edges.filter((e) => e.relation === relation);
      expect(rows, relation).toHaveLength(edges.length);
      for (const [i, edge] of edges.entries()) {
        const {
          ":START_ID(Code)": from,
          ":END_ID(Code)": to,
          ":TYPE": type,
          ...properties
        } = rows[i]!;
        const row = edgeToRow(edge);
        expect([from, to, type]).toEqual([edge.from, edge.to, relation]);
        expect(properties, row.key).toEqual(plain(row.props));
      }
      total += rows.length;
    }
    expect(total).toBe(seed.edges.length);
    expect(summary.edges).toBe(seed.edges.length);
  });

  it("hold the releases", async () => {
    const { rows } = await readFileRows("releases.csv");
    expect(rows.map(({ ":LABEL": _label, ...p }) => p)).toEqual(
      seed.releases.map((r) => plain(releaseToRow(r))),
    );
  });

  it("come with the options for neo4j-admin, and the command to run", async () => {
    const args = (await readFile(join(dir, "neo4j-admin-import.args"), "utf8")).trim().split("\n");
    expect(args).toEqual([
      // Not in the working directory: the image's neo4j-admin user cannot write there.
      "--report-file=/tmp/import.report",
      "--array-delimiter=U+001F",
      "--nodes=codes.csv",
      "--nodes=releases.csv",
      ...ALL_RELATIONS.map((r) => `--relationships=${edgeFileName(r)}`),
    ]);
    expect(summary.command).toBe(
      "neo4j-admin database import full neo4j --overwrite-destination @neo4j-admin-import.args",
    );
    expect(edgeFileName(Relation.PAIRED_WITH)).toBe("paired-with.csv");
    expect(summary).toMatchObject({ codes: seed.codes.length, releases: seed.releases.length });
  });

  it("keep quotes, commas and empty strings inside strings", async () => {
    const tricky = {
      ...seed.codes[0]!,
      synonyms: ['say "hi", then ""', ""],
      id: "CPT:99999",
      code: "99999",
    };
    const out = await mkdtemp(join(tmpdir(), "codegraph-admin-q-"));
    try {
      await writeAdminImportFiles(out, {
        async *codes() {
          yield [tricky];
        },
        async *edges() {},
        releases: async () => [],
      });
      const [, fields] = parseCsv(await readFile(join(out, "codes.csv"), "utf8"));
      expect(fields![9]!.split(ARRAY_DELIMITER)).toEqual(['say "hi", then ""', ""]);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
