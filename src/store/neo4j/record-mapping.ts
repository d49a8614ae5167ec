import neo4j, { type Integer, type Node, type Relationship } from "neo4j-driver";
import { CodeKind, CodeLevel } from "../../domain/code-kind.js";
import {
  type CodeSystemId,
  codeSystemInfo,
  codeSystemNodes,
  isCodeSystemId,
} from "../../domain/code-system.js";
import { type IsoDate } from "../../domain/dates.js";
import {
  assertNever,
  type CodeNode,
  type CodeVersion,
  edgeKey,
  type GraphEdge,
  latestVersion,
  type ReleaseInfo,
} from "../../domain/graph.js";
import { ExclusionKind, PairingKind, Relation } from "../../domain/relationship.js";
import { codeKey, searchTerms } from "../../domain/text.js";

/**
 * The only place driver values meet domain values. Upward, Neo4j `Integer`s become
 * numbers, `Date`s become ISO strings and nodes and relationships become plain domain
 * objects: nothing of the driver leaves this module. Downward, domain records become
 * property maps Neo4j can store (no nested maps, no lists of maps), with dates as DATE
 * and whole counts as INTEGER.
 */

type Neo4jDate = InstanceType<typeof neo4j.types.Date>;

/** A value Neo4j can hold as a property. */
export type PropertyValue =
  string | number | boolean | Integer | Neo4jDate | readonly (string | boolean | Neo4jDate)[];

/** A property map for `SET n = row`: a null removes the property. */
export type PropertyRow = Readonly<Record<string, PropertyValue | null>>;

/** Stored for an open version start: Cypher compares dates with it like any other. */
export const OPEN_START: IsoDate = "0000-01-01";
/** Stored for an open version end. */
export const OPEN_END: IsoDate = "9999-12-31";

/**
 * The first day a version can be in force, as the statements test it: its own start, but
 * never before its system was in use (versionAt's rule: no ICD-10-CM code is valid in
 * 2012, even when the first release imported left its start unknown). A version that
 * ended before its system began gets a start after its end, and is never in force.
 */
function versionStart(version: CodeVersion, systemStart: IsoDate): IsoDate {
  const own = version.validFrom ?? OPEN_START;
  return own > systemStart ? own : systemStart;
}

/** A stored value that does not have the shape the adapter wrote. */
export class RecordMappingError extends Error {
  override readonly name = "RecordMappingError";
}

/**
 * Year, month and day of a `YYYY-MM-DD` calendar date, or undefined. Not isIsoDate: that
 * goes through Date.UTC, which reads years below 100 as 19xx and so refuses 0000-01-01,
 * the open-start sentinel.
 */
function calendarDate(date: string): [number, number, number] | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12) return undefined;
  // Leap years repeat every 400 years: year 2000 + (y mod 400) has y's calendar.
  const daysInMonth = new Date(Date.UTC(2000 + (year % 400), month, 0)).getUTCDate();
  return day >= 1 && day <= daysInMonth ? [year, month, day] : undefined;
}

/** An ISO date as a Neo4j DATE value. */
export function toNeo4jDate(date: IsoDate): Neo4jDate {
  const parts = calendarDate(date);
  if (!parts) throw new RecordMappingError(`not a date YYYY-MM-DD: ${JSON.stringify(date)}`);
  return new neo4j.types.Date(...parts);
}

/** A Neo4j DATE as an ISO date. */
export function fromNeo4jDate(value: unknown, what: string): IsoDate {
  if (neo4j.isDate(value)) {
    const year = toNumber(value.year, what);
    const pad = (n: number, width: number) => String(n).padStart(width, "0");
    if (year < 0 || year > 9999)
      throw new RecordMappingError(`${what}: year ${year} is outside 0000-9999`);
    return `${pad(year, 4)}-${pad(toNumber(value.month, what), 2)}-${pad(toNumber(value.day, what), 2)}`;
  }
  throw new RecordMappingError(`${what}: expected a DATE, found ${describe(value)}`);
}

