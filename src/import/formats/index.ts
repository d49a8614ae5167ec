import { open } from "node:fs/promises";
import { basename } from "node:path";
import { type FormatId, type FormatParser } from "../records.js";
import { icd10cmConversionParser } from "./icd10cm-conversion.format.js";
import { icd10cmTabularParser } from "./icd10cm-tabular.format.js";
import { icd10cmOrderParser, icd10pcsOrderParser } from "./icd10-order.format.js";
import { hcpcsAnnualParser } from "./hcpcs-annual.format.js";
import { gemI10ToI9Parser, gemI9ToI10Parser } from "./gem.format.js";
import {
  icd9cmDiagnosisTitlesParser,
  icd9cmProcedureTitlesParser,
} from "./icd9cm-titles.format.js";
import { cptCsvParser } from "./cpt-csv.format.js";
import { claimsEncountersParser, claimsPairsParser } from "./claims.format.js";

/** Every format the importer reads. */
export const PARSERS: readonly FormatParser[] = [
  icd10cmOrderParser,
  icd10pcsOrderParser,
  icd10cmTabularParser,
  icd10cmConversionParser,
  hcpcsAnnualParser,
  gemI10ToI9Parser,
  gemI9ToI10Parser,
  icd9cmDiagnosisTitlesParser,
  icd9cmProcedureTitlesParser,
  cptCsvParser,
  claimsEncountersParser,
  claimsPairsParser,
];

/** Bytes read from the start of a file to recognise its format. */
const HEAD_BYTES = 64 * 1024;

export class UnknownFormatError extends Error {
  override readonly name = "UnknownFormatError";
}

/** The parser for a file: the one named by `format`, else the first whose sniff accepts the file's head. */
export async function parserFor(path: string, format?: FormatId | string): Promise<FormatParser> {
  if (format) {
    const named = PARSERS.find((p) => p.format === format);
    if (!named) {
      throw new UnknownFormatError(
        `unknown format ${JSON.stringify(format)}; known: ${PARSERS.map((p) => p.format).join(", ")}`,
      );
    }
    return named;
  }
  const handle = await open(path, "r");
  let head: string;
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
    head = buffer.subarray(0, bytesRead).toString("latin1");
  } finally {
    await handle.close();
  }
  const found = PARSERS.find((p) => p.sniff(head, basename(path)));
  if (!found) {
    throw new UnknownFormatError(
      `cannot tell the format of ${path} from its content; name it with --format (${PARSERS.map((p) => p.format).join(", ")})`,
    );
  }
  return found;
}
