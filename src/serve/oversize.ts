/**
 * A request larger than the server reads (a 50 MB markdown, say) gets a JSON-RPC error that names the
 * limit, answered to its own request id, instead of a dropped session or a bare HTTP status. Only the
 * first and last few KiB of such a message are kept (the id is near one end), never the whole of it.
 * Both transports gather a message's bytes here (`MessageBytes`), stdio per line, HTTP per body.
 */
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/** What either transport reads of one message: a 1 MiB plan, JSON-escaped, fits with room to spare. */
const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
const EDGE_BYTES = 4 * 1024;

const ID = /"id"\s*:\s*("(?:[^"\\]|\\.){0,200}"|-?\d{1,20})/g;
const TOOL = /"name"\s*:\s*"([^"\\]{1,60})"/;

export type Gathered = { readonly bytes: Buffer } | { readonly refusal: JSONRPCMessage; readonly size: number; readonly tool?: string };

/** One message's bytes as they arrive: all of them up to MAX_MESSAGE_BYTES, past that only its ends. */
export class MessageBytes {
  private chunks: Buffer[] = [];
  private size = 0;
  /** Past the limit: the first and the last EDGE_BYTES seen. */
  private edges: { readonly head: Buffer; tail: Buffer } | undefined;

  add(chunk: Buffer): void {
    this.size += chunk.length;
    if (this.edges) {
      const tail = Buffer.concat([this.edges.tail, chunk]);
      this.edges.tail = Buffer.from(tail.subarray(Math.max(0, tail.length - EDGE_BYTES)));
      return;
    }
    this.chunks.push(Buffer.from(chunk)); // a copy: the stream may reuse its buffer
    if (this.size <= MAX_MESSAGE_BYTES) return;
    const kept = Buffer.concat(this.chunks);
    this.edges = { head: Buffer.from(kept.subarray(0, EDGE_BYTES)), tail: Buffer.from(kept.subarray(kept.length - EDGE_BYTES)) };
    this.chunks = [];
  }

  /** The message, or the refusal of one too large; empty again for the next message. */
  take(): Gathered {
    const { chunks, edges, size } = this;
    this.chunks = [];
    this.size = 0;
    this.edges = undefined;
    return edges ? refusalOf(edges.head.toString('utf8'), edges.tail.toString('utf8'), size) : { bytes: Buffer.concat(chunks) };
  }
}

/** The refusal, addressed to the request's id when one of the ends shows it. */
function refusalOf(head: string, tail: string, size: number): Gathered {
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
        `request too large: ${size} bytes, more than the ${MAX_MESSAGE_BYTES} bytes this server reads; ` +
        'a plan may be at most 1 MiB (1048576 bytes): split it into smaller plans',
    },
  } as unknown as JSONRPCMessage;
  return { refusal, size, ...(tool !== undefined ? { tool } : {}) };
}

function lastMatch(text: string): string | undefined {
  let last: string | undefined;
  for (const match of text.matchAll(ID)) last = match[1];
  return last;
}