function optionalDate(value: unknown, what: string): IsoDate | null {
  return value === null || value === undefined ? null : fromNeo4jDate(value, what);
}

/** A Neo4j INTEGER (or a float, or a bigint) as a JavaScript number; refuses to lose digits. */
export function toNumber(value: unknown, what: string): number {
  if (neo4j.isInt(value)) {
    if (!neo4j.integer.inSafeRange(value)) {
      throw new RecordMappingError(`${what}: ${value.toString()} does not fit a JavaScript number`);
    }
    return value.toNumber();
  }
  if (typeof value === "number") return value;
  if (typeof value === "bigint") {
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new RecordMappingError(`${what}: ${value} does not fit a JavaScript number`);
    }
    return Number(value);
  }
  throw new RecordMappingError(`${what}: expected a number, found ${describe(value)}`);
}

function optionalNumber(value: unknown, what: string): number | null {
  return value === null || value === undefined ? null : toNumber(value, what);
}

/** A whole number as a Neo4j INTEGER, so Cypher sees 3 and not 3.0 (slices, LIMIT, counts). */
export function toInteger(value: number): Integer {
  if (!Number.isSafeInteger(value)) throw new RecordMappingError(`not a whole number: ${value}`);
  return neo4j.int(value);
}

function str(value: unknown, what: string): string {
  if (typeof value !== "string")
    throw new RecordMappingError(`${what}: expected a string, found ${describe(value)}`);
  return value;
}

function optionalStr(value: unknown, what: string): string | null {
  return value === null || value === undefined ? null : str(value, what);
}

function bool(value: unknown, what: string): boolean {
  if (typeof value !== "boolean")
    throw new RecordMappingError(`${what}: expected a boolean, found ${describe(value)}`);
  return value;
}

/** A list property; absent means empty (Neo4j and neo4j-admin drop empty lists). */
function strings(value: unknown, what: string): string[] {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    throw new RecordMappingError(`${what}: expected a list of strings, found ${describe(value)}`);
  }
  return value as string[];
}

function oneOf<T extends string>(value: unknown, values: readonly T[], what: string): T {
  if (typeof value !== "string" || !(values as readonly string[]).includes(value)) {
    throw new RecordMappingError(
      `${what}: expected one of ${values.join(", ")}, found ${describe(value)}`,
    );
  }
  return value as T;
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === "object") return (value as object).constructor?.name ?? "object";
  return `${typeof value} ${JSON.stringify(value)}`;
}

function parseJson(value: unknown, what: string): unknown {
  try {
    return JSON.parse(str(value, what));
  } catch (error) {
    if (error instanceof RecordMappingError) throw error;
    throw new RecordMappingError(`${what}: not JSON (${(error as Error).message})`);
  }
}

// ---------------------------------------------------------------------------------------
// Codes

/**
 * Titles, short titles and synonyms as their search terms (words, and possessives also
 * without their `s`) joined by one space: what the full-text index holds, and exactly the
 * terms the embedded store indexes.
 */
function searchTexts(texts: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const text of texts) {
    const joined = searchTerms(text).join(" ");
    if (joined) out.add(joined);
  }
  return [...out];
}

/**
 * The properties of a (:Code) node. Versions and attributes are JSON (Neo4j cannot store
 * lists of maps or maps); the version spans are repeated as parallel lists of dates and
 * flags so Cypher can filter by date without parsing JSON; titles and synonyms are
 * repeated as word lists for the full-text index.
 */
