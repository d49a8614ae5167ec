/** What a code stands for. */
export enum CodeKind {
  DIAGNOSIS = "DIAGNOSIS",
  PROCEDURE = "PROCEDURE",
  SUPPLY_OR_SERVICE = "SUPPLY_OR_SERVICE",
  MODIFIER = "MODIFIER",
}

/**
 * Where a node sits in its system's hierarchy. Systems name their levels differently;
 * the comments give each system's own word.
 */
export enum CodeLevel {
  /** ICD-10-CM/ICD-9-CM chapter, ICD-10-PCS section, HCPCS/CPT section. */
  CHAPTER = "CHAPTER",
  /** ICD-10-CM/ICD-9-CM block of categories, ICD-10-PCS body system, HCPCS/CPT subsection. */
  BLOCK = "BLOCK",
  /** Three-character ICD category, ICD-10-PCS table (first three characters). */
  CATEGORY = "CATEGORY",
  /** A header below a category that has codes of its own below it. */
  SUBCATEGORY = "SUBCATEGORY",
  /** A reportable code (and HCPCS/CPT codes and modifiers). */
  CODE = "CODE",
}

const LEVEL_ORDER: Record<CodeLevel, number> = {
  [CodeLevel.CHAPTER]: 0,
  [CodeLevel.BLOCK]: 1,
  [CodeLevel.CATEGORY]: 2,
  [CodeLevel.SUBCATEGORY]: 3,
  [CodeLevel.CODE]: 4,
};

/** Negative when `a` sits above `b` in a hierarchy. */
export function compareLevels(a: CodeLevel, b: CodeLevel): number {
  return LEVEL_ORDER[a] - LEVEL_ORDER[b];
}
