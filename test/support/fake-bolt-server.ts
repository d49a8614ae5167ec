import { createServer, type Server, type Socket } from "node:net";

/**
 * The smallest Bolt 5.0 endpoint the real neo4j-driver will talk to: it shakes hands,
 * accepts any login, and answers each query with the rows `answer` gives for its text
 * (no rows by default; plain values, or structures such as relationships and dates), or
 * with a server error. It runs no Cypher. It stands in for
 * "Neo4j is back" on a port where nothing listened before, so a test can watch the same
 * store instance (same driver, same pool) go from unreachable to answering without a
 * restart; and for a server that fails a statement with a given error code, so a test can
 * watch what the store makes of it (and how often it sends the statement).
 */
export interface FakeBoltServer {
  readonly port: number;
  /** Queries received, in order. */
  readonly queries: string[];
  close(): Promise<void>;
}

export interface FakeAnswer {
  readonly fields: readonly string[];
  readonly rows: readonly (readonly FakeValue[])[];
}

/** A server error for the statement, as Neo4j sends it: a status code and a message. */
export interface FakeFailure {
  readonly failure: { readonly code: string; readonly message: string };
}

const MESSAGE = {
  HELLO: 0x01,
  GOODBYE: 0x02,
  RESET: 0x0f,
  RUN: 0x10,
  PULL: 0x3f,
  SUCCESS: 0x70,
  RECORD: 0x71,
  IGNORED: 0x7e,
  FAILURE: 0x7f,
} as const;

