/**
 * Receives the no-op server's reports (one UDP datagram per tools/call received; see
 * tests/fixtures/servers/noop-server.ts). `hr` is the server's CLOCK_MONOTONIC in ns, the same clock
 * as process.hrtime.bigint() here, so `hr - t0` is a latency across processes.
 */
import { createSocket } from 'node:dgram';

export async function openProbe() {
  const socket = createSocket('udp4');
  const received = [];
  const waiters = new Set();
  socket.on('message', (buffer) => {
    const report = JSON.parse(buffer.toString());
    report.hr = BigInt(report.hr);
    received.push(report);
    for (const waiter of waiters) {
      if (waiter.match(report)) {
        waiters.delete(waiter);
        clearTimeout(waiter.timer);
        waiter.resolve(report);
      }
    }
  });
  await new Promise((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    port: socket.address().port,
    /** Every report so far. */
    received,
    count: () => received.length,
    reset() {
      received.length = 0;
    },
    /** The first report (already received or still to come) that matches. */
    waitFor(match, timeoutMs = 10_000, what = 'a call') {
      const seen = received.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const waiter = { match, resolve };
        waiter.timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`probe: timed out after ${timeoutMs} ms waiting for ${what}`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    close: () => new Promise((resolve) => socket.close(resolve)),
  };
}
