import { codeId } from "./code-grammar.js";
import { CodeSystemId } from "./code-system.js";

/**
 * The sections of HCPCS Level II, as the annual HCPCS code books divide the A–V codes.
 * Pure data shared by the HCPCS importer and the seed: a section is a CHAPTER node whose
 * code is its range (`HCPCS:A4206-A8999`), and each Level II code's parent is the section
 * whose range holds it. Modifiers belong to no section.
 *
 * Ranges are those of the code books, with one change checked against the 2019 annual
 * file (HCPC2019_CONTR_ANWEB.txt): the Q section is Q0035-Q9999 (the id the seed already
 * uses), because the 2019 file holds Q9993-Q9995, past the Q9992 some books print. The
 * 2019 file has 73 codes outside every section: M0064 (terminated 2014, below M0075) and
 * the quality-reporting codes M1000-M1071 added in 2019, for which no section title is
 * published here; the importer reports them rather than invent a section. Titles are in
 * the seed's sentence case, and where the seed holds a section its title is used verbatim.
 */
export interface HcpcsSection {
  /** First and last code of the range, inclusive. */
  readonly first: string;
  readonly last: string;
  readonly title: string;
}

export const HCPCS_SECTIONS: readonly HcpcsSection[] = [
  { first: "A0021", last: "A0999", title: "Transportation services including ambulance" },
  { first: "A4206", last: "A8999", title: "Medical and surgical supplies" },
  { first: "A9000", last: "A9999", title: "Administrative, miscellaneous and investigational" },
  { first: "B4000", last: "B9999", title: "Enteral and parenteral therapy" },
  { first: "C1000", last: "C9999", title: "Outpatient PPS" },
  { first: "E0100", last: "E8002", title: "Durable medical equipment" },
  { first: "G0008", last: "G9999", title: "Procedures and professional services (temporary)" },
  { first: "H0001", last: "H2037", title: "Alcohol and drug abuse treatment services" },
  { first: "J0120", last: "J8499", title: "Drugs administered other than oral method" },
  { first: "J8501", last: "J9999", title: "Chemotherapy drugs" },
  {
    first: "K0000",
    last: "K9999",
    title: "Temporary codes for durable medical equipment (K codes)",
  },
  { first: "L0112", last: "L4631", title: "Orthotic procedures and services" },
  { first: "L5000", last: "L9900", title: "Prosthetic procedures" },
  { first: "M0075", last: "M0301", title: "Medical services" },
  { first: "P2028", last: "P9615", title: "Pathology and laboratory services" },
  { first: "Q0035", last: "Q9999", title: "Temporary codes (Q codes)" },
  { first: "R0070", last: "R0076", title: "Diagnostic radiology services" },
  { first: "S0012", last: "S9999", title: "Temporary national codes (non-Medicare)" },
  {
    first: "T1000",
    last: "T5999",
    title: "National T codes established for state Medicaid agencies",
  },
  { first: "V2020", last: "V2799", title: "Vision services" },
  { first: "V5008", last: "V5364", title: "Hearing services" },
];

/** The node id of a section: `HCPCS:A4206-A8999`. */
export function hcpcsSectionId(section: HcpcsSection): string {
  return codeId(CodeSystemId.HCPCS, hcpcsSectionCode(section));
}

/** The range a section is known by inside HCPCS: `A4206-A8999`. */
export function hcpcsSectionCode(section: HcpcsSection): string {
  return `${section.first}-${section.last}`;
}

/**
 * The section holding a Level II code (`A4253` → A4206-A8999), or undefined for a code
 * outside every section. Codes are a letter and four digits, so they compare as strings.
 */
export function hcpcsSectionOf(code: string): HcpcsSection | undefined {
  return HCPCS_SECTIONS.find((s) => s.first <= code && code <= s.last);
}