export function codeToRow(node: CodeNode): PropertyRow {
  const first = node.versions[0];
  const last = node.versions[node.versions.length - 1];
  if (!first || !last)
    throw new RecordMappingError(`${node.id}: a code needs at least one version`);
  const titles = new Set<string>();
  for (const v of node.versions) {
    titles.add(v.title);
    if (v.shortTitle) titles.add(v.shortTitle);
  }
  const systemStart = codeSystemInfo(node.system).inUseFrom ?? OPEN_START;
  const versions: CodeVersion[] = node.versions.map((v) => ({
    title: v.title,
    shortTitle: v.shortTitle,
    billable: v.billable,
    validFrom: v.validFrom,
    validTo: v.validTo,
  }));
  return {
    id: node.id,
    system: node.system,
    code: node.code,
    codeKey: codeKey(node.code),
    kind: node.kind,
    level: node.level,
    title: latestVersion(node).title,
    titles: [...titles],
    synonyms: [...node.synonyms],
    noMapTo: [...node.noMapTo],
    versions: JSON.stringify(versions),
    attributes: JSON.stringify(node.attributes),
    validFrom: first.validFrom === null ? null : toNeo4jDate(first.validFrom),
    validTo: last.validTo === null ? null : toNeo4jDate(last.validTo),
    versionFrom: node.versions.map((v) => toNeo4jDate(versionStart(v, systemStart))),
    versionTo: node.versions.map((v) => toNeo4jDate(v.validTo ?? OPEN_END)),
    versionBillable: node.versions.map((v) => v.billable),
    titleTexts: searchTexts(titles),
    synonymTexts: searchTexts(node.synonyms),
  };
}

function parseVersions(value: unknown, what: string): CodeVersion[] {
  const parsed = parseJson(value, what);
  if (!Array.isArray(parsed) || parsed.length === 0)
    throw new RecordMappingError(`${what}: expected a non-empty list`);
  return parsed.map((v: Record<string, unknown>, i) => {
    const at = `${what}[${i}]`;
    const date = (d: unknown, field: string) => {
      if (d === null) return null;
      if (typeof d !== "string" || !calendarDate(d))
        throw new RecordMappingError(`${at}.${field}: not a date`);
      return d;
    };
    return {
      title: str(v.title, `${at}.title`),
      shortTitle: optionalStr(v.shortTitle, `${at}.shortTitle`),
      billable: bool(v.billable, `${at}.billable`),
      validFrom: date(v.validFrom, "validFrom"),
      validTo: date(v.validTo, "validTo"),
    };
  });
}

function parseAttributes(value: unknown, what: string): Record<string, string> {
  const parsed = parseJson(value, what);
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new RecordMappingError(`${what}: expected an object`);
  }
  for (const [k, v] of Object.entries(parsed)) str(v, `${what}.${k}`);
  return parsed as Record<string, string>;
}

function systemId(value: unknown, what: string): CodeSystemId {
  const s = str(value, what);
  if (!isCodeSystemId(s))
    throw new RecordMappingError(`${what}: unknown code system ${JSON.stringify(s)}`);
  return s;
}

/** A (:Code) node as the domain's CodeNode. */
export function codeFromNode(node: Node): CodeNode {
  return codeFromProperties(node.properties as Record<string, unknown>);
}

/**
 * What search candidates carry (search.cypher projects exactly these): every property
 * the domain's CodeNode is read from but `attributes`, which the ranking never reads and
 * which is the largest one on HCPCS codes. The properties kept for Cypher alone (version
 * lists, word lists, titles, codeKey, dates) stay on the server too.
 */
export const RANKING_KEYS = [
  "id",
  "system",
  "code",
  "kind",
  "level",
  "versions",
  "synonyms",
  "noMapTo",
] as const;

/**
 * A search candidate as a CodeNode for the shared ranking, from the map search.cypher
 * projects. Its `attributes` are empty, not read: such a node serves the ranking only,
 * and the adapter answers with the page's codes fetched whole (see Neo4jStore.search).
 */
export function rankingCandidateFromMap(value: unknown): CodeNode {
  const p = asMap(value, "search candidate");
  const unexpected = Object.keys(p).filter((k) => !(RANKING_KEYS as readonly string[]).includes(k));
  if (unexpected.length > 0)
    throw new RecordMappingError(`search candidate: unexpected ${unexpected.join(", ")}`);
  return codeFromProperties({ ...p, attributes: "{}" });
}

