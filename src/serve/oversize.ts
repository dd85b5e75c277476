/**
 * A request larger than the server reads (a 50 MB markdown, say) gets a JSON-RPC error that names the
 * limit, answered to its own request id, instead of a dropped session or a bare HTTP status. Only the
 * first and last few KiB of such a message are kept (the id is near one end), never the whole of it.
 * Both transports gather a message's bytes here (`MessageBytes`), stdio per line, HTTP per body.
 */
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/** What either transport reads of one message: a 1 MiB plan, JSON-escaped, fits with room to spare. */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
const EDGE_BYTES = 4 * 1024;

/** The first and last EDGE_BYTES of a stream of chunks, and its size. */
class Edges {
  private head = Buffer.alloc(0);
  private tail = Buffer.alloc(0);
  size = 0;

  add(chunk: Buffer): void {
    this.size += chunk.length;
    if (this.head.length < EDGE_BYTES) this.head = Buffer.concat([this.head, chunk.subarray(0, EDGE_BYTES - this.head.length)]);
    this.tail = Buffer.concat([this.tail, chunk]);
    if (this.tail.length > EDGE_BYTES) this.tail = Buffer.from(this.tail.subarray(this.tail.length - EDGE_BYTES));
  }

  text(): { head: string; tail: string } {
    return { head: this.head.toString('utf8'), tail: this.tail.toString('utf8') };
  }
}

const ID = /"id"\s*:\s*("(?:[^"\\]|\\.){0,200}"|-?\d{1,20})/g;
const TOOL = /"name"\s*:\s*"([^"\\]{1,60})"/;

export type Gathered = { readonly bytes: Buffer } | { readonly refusal: JSONRPCMessage; readonly size: number; readonly tool?: string };

/** One message's bytes as they arrive: all of them up to MAX_MESSAGE_BYTES, past that only its ends. */
export class MessageBytes {
  private chunks: Buffer[] = [];
  private size = 0;
  private edges: Edges | undefined;

  add(chunk: Buffer): void {
    if (this.edges) return this.edges.add(chunk);
    this.chunks.push(Buffer.from(chunk)); // a copy: the stream may reuse its buffer
    this.size += chunk.length;
    if (this.size <= MAX_MESSAGE_BYTES) return;
    this.edges = new Edges();
    for (const kept of this.chunks) this.edges.add(kept);
    this.chunks = [];
  }

  /** The message, or the refusal of one too large; empty again for the next message. */
  take(): Gathered {
    const { chunks, edges } = this;
    this.chunks = [];
    this.size = 0;
    this.edges = undefined;
    return edges ? { ...oversizeError(edges), size: edges.size } : { bytes: Buffer.concat(chunks) };
  }
}

/** The refusal, addressed to the request's id when one of the ends shows it. */
function oversizeError(edges: Edges): { readonly refusal: JSONRPCMessage; readonly tool?: string } {
  const { head, tail } = edges.text();
  // A client writes the id at the end (the SDK) or at the start: the tail is searched first, as the
  // head's "id" may be an argument of the call.
  const found = lastMatch(tail) ?? lastMatch(head);
  const id = found === undefined ? null : (JSON.parse(found) as string | number);
  const tool = head.includes('"tools/call"') ? TOOL.exec(head)?.[1] : undefined;
  const refusal = {
    jsonrpc: '2.0',
    id,
    error: {
      code: -32600,
      message:
        `request too large: ${edges.size} bytes, more than the ${MAX_MESSAGE_BYTES} bytes this server reads; ` +
        'a plan may be at most 1 MiB (1048576 bytes): split it into smaller plans',
    },
  } as unknown as JSONRPCMessage;
  return { refusal, ...(tool !== undefined ? { tool } : {}) };
}

function lastMatch(text: string): string | undefined {
  let last: string | undefined;
  for (const match of text.matchAll(ID)) last = match[1];
  return last;
}
