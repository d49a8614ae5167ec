/** A problem in an input file, with the place it was found. */
export class SourceFileError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly problem: string,
    readonly text?: string,
  ) {
    super(
      `${file}:${line}: ${problem}${text !== undefined ? ` — ${JSON.stringify(truncate(text))}` : ""}`,
    );
    this.name = "SourceFileError";
  }
}

function truncate(text: string): string {
  return text.length > 160 ? `${text.slice(0, 160)}…` : text;
}
