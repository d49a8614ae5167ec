import { registerEnumType } from "type-graphql";
import { CodeKind, CodeLevel } from "../domain/code-kind.js";
import { CodeStatus } from "../domain/code-status.js";
import { CodeSystemId } from "../domain/code-system.js";
import { ExclusionKind, PairingKind } from "../domain/relationship.js";
import { SearchMatchKind } from "../store/graph-store.js";

/** How code `a` relates to code `b` in their hierarchy. */
export enum SubsumptionOutcome {
  EQUIVALENT = "EQUIVALENT",
  SUBSUMES = "SUBSUMES",
  SUBSUMED_BY = "SUBSUMED_BY",
  NOT_SUBSUMED = "NOT_SUBSUMED",
}

/** Which way a relationship runs, seen from the code being asked about. */
export enum EdgeDirection {
  OUTGOING = "OUTGOING",
  INCOMING = "INCOMING",
}

registerEnumType(CodeSystemId, {
  name: "CodeSystemId",
  description: "A code system the graph holds.",
  valuesConfig: {
    CPT: { description: "CPT (HCPCS Level I), AMA: procedures and professional services." },
    HCPCS: {
      description:
        "HCPCS Level II, CMS: supplies, equipment, drugs, services not in CPT; modifiers.",
    },
    ICD10CM: { description: "ICD-10-CM: diagnoses, since 2015-10-01." },
    ICD10PCS: { description: "ICD-10-PCS: inpatient hospital procedures, since 2015-10-01." },
    ICD9CM: { description: "ICD-9-CM: diagnoses and inpatient procedures until 2015-09-30." },
  },
});

registerEnumType(CodeKind, {
  name: "CodeKind",
  description: "What a code stands for.",
  valuesConfig: {
    DIAGNOSIS: { description: "A disease, injury, symptom or reason for an encounter." },
    PROCEDURE: { description: "A procedure or professional service." },
    SUPPLY_OR_SERVICE: { description: "A supply, device, drug or service (HCPCS Level II)." },
    MODIFIER: { description: "A modifier reported with a procedure code to qualify it." },
  },
});

registerEnumType(CodeLevel, {
  name: "CodeLevel",
  description:
    "Where a code sits in its system's hierarchy; the values give each system's own word.",
  valuesConfig: {
    CHAPTER: { description: "ICD chapter, ICD-10-PCS section, HCPCS/CPT section." },
    BLOCK: {
      description: "ICD block of categories, ICD-10-PCS body system, HCPCS/CPT subsection.",
    },
    CATEGORY: {
      description: "Three-character ICD category; ICD-10-PCS table (first three characters).",
    },
    SUBCATEGORY: { description: "A header below a category, with codes below it." },
    CODE: {
      description:
        "A code at the bottom of the hierarchy: HCPCS and CPT codes and modifiers, ICD codes.",
    },
  },
});

registerEnumType(CodeStatus, {
  name: "CodeStatus",
  description: "What a code is on a given date, for someone about to report it.",
  valuesConfig: {
    VALID: { description: "Valid and reportable on the date." },
    HEADER: { description: "Valid but a header: report one of the codes below it instead." },
    DELETED: {
      description:
        "No longer valid on the date; see `replacedBy` for what replaced it, or, for a code of a system that ended (ICD-9-CM), `code.mapsTo` for its crosswalks.",
    },
    NOT_YET_VALID: { description: "Not valid yet on the date: a later release added it." },
    UNKNOWN: { description: "Well-formed, but the graph holds no such code." },
    INVALID: { description: "Not a well-formed code of the system: see `message`." },
    AMBIGUOUS: { description: "Well-formed and present in more than one system: give `system`." },
  },
});

registerEnumType(PairingKind, {
  name: "PairingKind",
  description: "Why two codes are paired.",
  valuesConfig: {
    USE_ADDITIONAL_CODE: {
      description: 'ICD-10-CM "Use additional code": report the other code as well.',
    },
    CODE_FIRST: {
      description: 'ICD-10-CM "Code first": the other code (an underlying condition) goes first.',
    },
    CODE_ALSO: { description: 'ICD-10-CM "Code also": the other code may be reported too.' },
    SUPPORTS: { description: "A diagnosis that supports the medical necessity of a procedure." },
    OBSERVED: { description: "Seen together on claims; see support, confidence and lift." },
  },
});

registerEnumType(ExclusionKind, {
  name: "ExclusionKind",
  description: "ICD-10-CM exclusion notes.",
  valuesConfig: {
    EXCLUDES1: { description: "Never reported together: the conditions cannot occur together." },
    EXCLUDES2: {
      description: "Not part of this code: both may be reported when both are present.",
    },
  },
});

registerEnumType(SearchMatchKind, {
  name: "SearchMatchKind",
  description: "What part of a code matched a search.",
  valuesConfig: {
    CODE: { description: "The search text is the code itself." },
    CODE_PREFIX: { description: "The search text begins the code." },
    TITLE: { description: "The words are in the title." },
    SYNONYM: { description: "The words are in an inclusion term, former title or other synonym." },
  },
});

registerEnumType(SubsumptionOutcome, {
  name: "SubsumptionOutcome",
  description: "How code `a` relates to code `b` in their hierarchy.",
  valuesConfig: {
    EQUIVALENT: { description: "`a` and `b` are the same code." },
    SUBSUMES: { description: "`a` is an ancestor of `b`: everything `b` covers, `a` covers." },
    SUBSUMED_BY: { description: "`b` is an ancestor of `a`." },
    NOT_SUBSUMED: {
      description: "Neither is an ancestor of the other (or they are in different systems).",
    },
  },
});

registerEnumType(EdgeDirection, {
  name: "EdgeDirection",
  description: "Which way a relationship runs, seen from the code being asked about.",
  valuesConfig: {
    OUTGOING: {
      description:
        "From this code to the other (this code bears the instruction or is the source).",
    },
    INCOMING: { description: "From the other code to this one." },
  },
});
