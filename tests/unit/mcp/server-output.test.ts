import { describe, expect, it } from 'vitest';
import { ServerOutput } from '../../../src/mcp/server-output.js';

const line = (message: unknown): Buffer => Buffer.from(`${JSON.stringify(message)}\n`);
const take = (output: ServerOutput): unknown[] => [...output.take()];

describe('ServerOutput: a stdio server\'s output, unneeded notifications left out', () => {
  it('leaves out logging, resource and list-change notifications before validation, and counts them', () => {
    const output = new ServerOutput();
    output.append(line({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'x' } }));
    output.append(line({ jsonrpc: '2.0', method: 'notifications/resources/updated', params: { uri: 'a://b' } }));
    output.append(line({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' }));
    expect(take(output)).toEqual([]);
    expect(output.dropped).toBe(3);
  });

  it('keeps what the client acts on: responses, requests, progress and cancellation', () => {
    const output = new ServerOutput();
    const messages = [
      { jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: 'notifications/message' }] } },
      { jsonrpc: '2.0', id: 'p', method: 'ping' },
      { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 1, progress: 1 } },
      { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'p' } },
      // A request (it has an id) is never taken for a notification, whatever its method says.
      { jsonrpc: '2.0', id: 7, method: 'notifications/message' },
    ];
    for (const message of messages) output.append(line(message));
    expect(take(output)).toEqual(messages);
    expect(output.dropped).toBe(0);
  });

  it('frames across chunks, strips a CR, keeps a partial line for later', () => {
    const output = new ServerOutput();
    const text = `${JSON.stringify({ jsonrpc: '2.0', id: 1, result: {} })}\r\n${JSON.stringify({ jsonrpc: '2.0', id: 2, result: {} })}\n{"jsonrpc":"2.0",`;
    output.append(Buffer.from(text.slice(0, 10)));
    expect(take(output)).toEqual([]);
    output.append(Buffer.from(text.slice(10)));
    expect(take(output)).toEqual([
      { jsonrpc: '2.0', id: 1, result: {} },
      { jsonrpc: '2.0', id: 2, result: {} },
    ]);
    output.append(Buffer.from('"id":3,"result":{}}\n'));
    expect(take(output)).toEqual([{ jsonrpc: '2.0', id: 3, result: {} }]);
  });

  it('gives an Error for a line that is not JSON-RPC and goes on with the next', () => {
    const output = new ServerOutput();
    output.append(Buffer.from('not json\n{"hello":1}\n'));
    output.append(line({ jsonrpc: '2.0', id: 1, result: {} }));
    const [first, second, third] = take(output);
    expect(first).toBeInstanceOf(Error);
    expect(second).toBeInstanceOf(Error);
    expect(third).toEqual({ jsonrpc: '2.0', id: 1, result: {} });
  });

  it('refuses output past the SDK\'s 10 MB frame limit', () => {
    const output = new ServerOutput();
    expect(() => output.append(Buffer.alloc(11 * 1024 * 1024, 0x20))).toThrow(/maximum size/);
  });
});
