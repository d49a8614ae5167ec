/**
 * The code systems the graph knows, and how they relate to each other.
 * Identifiers double as the `SYSTEM` part of a code id (`ICD10CM:E11.9`).
 */
export enum CodeSystemId {
  CPT = "CPT",
  HCPCS = "HCPCS",
  ICD10CM = "ICD10CM",
  ICD10PCS = "ICD10PCS",
  ICD9CM = "ICD9CM",
}

export const ALL_CODE_SYSTEMS: readonly CodeSystemId[] = Object.values(CodeSystemId);

/**
 * Groupings that are not code systems of their own but that systems belong to:
 * "CPT is a subset of HCPCS, HCPCS and ICD-10-PCS are procedure code sets".
 */
export enum CodeSetFamilyId {
  PROCEDURE_CODES = "PROCEDURE_CODES",
  DIAGNOSIS_CODES = "DIAGNOSIS_CODES",
}

export type CodeSystemNodeId = CodeSystemId | CodeSetFamilyId;

export interface CodeSystemInfo {
  readonly id: CodeSystemNodeId;
  /** Official name. */
  readonly name: string;
  /** Who maintains and publishes it. */
  readonly publisher: string;
  readonly description: string;
  /** True for the groupings that hold no codes of their own. */
  readonly isFamily: boolean;
  /** The systems or families this one is part of (a SUBSET_OF edge each). */
  readonly subsetOf: readonly CodeSystemNodeId[];
  /** Systems this one replaced, and from when (a REPLACES edge each). */
  readonly replaces: readonly { readonly id: CodeSystemId; readonly effective: string }[];
  /** Whether descriptors may be shipped (false for CPT: AMA copyright). */
  readonly publicDomain: boolean;
  /**
   * First day the system was in use in the US, where certain: no code of the system is
   * valid before it, even when a release leaves a code's start unknown. Null when not
   * pinned down here (CPT, HCPCS).
   */
  readonly inUseFrom: string | null;
  /** Last day the system was in use, for a frozen system (ICD-9-CM); null while in use. */
  readonly endedOn: string | null;
}

export const ICD10_EFFECTIVE_DATE = "2015-10-01";
/** ICD-9-CM's last day: ICD-10-CM and ICD-10-PCS took over the next morning. */
export const ICD9_END_DATE = "2015-09-30";
/** ICD-9-CM replaced ICD-9 in US morbidity coding on 1 January 1979. */
export const ICD9_START_DATE = "1979-01-01";

