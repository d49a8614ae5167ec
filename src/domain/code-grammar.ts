import { CodeKind } from "./code-kind.js";
import { CodeSystemId } from "./code-system.js";

/**
 * What a well-formed string names inside its system. Ranges name chapters and blocks
 * (`E08-E13`); headers and codes share one shape and are told apart by the data.
 */
export enum CodeShape {
  RANGE = "RANGE",
  CODE = "CODE",
  MODIFIER = "MODIFIER",
}

/** One reading of an input string as a code of one system. */
export interface CodeReading {
  readonly system: CodeSystemId;
  /** Canonical form inside the system: `E11.9`, `0016070`, `A4206`, `250.00`. */
  readonly code: string;
  /** `SYSTEM:CODE`, the node id. */
  readonly id: string;
  readonly shape: CodeShape;
  readonly kind: CodeKind;
}

export interface SystemGrammar {
  readonly system: CodeSystemId;
  /** Human-readable name, as coders write it. */
  readonly label: string;
  /** The expected form, for error messages. */
  readonly expected: string;
  /** Readings of an already upper-cased, space-free string; empty when it cannot be one. */
  read(clean: string): CodeReading[];
  /** A specific reason the string is not a code of this system, when one is known. */
  explain(clean: string): string | undefined;
  /**
   * Codes a code's parent may be, nearest first, judged from its characters alone
   * (E11.65 → E11.6, E11). Importers link a code to the nearest one that exists.
   */
  prefixAncestors(code: string): string[];
}

export function codeId(system: CodeSystemId, code: string): string {
  return `${system}:${code}`;
}

function reading(
  system: CodeSystemId,
  code: string,
  shape: CodeShape,
  kind: CodeKind,
): CodeReading {
  return { system, code, id: codeId(system, code), shape, kind };
}

/** `E119` → `E11.9`: a dot after `at` characters when anything follows. */
function dotAfter(undotted: string, at: number): string {
  return undotted.length > at ? `${undotted.slice(0, at)}.${undotted.slice(at)}` : undotted;
}

/** E11.65 → [E11.6, E11]: drop one character after the dot at a time. */
function dottedPrefixes(code: string): string[] {
  const dot = code.indexOf(".");
  if (dot < 0) return [];
  const out: string[] = [];
  for (let end = code.length - 1; end > dot; end--) {
    out.push(end === dot + 1 ? code.slice(0, dot) : code.slice(0, end));
  }
  return out;
}

// ── ICD-10-CM ──────────────────────────────────────────────────────────────────────
// A letter, then a digit and a digit or letter (E11, C4A) — or, since FY2026, Q, a letter
// and a digit (QA0, neurodevelopmental disorders of genetic origin). Only Q: a looser
// pattern would read ICD-10-PCS codes such as BW00ZZZ as ICD-10-CM.
const CM_CATEGORY = "(?:[A-Z][0-9][0-9A-Z]|Q[A-Z][0-9])";
const CM_RANGE = new RegExp(`^(${CM_CATEGORY})-(${CM_CATEGORY})$`);
const CM_DOTTED = new RegExp(`^(${CM_CATEGORY})\\.([0-9A-Z]{0,4})$`);
const CM_UNDOTTED = new RegExp(`^(${CM_CATEGORY})([0-9A-Z]{0,4})$`);

const icd10cm: SystemGrammar = {
  system: CodeSystemId.ICD10CM,
  label: "ICD-10-CM",
  expected:
    "a letter, a digit, a digit or letter (or since FY2026 a letter and a digit, as in QA0), then up to four characters after a dot (E11.9, S72.001A, QA0.01), or a block range such as E08-E13",
  read(clean) {
    const range = CM_RANGE.exec(clean);
    if (range) return [reading(this.system, clean, CodeShape.RANGE, CodeKind.DIAGNOSIS)];
    const m = CM_DOTTED.exec(clean) ?? CM_UNDOTTED.exec(clean);
    if (!m) return [];
    const code = m[2] ? `${m[1]}.${m[2]}` : m[1]!;
    return [reading(this.system, code, CodeShape.CODE, CodeKind.DIAGNOSIS)];
  },
  explain(clean) {
    if (clean.includes(".") && !/^.{3}\./.test(clean)) {
      return "the dot follows the third character, as in E11.9";
    }
    if (/^[0-9]/.test(clean)) return "ICD-10-CM codes start with a letter";
    if (clean.replace(".", "").length > 7) return "ICD-10-CM codes have at most seven characters";
    return undefined;
  },
  prefixAncestors: dottedPrefixes,
};

