import { codeId } from "./code-grammar.js";
import { CodeKind } from "./code-kind.js";
import { CodeSystemId } from "./code-system.js";

/**
 * The chapters of ICD-9-CM: the 17 chapters of the diagnosis tabular (volume 1) with its
 * two supplementary classifications (V and E codes), and the chapters of the procedure
 * tabular (volume 3), including chapter 3A (17), added in FY2009. Pure data shared by the
 * ICD-9-CM importers and the seed. A chapter is a CHAPTER node whose code is its range in
 * the grammar's forms: `001-139`, `V01-V91`, `E000-E999` for diagnoses, `35-39` for
 * procedures, and a one-category procedure chapter written `00-00`.
 * Titles are the tabular's, in the seed's sentence case.
 */
export interface Icd9Chapter {
  readonly kind: CodeKind.DIAGNOSIS | CodeKind.PROCEDURE;
  /** First and last category of the range, inclusive: `001` and `139`, `V01` and `V91`, `35` and `39`. */
  readonly first: string;
  readonly last: string;
  readonly title: string;
}

const dx = (first: string, last: string, title: string): Icd9Chapter => ({
  kind: CodeKind.DIAGNOSIS,
  first,
  last,
  title,
});
const proc = (first: string, last: string, title: string): Icd9Chapter => ({
  kind: CodeKind.PROCEDURE,
  first,
  last,
  title,
});

export const ICD9_DIAGNOSIS_CHAPTERS: readonly Icd9Chapter[] = [
  dx("001", "139", "Infectious and parasitic diseases"),
  dx("140", "239", "Neoplasms"),
  dx("240", "279", "Endocrine, nutritional and metabolic diseases, and immunity disorders"),
  dx("280", "289", "Diseases of the blood and blood-forming organs"),
  dx("290", "319", "Mental disorders"),
  dx("320", "389", "Diseases of the nervous system and sense organs"),
  dx("390", "459", "Diseases of the circulatory system"),
  dx("460", "519", "Diseases of the respiratory system"),
  dx("520", "579", "Diseases of the digestive system"),
  dx("580", "629", "Diseases of the genitourinary system"),
  dx("630", "679", "Complications of pregnancy, childbirth, and the puerperium"),
  dx("680", "709", "Diseases of the skin and subcutaneous tissue"),
  dx("710", "739", "Diseases of the musculoskeletal system and connective tissue"),
  dx("740", "759", "Congenital anomalies"),
  dx("760", "779", "Certain conditions originating in the perinatal period"),
  dx("780", "799", "Symptoms, signs, and ill-defined conditions"),
  dx("800", "999", "Injury and poisoning"),
  dx(
    "V01",
    "V91",
    "Supplementary classification of factors influencing health status and contact with health services",
  ),
  dx("E000", "E999", "Supplementary classification of external causes of injury and poisoning"),
];

export const ICD9_PROCEDURE_CHAPTERS: readonly Icd9Chapter[] = [
  proc("00", "00", "Procedures and interventions, not elsewhere classified"),
  proc("01", "05", "Operations on the nervous system"),
  proc("06", "07", "Operations on the endocrine system"),
  proc("08", "16", "Operations on the eye"),
  proc("17", "17", "Other miscellaneous diagnostic and therapeutic procedures"),
  proc("18", "20", "Operations on the ear"),
  proc("21", "29", "Operations on the nose, mouth, and pharynx"),
  proc("30", "34", "Operations on the respiratory system"),
  proc("35", "39", "Operations on the cardiovascular system"),
  proc("40", "41", "Operations on the hemic and lymphatic system"),
  proc("42", "54", "Operations on the digestive system"),
  proc("55", "59", "Operations on the urinary system"),
  proc("60", "64", "Operations on the male genital organs"),
  proc("65", "71", "Operations on the female genital organs"),
  proc("72", "75", "Obstetrical procedures"),
  proc("76", "84", "Operations on the musculoskeletal system"),
  proc("85", "86", "Operations on the integumentary system"),
  proc("87", "99", "Miscellaneous diagnostic and therapeutic procedures"),
];

/** The range a chapter is known by inside ICD-9-CM: `240-279`, `00-00`. */
export function icd9ChapterCode(chapter: Icd9Chapter): string {
  return `${chapter.first}-${chapter.last}`;
}

/** The node id of a chapter: `ICD9CM:240-279`. */
export function icd9ChapterId(chapter: Icd9Chapter): string {
  return codeId(CodeSystemId.ICD9CM, icd9ChapterCode(chapter));
}

/**
 * The category of a canonical ICD-9-CM code, which decides its chapter: the part before
 * the dot (250.00 → 250, V58.67 → V58, E880.9 → E880, 36.10 → 36).
 */
export function icd9Category(code: string): string {
  const dot = code.indexOf(".");
  return dot < 0 ? code : code.slice(0, dot);
}

/**
 * The chapter holding a canonical ICD-9-CM code of the given kind, or undefined when none
 * does (a well-formed but unused category such as 000). Categories of one chapter have
 * one shape and length, so they compare as strings.
 */
export function icd9ChapterOf(code: string, kind: CodeKind): Icd9Chapter | undefined {
  const category = icd9Category(code);
  const chapters = kind === CodeKind.PROCEDURE ? ICD9_PROCEDURE_CHAPTERS : ICD9_DIAGNOSIS_CHAPTERS;
  return chapters.find(
    (c) =>
      c.first.length === category.length &&
      c.first[0]!.replace(/[0-9]/, "0") === category[0]!.replace(/[0-9]/, "0") &&
      c.first <= category &&
      category <= c.last,
  );
}
