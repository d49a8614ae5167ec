import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createInterface } from "node:readline";
import { StringDecoder } from "node:string_decoder";
import { basename } from "node:path";
import { Transform } from "node:stream";
import { SourceFileError } from "./source-file-error.js";

const LF = 0x0a;
const CR = 0x0d;

/** What a release file whose last line has no line break is refused with. */
export const CUT_SHORT =
  "the last line has no line break: the file is cut short (every release file of this format ends in one)";

/** Progress of a file being read: bytes of its size, data rows so far. */
export interface ReadProgress {
  readonly bytes: number;
  readonly totalBytes: number;
  readonly rows: number;
}

export interface ReadLinesOptions {
  /** How the bytes are decoded: order files are ASCII, ICD-9-CM titles ISO-8859-1. */
  readonly encoding?: BufferEncoding;
  readonly onProgress?: (progress: ReadProgress) => void;
  /** Lines between two progress reports; reports cost a callback, lines are cheap. */
  readonly progressEvery?: number;
}

export interface ReadLinesResult {
  /** Hex SHA-256 of the file's bytes, computed from the same read. */
  readonly sha256: string;
  /** Lines the callback reported as data rows. */
  readonly rows: number;
  readonly lines: number;
}

/**
 * Streams a file line by line (CRLF or LF), hashing its bytes on the way, so a release
 * file of any size is read once and never held whole. `onLine` returns whether the line
 * was a data row, which is what progress counts.
 *
 * The file must end in a line break, as every release file read this way does: one
 * whose last line has none was cut off (a download or copy that stopped), and is
 * refused at that line before the line is given to `onLine` — what is left of it may
 * well parse.
 */
export async function readLines(
  path: string,
  onLine: (text: string, line: number) => boolean,
  options: ReadLinesOptions = {},
): Promise<ReadLinesResult> {
  const totalBytes = (await stat(path)).size;
  const stream = createReadStream(path, { highWaterMark: 256 * 1024 });
  const hash = createHash("sha256");
  // Hash the raw bytes and decode them in one pass; readline itself only knows UTF-8.
  const decoder = new StringDecoder(options.encoding ?? "utf8");
  let lastByte: number | undefined;
  const decoded = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      if (chunk.length > 0) lastByte = chunk[chunk.length - 1];
      done(null, decoder.write(chunk));
    },
    flush(done) {
      done(null, decoder.end());
    },
  });
  decoded.setEncoding("utf8");
  stream.on("error", (error) => decoded.destroy(error));
  const every = options.progressEvery ?? 2000;
  const lines = createInterface({ input: stream.pipe(decoded), crlfDelay: Infinity });
  let line = 0;
  let rows = 0;
  // Each line is handed on once the next one is read: only at the end is it known
  // whether the last one was cut short.
  let pending: string | undefined;
  try {
    for await (const text of lines) {
      if (pending !== undefined && onLine(pending, line)) rows++;
      pending = text;
      line++;
      if (options.onProgress && line % every === 0) {
        options.onProgress({ bytes: stream.bytesRead, totalBytes, rows });
      }
    }
    if (pending !== undefined) {
      if (lastByte !== LF && lastByte !== CR) {
        throw new SourceFileError(basename(path), line, CUT_SHORT, pending);
      }
      if (onLine(pending, line)) rows++;
    }
  } finally {
    lines.close();
    stream.destroy();
  }
  options.onProgress?.({ bytes: totalBytes, totalBytes, rows });
  return { sha256: hash.digest("hex"), rows, lines: line };
}
