import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { CUT_SHORT } from "./line-reader.js";
import { type ParseOptions } from "./records.js";
import { SourceFileError } from "./source-file-error.js";

/**
 * Reading the small legacy-encoded release files (HCPCS annual file, GEMs, ICD-9-CM
 * titles): each is a few megabytes, so it is read whole, hashed, decoded and split into
 * lines in one go. Large or UTF-8 files (claims extracts) stream through csv-parse instead.
 */

/** How the bytes of a legacy file are turned into text. */
export enum SingleByteEncoding {
  /** ISO-8859-1: every byte is the code point of the same number. */
  LATIN1 = "latin1",
  /** Windows-1252: ISO-8859-1 with printable characters in 0x80–0x9F (’ “ ” – — €). */
  WINDOWS_1252 = "windows-1252",
}

/**
 * Windows-1252 characters at 0x80–0x9F, where ISO-8859-1 has C1 control codes. The five
 * positions Windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) stay as they are.
 * Written out because Node 20's TextDecoder("windows-1252") decodes as ISO-8859-1.
 */
const WINDOWS_1252_C1: Readonly<Record<number, string>> = {
  0x80: "\u20ac",
  0x82: "\u201a",
  0x83: "\u0192",
  0x84: "\u201e",
  0x85: "\u2026",
  0x86: "\u2020",
  0x87: "\u2021",
  0x88: "\u02c6",
  0x89: "\u2030",
  0x8a: "\u0160",
  0x8b: "\u2039",
  0x8c: "\u0152",
  0x8e: "\u017d",
  0x91: "\u2018",
  0x92: "\u2019",
  0x93: "\u201c",
  0x94: "\u201d",
  0x95: "\u2022",
  0x96: "\u2013",
  0x97: "\u2014",
  0x98: "\u02dc",
  0x99: "\u2122",
  0x9a: "\u0161",
  0x9b: "\u203a",
  0x9c: "\u0153",
  0x9e: "\u017e",
  0x9f: "\u0178",
};

const UTF8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Decodes a legacy file. A copy someone re-saved as UTF-8 is recognised and decoded as
 * such: text in ISO-8859-1 or Windows-1252 with any accented letter is practically never
 * valid UTF-8 ("Ménière" is 0x4D 0xE9 0x6E ..., and 0xE9 must be followed by two
 * continuation bytes), while a UTF-8 copy read as Latin-1 would turn every "é" into "Ã©"
 * silently. Pure ASCII reads the same either way.
 */
export function decodeLegacyText(bytes: Buffer, encoding: SingleByteEncoding): string {
  if (bytes.some((b) => b >= 0x80)) {
    try {
      return UTF8.decode(bytes).replace(/^\uFEFF/, "");
    } catch {
      // Not UTF-8: the file's own single-byte encoding, below.
    }
  }
  const text = bytes.toString("latin1");
  if (encoding === SingleByteEncoding.LATIN1) return text;
  return text.replace(/[\u0080-\u009f]/g, (c) => WINDOWS_1252_C1[c.charCodeAt(0)] ?? c);
}

export interface LegacyTextFile {
  /** Hex SHA-256 of the file's bytes. */
  readonly sha256: string;
  readonly totalBytes: number;
  /** The file's lines without their line ends (CRLF or LF); no empty last line for a final newline. */
  readonly lines: readonly string[];
}

/**
 * Reads, hashes and decodes a legacy release file into lines. The file must end in a line
 * break, as every release file of these formats does (HCPCS and GEMs CRLF, ICD-9-CM
 * titles LF): one whose last line has none was cut off, and is refused at that line.
 */
export async function readLegacyTextFile(
  path: string,
  encoding: SingleByteEncoding,
): Promise<LegacyTextFile> {
  const bytes = await readFile(path);
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const lines = decodeLegacyText(bytes, encoding).split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  const last = bytes[bytes.length - 1];
  if (last !== undefined && last !== 0x0a && last !== 0x0d) {
    throw new SourceFileError(basename(path), lines.length, CUT_SHORT, lines[lines.length - 1]);
  }
  return { sha256, totalBytes: bytes.length, lines };
}

/** Lines between two progress reports: a report costs a callback, a line is cheap. */
const PROGRESS_EVERY = 2000;

/**
 * A progress callback for a file held in memory: line `i` of `count` stands for that share
 * of the file's bytes (exact for fixed-width files, close enough for the others).
 */
export function lineProgress(
  options: ParseOptions,
  totalBytes: number,
  count: number,
): (lineIndex: number, rows: number, done?: boolean) => void {
  const report = options.onProgress;
  if (!report) return () => {};
  return (lineIndex, rows, done = false) => {
    if (done) report({ bytes: totalBytes, totalBytes, rows });
    else if ((lineIndex + 1) % PROGRESS_EVERY === 0) {
      report({
        bytes: Math.round((totalBytes * (lineIndex + 1)) / Math.max(count, 1)),
        totalBytes,
        rows,
      });
    }
  };
}

/** The complete lines of a sniffing head: its last line may be cut anywhere, unless it is the only one. */
export function headLines(head: string): string[] {
  const lines = head.split(/\r?\n/);
  if (lines.length > 1) lines.pop();
  return lines;
}