const SYSTEMS: readonly CodeSystemInfo[] = [
  {
    id: CodeSystemId.CPT,
    name: "Current Procedural Terminology (HCPCS Level I)",
    publisher: "American Medical Association",
    description:
      "Procedures and services reported by physicians and other professionals. Descriptors are copyrighted by the AMA: this service holds only paraphrases unless a licensed file is imported.",
    isFamily: false,
    subsetOf: [CodeSystemId.HCPCS],
    replaces: [],
    publicDomain: false,
    inUseFrom: null,
    endedOn: null,
  },
  {
    id: CodeSystemId.HCPCS,
    name: "Healthcare Common Procedure Coding System, Level II",
    publisher: "Centers for Medicare & Medicaid Services",
    description:
      "Products, supplies and services not in CPT (ambulance, durable medical equipment, drugs, prosthetics), and modifiers. Level I of HCPCS is CPT.",
    isFamily: false,
    subsetOf: [CodeSetFamilyId.PROCEDURE_CODES],
    replaces: [],
    publicDomain: true,
    inUseFrom: null,
    endedOn: null,
  },
  {
    id: CodeSystemId.ICD10CM,
    name: "ICD-10 Clinical Modification",
    publisher: "National Center for Health Statistics (CDC) and CMS",
    description: "Diagnoses, symptoms and reasons for encounters, in all US care settings.",
    isFamily: false,
    subsetOf: [CodeSetFamilyId.DIAGNOSIS_CODES],
    replaces: [{ id: CodeSystemId.ICD9CM, effective: ICD10_EFFECTIVE_DATE }],
    publicDomain: true,
    inUseFrom: ICD10_EFFECTIVE_DATE,
    endedOn: null,
  },
  {
    id: CodeSystemId.ICD10PCS,
    name: "ICD-10 Procedure Coding System",
    publisher: "Centers for Medicare & Medicaid Services",
    description: "Inpatient hospital procedures, seven characters built from tables.",
    isFamily: false,
    subsetOf: [CodeSetFamilyId.PROCEDURE_CODES],
    replaces: [{ id: CodeSystemId.ICD9CM, effective: ICD10_EFFECTIVE_DATE }],
    publicDomain: true,
    inUseFrom: ICD10_EFFECTIVE_DATE,
    endedOn: null,
  },
  {
    id: CodeSystemId.ICD9CM,
    name: "ICD-9 Clinical Modification",
    publisher: "National Center for Health Statistics (CDC) and CMS",
    description:
      "Diagnoses (volumes 1–2) and inpatient procedures (volume 3) used in the US until 2015-09-30; frozen, kept for history and crosswalks.",
    isFamily: false,
    subsetOf: [CodeSetFamilyId.DIAGNOSIS_CODES, CodeSetFamilyId.PROCEDURE_CODES],
    replaces: [],
    publicDomain: true,
    inUseFrom: ICD9_START_DATE,
    endedOn: ICD9_END_DATE,
  },
  {
    id: CodeSetFamilyId.PROCEDURE_CODES,
    name: "Procedure code sets",
    publisher: "HIPAA standard code sets",
    description: "Code sets that report procedures, services and supplies.",
    isFamily: true,
    subsetOf: [],
    replaces: [],
    publicDomain: true,
    inUseFrom: null,
    endedOn: null,
  },
  {
    id: CodeSetFamilyId.DIAGNOSIS_CODES,
    name: "Diagnosis code sets",
    publisher: "HIPAA standard code sets",
    description: "Code sets that report diagnoses and reasons for encounters.",
    isFamily: true,
    subsetOf: [],
    replaces: [],
    publicDomain: true,
    inUseFrom: null,
    endedOn: null,
  },
];

const BY_ID = new Map<string, CodeSystemInfo>(SYSTEMS.map((s) => [s.id, s]));

/** Every code-system node, concrete systems first. */
export function codeSystemNodes(): readonly CodeSystemInfo[] {
  return SYSTEMS;
}

export function codeSystemInfo(id: CodeSystemNodeId): CodeSystemInfo {
  const info = BY_ID.get(id);
  if (!info) throw new Error(`unknown code system ${id}`);
  return info;
}

export function isCodeSystemId(value: string): value is CodeSystemId {
  return (ALL_CODE_SYSTEMS as readonly string[]).includes(value);
}

/** Spellings users type for a system, mapped to its id. */
const SYSTEM_ALIASES: ReadonlyMap<string, CodeSystemId> = new Map([
  ["CPT", CodeSystemId.CPT],
  ["CPT4", CodeSystemId.CPT],
  ["HCPCS", CodeSystemId.HCPCS],
  ["HCPCS2", CodeSystemId.HCPCS],
  ["HCPCSII", CodeSystemId.HCPCS],
  ["HCPCSLEVELII", CodeSystemId.HCPCS],
  ["ICD10CM", CodeSystemId.ICD10CM],
  ["ICD10PCS", CodeSystemId.ICD10PCS],
  ["ICD9CM", CodeSystemId.ICD9CM],
  ["ICD9", CodeSystemId.ICD9CM],
]);

/** Resolves `icd-10-cm`, `ICD10CM`, `hcpcs ii` ... to a system id, or undefined. */
export function parseSystemName(raw: string): CodeSystemId | undefined {
  return SYSTEM_ALIASES.get(raw.toUpperCase().replace(/[\s\-_.]/g, ""));
}