// ── ICD-10-PCS ─────────────────────────────────────────────────────────────────────
// PCS leaves out I and O so they are never read as 1 and 0; the first character names
// one of the seventeen sections (0-9, B, C, D, F, G, H, X).
const PCS_CHAR = "[0-9A-HJ-NP-Z]";
const PCS_SECTION = "[0-9BCDFGHX]";
const PCS_CODE = new RegExp(`^${PCS_SECTION}${PCS_CHAR}{6}$`);
const PCS_HEADER = new RegExp(`^${PCS_SECTION}${PCS_CHAR}{0,2}$`);

const icd10pcs: SystemGrammar = {
  system: CodeSystemId.ICD10PCS,
  label: "ICD-10-PCS",
  expected:
    "seven characters from 0-9 and A-Z without I and O, the first naming a section (0-9, B, C, D, F, G, H, X), as in 0016070; or the first one, two or three of them for a section, body system or table",
  read(clean) {
    if (PCS_CODE.test(clean)) {
      return [reading(this.system, clean, CodeShape.CODE, CodeKind.PROCEDURE)];
    }
    if (PCS_HEADER.test(clean)) {
      return [reading(this.system, clean, CodeShape.CODE, CodeKind.PROCEDURE)];
    }
    return [];
  },
  explain(clean) {
    if (/[IO]/.test(clean)) return "ICD-10-PCS never uses the letters I and O";
    if (/^[A-Z]/.test(clean) && !/^[BCDFGHX]/.test(clean)) {
      return "the first character names a section: 0-9, B, C, D, F, G, H or X";
    }
    if (/[^0-9A-Z]/.test(clean)) return "ICD-10-PCS codes have no dots or other punctuation";
    if (clean.length > 3 && clean.length < 7) {
      return "ICD-10-PCS codes have seven characters; one to three name a section, body system or table";
    }
    if (clean.length > 7) return "ICD-10-PCS codes have seven characters";
    return undefined;
  },
  prefixAncestors(code) {
    const out: string[] = [];
    const start = code.length === 7 ? 3 : code.length - 1;
    for (let len = start; len >= 1; len--) out.push(code.slice(0, len));
    return out;
  },
};

// ── HCPCS Level II ─────────────────────────────────────────────────────────────────
const HCPCS_CODE = /^[A-V][0-9]{4}$/;
const HCPCS_RANGE = /^([A-V][0-9]{4})-([A-V][0-9]{4})$/;
const HCPCS_MODIFIER = /^(?=.*[A-Z])[A-Z0-9]{2}$/;

const hcpcs: SystemGrammar = {
  system: CodeSystemId.HCPCS,
  label: "HCPCS Level II",
  expected:
    "a letter A-V and four digits (A4206, J1234), a two-character modifier with a letter (LT, GA, E1), or a range such as A4206-A8999",
  read(clean) {
    if (HCPCS_CODE.test(clean)) {
      return [reading(this.system, clean, CodeShape.CODE, CodeKind.SUPPLY_OR_SERVICE)];
    }
    if (HCPCS_MODIFIER.test(clean)) {
      return [reading(this.system, clean, CodeShape.MODIFIER, CodeKind.MODIFIER)];
    }
    if (HCPCS_RANGE.test(clean)) {
      return [reading(this.system, clean, CodeShape.RANGE, CodeKind.SUPPLY_OR_SERVICE)];
    }
    return [];
  },
  explain(clean) {
    if (/^[0-9]{5}$/.test(clean)) return "five digits is a CPT (Level I) code, not Level II";
    if (/^[W-Z][0-9]{4}$/.test(clean)) return "HCPCS Level II codes start with A to V";
    if (clean.includes(".")) return "HCPCS codes have no dots";
    return undefined;
  },
  prefixAncestors: () => [],
};

// ── CPT (HCPCS Level I) ────────────────────────────────────────────────────────────
// Category I: five digits; Category II: four digits + F; Category III: + T;
// proprietary laboratory analyses: + U; multianalyte assays: + M.
const CPT_CODE = /^[0-9]{4}[0-9FMTU]$/;
const CPT_RANGE = /^([0-9]{4}[0-9FMTU])-([0-9]{4}[0-9FMTU])$/;
const CPT_MODIFIER = /^([0-9]{2}|[0-9]P)$/;

const cpt: SystemGrammar = {
  system: CodeSystemId.CPT,
  label: "CPT",
  expected:
    "five digits (99213), four digits and F, M, T or U (3044F, 0042T), a modifier (25, 59, 1P), or a range such as 99202-99215",
  read(clean) {
    if (CPT_CODE.test(clean))
      return [reading(this.system, clean, CodeShape.CODE, CodeKind.PROCEDURE)];
    if (CPT_MODIFIER.test(clean)) {
      return [reading(this.system, clean, CodeShape.MODIFIER, CodeKind.MODIFIER)];
    }
    if (CPT_RANGE.test(clean))
      return [reading(this.system, clean, CodeShape.RANGE, CodeKind.PROCEDURE)];
    return [];
  },
  explain(clean) {
    if (/^[A-Z][0-9]{4}$/.test(clean)) return "a letter and four digits is an HCPCS Level II code";
    if (clean.includes(".")) return "CPT codes have no dots";
    return undefined;
  },
  prefixAncestors: () => [],
};

