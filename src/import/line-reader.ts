import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createInterface } from "node:readline";
import { StringDecoder } from "node:string_decoder";
import { Transform } from "node:stream";

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
  const decoded = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
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
  try {
    for await (const text of lines) {
      line++;
      if (onLine(text, line)) rows++;
      if (options.onProgress && line % every === 0) {
        options.onProgress({ bytes: stream.bytesRead, totalBytes, rows });
      }
    }
  } finally {
    lines.close();
    stream.destroy();
  }
  options.onProgress?.({ bytes: totalBytes, totalBytes, rows });
  return { sha256: hash.digest("hex"), rows, lines: line };
}
