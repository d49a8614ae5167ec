/**
 * Relationship types of the graph. These are the only relationship types the Neo4j
 * adapter ever writes into Cypher: never a user string.
 */
export enum Relation {
  /** Child → parent in a hierarchy (code → category → block → chapter). */
  SUBSET_OF = "SUBSET_OF",
  /** Codes reported together; the edge's `kind` says why. */
  PAIRED_WITH = "PAIRED_WITH",
  /** New code → the deleted code it replaces, from an effective date. */
  REPLACES = "REPLACES",
  /** Crosswalk entry between ICD-9-CM and ICD-10 (General Equivalence Mappings). */
  MAPS_TO = "MAPS_TO",
  /** ICD-10-CM Excludes1 / Excludes2 notes: codes that must not, or need not, be reported together. */
  EXCLUDES = "EXCLUDES",
}

export const ALL_RELATIONS: readonly Relation[] = Object.values(Relation);

/**
 * Relations whose neighbours are listed only when valid on the date asked: a pairing or
 * an exclusion with a code that did not exist yet, or no longer, is no advice for that
 * date. Successions (REPLACES) and crosswalks (MAPS_TO) link codes across time by nature,
 * and hierarchy edges (SUBSET_OF) carry their child's validity themselves.
 */
export const DATED_NEIGHBOUR_RELATIONS: ReadonlySet<Relation> = new Set([
  Relation.PAIRED_WITH,
  Relation.EXCLUDES,
]);

/** Why two codes are paired. The edge runs from the code bearing the instruction. */
export enum PairingKind {
  /** Tabular "Use additional code": report the target as well (E11 → Z79.4). */
  USE_ADDITIONAL_CODE = "USE_ADDITIONAL_CODE",
  /** Tabular "Code first": the target (an underlying condition) is sequenced first. */
  CODE_FIRST = "CODE_FIRST",
  /** Tabular "Code also": the target may be reported too; sequence depends on the encounter. */
  CODE_ALSO = "CODE_ALSO",
  /** A diagnosis that supports the medical necessity of a procedure (diagnosis → procedure). */
  SUPPORTS = "SUPPORTS",
  /** Pairs seen together on claims, with support, confidence and lift. */
  OBSERVED = "OBSERVED",
}

/** ICD-10-CM exclusion notes. */
export enum ExclusionKind {
  /** "Not coded here": the two conditions are never reported together. */
  EXCLUDES1 = "EXCLUDES1",
  /** "Not included here": the other condition may be reported as well when present. */
  EXCLUDES2 = "EXCLUDES2",
}

/**
 * Notes a code takes from the codes above it. In the ICD-10-CM tabular an instructional
 * note ("use additional code", "code first", "code also") or an Excludes note at a
 * chapter, block, category or subcategory applies to every code below it: E11.9 must be
 * read with E11's "use additional code … (Z79.4)". Pairings a source states for one code
 * (a guideline's support, a claims pair) are that code's alone.
 */
export const INHERITED_KINDS: ReadonlyMap<Relation, ReadonlySet<string>> = new Map<
  Relation,
  ReadonlySet<string>
>([
  [
    Relation.PAIRED_WITH,
    new Set([PairingKind.USE_ADDITIONAL_CODE, PairingKind.CODE_FIRST, PairingKind.CODE_ALSO]),
  ],
  [Relation.EXCLUDES, new Set([ExclusionKind.EXCLUDES1, ExclusionKind.EXCLUDES2])],
]);

/**
 * How many levels up notes are inherited from: more than any hierarchy of the graph is
 * deep (an ICD-10-CM code sits at most six levels below its chapter). traverse-neighbors
 * .cypher spells the same bound as a literal.
 */
export const MAX_INHERITANCE_DEPTH = 10;

/** Which way to follow an edge from a node. */
export enum Direction {
  OUT = "OUT",
  IN = "IN",
  BOTH = "BOTH",
}

/** The five flags of a General Equivalence Mappings row, decoded. */
export interface GemFlags {
  /** The target is close in meaning, not identical. */
  readonly approximate: boolean;
  /** No target code in the other system. */
  readonly noMap: boolean;
  /** The source needs more than one target code together. */
  readonly combination: boolean;
  /** Which combination scenario this row belongs to (0 when not a combination). */
  readonly scenario: number;
  /** Which list of the scenario the target is chosen from (0 when not a combination). */
  readonly choiceList: number;
}

/** Decodes a GEM flags field (`10000`, `10111`). */
export function decodeGemFlags(flags: string): GemFlags {
  if (!/^[01][01][01][0-9][0-9]$/.test(flags))
    throw new Error(`malformed GEM flags ${JSON.stringify(flags)}`);
  return {
    approximate: flags[0] === "1",
    noMap: flags[1] === "1",
    combination: flags[2] === "1",
    scenario: Number(flags[3]),
    choiceList: Number(flags[4]),
  };
}

export function encodeGemFlags(f: GemFlags): string {
  return `${+f.approximate}${+f.noMap}${+f.combination}${f.scenario}${f.choiceList}`;
}