function codeFromProperties(p: Record<string, unknown>): CodeNode {
  const id = str(p.id, "Code.id");
  const at = (key: string) => `Code ${id}: ${key}`;
  return {
    id,
    system: systemId(p.system, at("system")),
    code: str(p.code, at("code")),
    kind: oneOf(p.kind, Object.values(CodeKind), at("kind")),
    level: oneOf(p.level, Object.values(CodeLevel), at("level")),
    versions: parseVersions(p.versions, at("versions")),
    synonyms: strings(p.synonyms, at("synonyms")),
    noMapTo: strings(p.noMapTo, at("noMapTo")).map((s) => systemId(s, at("noMapTo"))),
    attributes: parseAttributes(p.attributes, at("attributes")),
  };
}

// ---------------------------------------------------------------------------------------
// Edges

/** What a load statement needs per edge: its ends, its identity, its properties. */
export interface EdgeRow {
  readonly from: string;
  readonly to: string;
  readonly key: string;
  readonly props: PropertyRow;
}

/**
 * The properties of a relationship: `key` (the edge's identity, {@link edgeKey}) and
 * the edge's data, GEM flags decoded into five properties.
 */
export function edgeToRow(edge: GraphEdge): EdgeRow {
  const key = edgeKey(edge);
  const base = {
    key,
    source: edge.source,
    validFrom: edge.validFrom === null ? null : toNeo4jDate(edge.validFrom),
    validTo: edge.validTo === null ? null : toNeo4jDate(edge.validTo),
  };
  const props = ((): PropertyRow => {
    switch (edge.relation) {
      case Relation.SUBSET_OF:
        return base;
      case Relation.PAIRED_WITH:
        return {
          ...base,
          kind: edge.kind,
          score: edge.score,
          // A float like the other measures: the domain types it as a number, and the
          // neo4j-admin files need one type per column.
          support: edge.support,
          confidence: edge.confidence,
          reverseConfidence: edge.reverseConfidence,
          lift: edge.lift,
          note: edge.note,
        };
      case Relation.REPLACES:
        return { ...base, effective: toNeo4jDate(edge.effective) };
      case Relation.MAPS_TO:
        return {
          ...base,
          approximate: edge.flags.approximate,
          noMap: edge.flags.noMap,
          combination: edge.flags.combination,
          scenario: toInteger(edge.flags.scenario),
          choiceList: toInteger(edge.flags.choiceList),
        };
      case Relation.EXCLUDES:
        return { ...base, kind: edge.kind, note: edge.note };
      default:
        return assertNever(edge);
    }
  })();
  return { from: edge.from, to: edge.to, key, props };
}

/**
 * A relationship as the domain's GraphEdge. The relationship object knows its ends only
 * by Neo4j's element ids, so the statements return the code ids beside it.
 */
export function edgeFromRelationship(rel: Relationship, from: string, to: string): GraphEdge {
  const p = rel.properties as Record<string, unknown>;
  const at = (key: string) => `${rel.type} ${from} → ${to}: ${key}`;
  const base = {
    from,
    to,
    source: str(p.source, at("source")),
    validFrom: optionalDate(p.validFrom, at("validFrom")),
    validTo: optionalDate(p.validTo, at("validTo")),
  };
  const relation = oneOf(rel.type, Object.values(Relation), "relationship type");
  switch (relation) {
    case Relation.SUBSET_OF:
      return { relation, ...base };
    case Relation.PAIRED_WITH:
      return {
        relation,
        ...base,
        kind: oneOf(p.kind, Object.values(PairingKind), at("kind")),
        score: optionalNumber(p.score, at("score")),
        support: optionalNumber(p.support, at("support")),
        confidence: optionalNumber(p.confidence, at("confidence")),
        reverseConfidence: optionalNumber(p.reverseConfidence, at("reverseConfidence")),
        lift: optionalNumber(p.lift, at("lift")),
        note: optionalStr(p.note, at("note")),
      };
    case Relation.REPLACES:
      return { relation, ...base, effective: fromNeo4jDate(p.effective, at("effective")) };
    case Relation.MAPS_TO:
      return {
        relation,
        ...base,
        flags: {
          approximate: bool(p.approximate, at("approximate")),
          noMap: bool(p.noMap, at("noMap")),
          combination: bool(p.combination, at("combination")),
          scenario: toNumber(p.scenario, at("scenario")),
          choiceList: toNumber(p.choiceList, at("choiceList")),
        },
      };
    case Relation.EXCLUDES:
      return {
        relation,
        ...base,
        kind: oneOf(p.kind, Object.values(ExclusionKind), at("kind")),
        note: optionalStr(p.note, at("note")),
      };
    default:
      return assertNever(relation);
  }
}