/** Listens on `port` (0: any free port) on 127.0.0.1. */
export async function startFakeBoltServer(
  port: number,
  answer: (query: string) => FakeAnswer | FakeFailure = () => ({ fields: [], rows: [] }),
): Promise<FakeBoltServer> {
  const queries: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    let buffer = Buffer.alloc(0);
    let handshaken = false;
    let message: Buffer[] = [];
    let pending: FakeAnswer | null = null;
    // After a FAILURE a Bolt server ignores everything until RESET, as the driver expects.
    let failed = false;
    socket.on("data", (data: Buffer) => {
      buffer = Buffer.concat([buffer, data]);
      if (!handshaken) {
        if (buffer.length < 20) return;
        // Magic 6060B017 and four proposals; the driver offers the range 5.8..5.0: take 5.0.
        buffer = buffer.subarray(20);
        handshaken = true;
        socket.write(Buffer.from([0, 0, 0, 5]));
      }
      // Chunked messages: [size:u16][bytes]... ended by a zero-size chunk.
      while (buffer.length >= 2) {
        const size = buffer.readUInt16BE(0);
        if (buffer.length < 2 + size) return;
        const chunk = buffer.subarray(2, 2 + size);
        buffer = buffer.subarray(2 + size);
        if (size > 0) {
          message.push(chunk);
          continue;
        }
        const whole = Buffer.concat(message);
        message = [];
        if (whole.length < 2) continue;
        const signature = whole[1]!;
        if (signature === MESSAGE.GOODBYE) {
          socket.end();
          return;
        }
        if (failed) {
          if (signature === MESSAGE.RESET) {
            failed = false;
            reply(socket, MESSAGE.SUCCESS, {});
          } else ignored(socket);
        } else if (signature === MESSAGE.HELLO) {
          reply(socket, MESSAGE.SUCCESS, { server: "Neo4j/5.26.0", connection_id: "bolt-fake" });
        } else if (signature === MESSAGE.RUN) {
          const query = readString(whole, 2);
          queries.push(query);
          const answered = answer(query);
          if ("failure" in answered) {
            failed = true;
            pending = null;
            reply(socket, MESSAGE.FAILURE, { ...answered.failure });
          } else {
            pending = answered;
            reply(socket, MESSAGE.SUCCESS, { fields: [...pending.fields], t_first: 0 });
          }
        } else if (signature === MESSAGE.PULL) {
          for (const row of pending?.rows ?? []) reply(socket, MESSAGE.RECORD, [...row]);
          pending = null;
          reply(socket, MESSAGE.SUCCESS, { has_more: false, type: "r", t_last: 0, db: "neo4j" });
        } else {
          // BEGIN, COMMIT, ROLLBACK, RESET, ROUTE...: all fine.
          reply(socket, MESSAGE.SUCCESS, {});
        }
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (typeof address !== "object" || !address) throw new Error("no address");
  return {
    port: address.port,
    queries,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The values the fake can send: PackStream's plain kinds, and structures. */
export type FakeValue =
  | string
  | number
  | boolean
  | null
  | FakeStructure
  | readonly FakeValue[]
  | { readonly [key: string]: FakeValue };

/**
 * A PackStream structure, as Bolt sends graph and temporal values: a signature byte and
 * fields (a relationship, 0x52, has eight in Bolt 5; a date, 0x44, one: days since 1970).
 */
export class FakeStructure {
  constructor(
    readonly signature: number,
    readonly fields: readonly FakeValue[],
  ) {}
}

function ignored(socket: Socket): void {
  send(socket, Buffer.from([0xb0, MESSAGE.IGNORED]));
}

function reply(socket: Socket, signature: number, field: FakeValue): void {
  send(socket, Buffer.concat([Buffer.from([0xb1, signature]), pack(field)]));
}

function send(socket: Socket, body: Buffer): void {
  const out: Buffer[] = [];
  for (let i = 0; i < body.length; i += 0xffff) {
    const part = body.subarray(i, i + 0xffff);
    const size = Buffer.alloc(2);
    size.writeUInt16BE(part.length);
    out.push(size, part);
  }
  out.push(Buffer.from([0, 0]));
  socket.write(Buffer.concat(out));
}

/** PackStream for the few value kinds the replies need. */
function pack(value: FakeValue): Buffer {
  if (value === null) return Buffer.from([0xc0]);
  if (typeof value === "boolean") return Buffer.from([value ? 0xc3 : 0xc2]);
  if (typeof value === "number") {
    if (!Number.isInteger(value) || value < -16 || value > 127) {
      const b = Buffer.alloc(9);
      b[0] = 0xcb;
      b.writeBigInt64BE(BigInt(Math.trunc(value)), 1);
      return b;
    }
    return Buffer.from([value & 0xff]);
  }
  if (typeof value === "string") {
    const bytes = Buffer.from(value, "utf8");
    const head =
      bytes.length < 16 ? Buffer.from([0x80 + bytes.length]) : Buffer.from([0xd0, bytes.length]);
    if (bytes.length > 255) throw new Error("string too long for this fake");
    return Buffer.concat([head, bytes]);
  }
  if (value instanceof FakeStructure) {
    return Buffer.concat([
      Buffer.from([0xb0 + value.fields.length, value.signature]),
      ...value.fields.map(pack),
    ]);
  }
  if (isList(value)) {
    if (value.length >= 16) throw new Error("list too long for this fake");
    return Buffer.concat([Buffer.from([0x90 + value.length]), ...value.map(pack)]);
  }
  const entries = Object.entries(value);
  if (entries.length >= 16) throw new Error("map too large for this fake");
  return Buffer.concat([
    Buffer.from([0xa0 + entries.length]),
    ...entries.flatMap(([k, v]) => [pack(k), pack(v)]),
  ]);
}

// Array.isArray does not narrow a readonly array type out of a union.
function isList(value: FakeValue): value is readonly FakeValue[] {
  return Array.isArray(value);
}

/** Reads the PackStream string at `at` (the query text of a RUN message). */
function readString(buffer: Buffer, at: number): string {
  const marker = buffer[at]!;
  if (marker >= 0x80 && marker <= 0x8f)
    return buffer.toString("utf8", at + 1, at + 1 + (marker - 0x80));
  if (marker === 0xd0) return buffer.toString("utf8", at + 2, at + 2 + buffer[at + 1]!);
  if (marker === 0xd1) return buffer.toString("utf8", at + 3, at + 3 + buffer.readUInt16BE(at + 1));
  if (marker === 0xd2) return buffer.toString("utf8", at + 5, at + 5 + buffer.readUInt32BE(at + 1));
  throw new Error(`not a string at ${at}: marker ${marker.toString(16)}`);
}