// ── ICD-9-CM ───────────────────────────────────────────────────────────────────────
// Diagnoses: 3 digits (+ up to 2 after a dot), V + 2 digits (+ up to 2), E + 3 digits
// (+ 1). Procedures (volume 3): 2 digits (+ up to 2). Without a dot, "3610" may be the
// diagnosis 361.0 or the procedure 36.10: both readings are returned.
const I9_DX_DOTTED = /^([0-9]{3})\.([0-9]{0,2})$/;
const I9_V_DOTTED = /^(V[0-9]{2})\.([0-9]{0,2})$/;
const I9_E_DOTTED = /^(E[0-9]{3})\.([0-9]?)$/;
const I9_PROC_DOTTED = /^([0-9]{2})\.([0-9]{0,2})$/;
const I9_RANGES = [/^[0-9]{3}-[0-9]{3}$/, /^V[0-9]{2}-V[0-9]{2}$/, /^E[0-9]{3}-E[0-9]{3}$/];
const I9_PROC_RANGE = /^[0-9]{2}-[0-9]{2}$/;

function joinDot(head: string, tail: string): string {
  return tail ? `${head}.${tail}` : head;
}

const icd9cm: SystemGrammar = {
  system: CodeSystemId.ICD9CM,
  label: "ICD-9-CM",
  expected:
    "a diagnosis of three digits, V and two digits, or E and three digits, with up to two more after a dot (250.00, V58.67, E880.9); or a procedure of two digits with up to two after a dot (36.10)",
  read(clean) {
    const dx = (code: string) => reading(this.system, code, CodeShape.CODE, CodeKind.DIAGNOSIS);
    const proc = (code: string) => reading(this.system, code, CodeShape.CODE, CodeKind.PROCEDURE);
    if (I9_RANGES.some((r) => r.test(clean))) {
      return [reading(this.system, clean, CodeShape.RANGE, CodeKind.DIAGNOSIS)];
    }
    if (I9_PROC_RANGE.test(clean)) {
      return [reading(this.system, clean, CodeShape.RANGE, CodeKind.PROCEDURE)];
    }
    let m = I9_DX_DOTTED.exec(clean) ?? I9_V_DOTTED.exec(clean) ?? I9_E_DOTTED.exec(clean);
    if (m) return [dx(joinDot(m[1]!, m[2]!))];
    m = I9_PROC_DOTTED.exec(clean);
    if (m) return [proc(joinDot(m[1]!, m[2]!))];
    if (/^V[0-9]{2,4}$/.test(clean)) return [dx(dotAfter(clean, 3))];
    if (/^E[0-9]{3,4}$/.test(clean)) return [dx(dotAfter(clean, 4))];
    if (!/^[0-9]{2,5}$/.test(clean)) return [];
    const out: CodeReading[] = [];
    if (clean.length >= 3) out.push(dx(dotAfter(clean, 3)));
    if (clean.length <= 4) out.push(proc(dotAfter(clean, 2)));
    return out;
  },
  explain(clean) {
    // The dot in its place, too much after it.
    const head = /^([0-9]{3}|V[0-9]{2}|E[0-9]{3}|[0-9]{2})\.[0-9]+$/.exec(clean)?.[1];
    if (head?.startsWith("E")) return "an E code has one digit after its dot, as in E880.9";
    if (head?.length === 2) return "a procedure has at most two digits after its dot, as in 36.10";
    if (head) return "a diagnosis has at most two digits after its dot, as in 250.00 or V58.67";
    if (clean.includes(".")) {
      return "the dot follows the third character of a diagnosis (250.00), the fourth of an E code (E880.9), the second of a procedure (36.10)";
    }
    if (/^[0-9EV][0-9]{5,}$/.test(clean)) return "ICD-9-CM codes have at most five characters";
    return undefined;
  },
  prefixAncestors: dottedPrefixes,
};

export const GRAMMARS: Readonly<Record<CodeSystemId, SystemGrammar>> = {
  [CodeSystemId.CPT]: cpt,
  [CodeSystemId.HCPCS]: hcpcs,
  [CodeSystemId.ICD10CM]: icd10cm,
  [CodeSystemId.ICD10PCS]: icd10pcs,
  [CodeSystemId.ICD9CM]: icd9cm,
};

export function grammarOf(system: CodeSystemId): SystemGrammar {
  return GRAMMARS[system];
}