// ---------------------------------------------------------------------------------------
// Releases and code systems

/** The properties of a (:Release) node; `key` is system and version, its identity. */
export function releaseToRow(release: ReleaseInfo): PropertyRow {
  return {
    key: `${release.system}|${release.version}`,
    system: release.system,
    version: release.version,
    effective: toNeo4jDate(release.effective),
    source: release.source,
    // Kept as the importer wrote it: an instant, compared by nobody, shown as is.
    importedAt: release.importedAt,
    sha256: release.sha256,
    codeCount: toInteger(release.codeCount),
  };
}

/** A (:Release) node as the domain's ReleaseInfo. */
export function releaseFromNode(node: Node): ReleaseInfo {
  const p = node.properties as Record<string, unknown>;
  const at = (key: string) => `Release ${String(p.key)}: ${key}`;
  return {
    system: systemId(p.system, at("system")),
    version: str(p.version, at("version")),
    effective: fromNeo4jDate(p.effective, at("effective")),
    source: str(p.source, at("source")),
    importedAt: str(p.importedAt, at("importedAt")),
    sha256: str(p.sha256, at("sha256")),
    codeCount: toNumber(p.codeCount, at("codeCount")),
  };
}

/** The code-system nodes and the SUBSET_OF and REPLACES links between them. */
export function codeSystemRows(): {
  systems: PropertyRow[];
  subsets: PropertyRow[];
  replacements: PropertyRow[];
} {
  const infos = codeSystemNodes();
  return {
    systems: infos.map((s) => ({
      id: s.id,
      name: s.name,
      publisher: s.publisher,
      description: s.description,
      isFamily: s.isFamily,
      publicDomain: s.publicDomain,
      endedOn: s.endedOn === null ? null : toNeo4jDate(s.endedOn),
    })),
    subsets: infos.flatMap((s) =>
      s.subsetOf.map((to) => ({ from: s.id, to, key: `${Relation.SUBSET_OF}|${s.id}|${to}` })),
    ),
    replacements: infos.flatMap((s) =>
      s.replaces.map((r) => ({
        from: s.id,
        to: r.id,
        key: `${Relation.REPLACES}|${s.id}|${r.id}`,
        effective: toNeo4jDate(r.effective),
      })),
    ),
  };
}

// ---------------------------------------------------------------------------------------
// Record values: `Record.get` answers `any`; these check the shape before it is trusted.

/** A value that must be a node. */
export function asNode(value: unknown, what: string): Node {
  if (!neo4j.isNode(value))
    throw new RecordMappingError(`${what}: expected a node, found ${describe(value)}`);
  return value as Node;
}

/** A value that must be a relationship. */
export function asRelationship(value: unknown, what: string): Relationship {
  if (!neo4j.isRelationship(value)) {
    throw new RecordMappingError(`${what}: expected a relationship, found ${describe(value)}`);
  }
  return value as Relationship;
}

/** A value that must be a list. */
export function asList(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value))
    throw new RecordMappingError(`${what}: expected a list, found ${describe(value)}`);
  return value;
}

/** A value that must be a map (a Cypher map literal in a result). */
export function asMap(value: unknown, what: string): Record<string, unknown> {
  if (
    typeof value !== "object" ||
    value === null ||
    Array.isArray(value) ||
    neo4j.isNode(value) ||
    neo4j.isRelationship(value)
  ) {
    throw new RecordMappingError(`${what}: expected a map, found ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}

/** A value that must be a string. */
export function asString(value: unknown, what: string): string {
  return str(value, what);
}
