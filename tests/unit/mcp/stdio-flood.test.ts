import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { GroupStdioTransport } from '../../../src/mcp/stdio-transport.js';
import { waitFor } from '../../helpers/daemon-process.js';
import { builtPath } from '../../helpers/stdio-client.js';

const NOOP_SERVER = builtPath('tests/fixtures/servers/noop-server.js');

describe('GroupStdioTransport with a server flooding its log', () => {
  it('answers calls at once, idle or not, and hands the client none of the log notifications', async () => {
    const transport = new GroupStdioTransport({
      command: process.execPath,
      args: [NOOP_SERVER],
      env: { ...(process.env as Record<string, string>), FLOOD_PER_SECOND: '2000' },
      cwd: process.cwd(),
    });
    const client = new Client({ name: 'flood-test', version: '0.0.0' });
    const seen: JSONRPCMessage[] = [];
    try {
      await client.connect(transport);
      const deliver = transport.onmessage!;
      transport.onmessage = (message) => {
        seen.push(message);
        deliver(message);
      };
      const dropped = (): number => (transport as unknown as { buffer: { dropped: number } }).buffer.dropped;
      for (let i = 0; i < 5; i += 1) {
        // Calls made while the output is being batched are answered like any other.
        const result = await client.callTool({ name: 'noop', arguments: { tag: `t${i}` } });
        expect(result.content).toEqual([{ type: 'text', text: 'ok' }]);
        const before = dropped();
        await waitFor(() => dropped() > before, 'more log notifications to be left out');
      }
      expect(seen.filter((m) => 'method' in m && m.method === 'notifications/message')).toEqual([]);
      expect(seen.filter((m) => 'id' in m && 'result' in m)).toHaveLength(5);
    } finally {
      await client.close();
    }
  });
});
