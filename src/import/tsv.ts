import { SourceFileError } from "./source-file-error.js";

/**
 * Tab-separated files with a header row, as the hand-curated seed uses: no quoting (no
 * field holds a tab), `#` lines and blank lines skipped, every row as wide as the header.
 */

export interface TsvRow {
  readonly line: number;
  readonly text: string;
  /** Column value by header name; empty cells are "". */
  get(column: string): string;
}

export function parseTsv(
  file: string,
  content: string,
  requiredColumns: readonly string[],
): TsvRow[] {
  const lines = content.split(/\r?\n/);
  let header: string[] | undefined;
  let headerIndex = new Map<string, number>();
  const rows: TsvRow[] = [];
  lines.forEach((text, i) => {
    const line = i + 1;
    if (text.trim() === "" || text.startsWith("#")) return;
    const cells = text.split("\t");
    if (!header) {
      header = cells.map((c) => c.trim());
      headerIndex = new Map(header.map((name, index) => [name, index]));
      const missing = requiredColumns.filter((c) => !headerIndex.has(c));
      if (missing.length > 0) {
        throw new SourceFileError(file, line, `header lacks column(s) ${missing.join(", ")}`, text);
      }
      return;
    }
    if (cells.length !== header.length) {
      throw new SourceFileError(
        file,
        line,
        `expected ${header.length} tab-separated fields, found ${cells.length}`,
        text,
      );
    }
    rows.push({
      line,
      text,
      get(column) {
        const index = headerIndex.get(column);
        if (index === undefined) throw new Error(`no column ${column} in ${file}`);
        return cells[index]!.trim();
      },
    });
  });
  if (!header) throw new SourceFileError(file, 1, "file is empty: expected a header row");
  return rows;
}
