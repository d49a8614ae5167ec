import { ArgsType, Field, Int } from "type-graphql";
import { type Limits } from "../config.js";
import { type Page } from "../store/graph-store.js";
import { BadUserInputError, InputProblem } from "./errors.js";

/** Page size the cost estimate assumes when a query gives no `first`. */
export const ESTIMATED_PAGE_SIZE = 25;

@ArgsType()
export class PageArgs {
  @Field(() => Int, {
    nullable: true,
    description:
      "How many items to return (default 25, at most the server's limit, 100 unless configured).",
  })
  first?: number | null;

  @Field(() => String, {
    nullable: true,
    description: "Return the items after this cursor (a `pageInfo.endCursor`).",
  })
  after?: string | null;
}

const CURSOR_PREFIX = "cg1:";

/** Cursors are opaque to clients: an encoded position in the list. */
export function encodeCursor(position: number): string {
  return Buffer.from(`${CURSOR_PREFIX}${position}`).toString("base64url");
}

export function decodeCursor(cursor: string): number {
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  // Only the form encodeCursor writes: the prefix and plain decimal digits.
  const digits = text.startsWith(CURSOR_PREFIX) ? text.slice(CURSOR_PREFIX.length) : "";
  const position = /^(0|[1-9][0-9]{0,14})$/.test(digits) ? Number(digits) : NaN;
  if (!Number.isSafeInteger(position) || encodeCursor(position) !== cursor) {
    throw new BadUserInputError(
      `${JSON.stringify(cursor)} is not a cursor this service issued`,
      InputProblem.INVALID_CURSOR,
      { argumentName: "after" },
    );
  }
  return position;
}

export interface PageWindow {
  readonly offset: number;
  readonly limit: number;
}

/** Checks `first`/`after` against the limits and turns them into offset and limit. */
export function pageWindow(args: PageArgs, limits: Limits): PageWindow {
  const first = args.first ?? limits.defaultPageSize;
  if (first < 0) {
    throw new BadUserInputError("first must not be negative", InputProblem.OUT_OF_RANGE, {
      argumentName: "first",
    });
  }
  if (first > limits.maxPageSize) {
    throw new BadUserInputError(
      `first is ${first} but pages hold at most ${limits.maxPageSize} items; page with \`after\``,
      InputProblem.PAGE_SIZE_EXCEEDED,
      { argumentName: "first", max: limits.maxPageSize },
    );
  }
  const offset = args.after ? decodeCursor(args.after) + 1 : 0;
  return { offset, limit: first };
}

export interface Connection<E> {
  edges: E[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
  totalCount: number;
}

/**
 * Builds a Relay connection from a store page fetched with `window`. An empty page keeps
 * the cursor it started after as its end, so `first: 0` still says where to go on.
 */
export function toConnection<T, E>(
  page: Page<T>,
  window: PageWindow,
  toEdge: (item: T, cursor: string) => E,
): Connection<E> {
  const cursors = page.items.map((_, i) => encodeCursor(window.offset + i));
  const before = window.offset > 0 ? encodeCursor(window.offset - 1) : null;
  return {
    edges: page.items.map((item, i) => toEdge(item, cursors[i]!)),
    pageInfo: {
      hasNextPage: window.offset + page.items.length < page.totalCount,
      hasPreviousPage: window.offset > 0,
      startCursor: cursors[0] ?? null,
      endCursor: cursors[cursors.length - 1] ?? before,
    },
    totalCount: page.totalCount,
  };
}
