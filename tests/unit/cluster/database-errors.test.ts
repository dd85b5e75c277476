/**
 * What `servers`, `stats` and `get_plan` say when the cluster database answers but cannot serve them
 * (SPEC §12): the server's own words, named by host, port and database — never a bare SQLSTATE, never the URL.
 */
import { describe, expect, it } from 'vitest';
import { ClusterReader } from '../../../src/cluster/pg-reader.js';
import { postgresForFile } from '../../helpers/cluster-suite.js';

const postgres = postgresForFile();

describe('cluster database errors', () => {
  it('a database no node has started on yet says so', async () => {
    const url = await postgres().createDatabase();
    const reader = new ClusterReader(url, 3_000);
    try {
      const error = await reader.nodes().then(() => undefined, (caught: unknown) => caught as Error);
      expect(error?.message).toMatch(/^cannot open the cluster database at 127\.0\.0\.1:\d+\/\w+ \(no node has started on this database yet: relation "nodes" does not exist\)/);
      expect(error?.message).not.toContain(url);
    } finally {
      await reader.close();
    }
  });

  it('a database that does not exist is named by the server, not by a code', async () => {
    const url = (await postgres().createDatabase()).replace(/\/(\w+)$/, '/no_such_db');
    const reader = new ClusterReader(url, 3_000);
    try {
      const error = await reader.nodes().then(() => undefined, (caught: unknown) => caught as Error);
      expect(error?.message).toMatch(/\(database "no_such_db" does not exist\)/);
      expect(error?.message).not.toMatch(/\(3D000\)/);
    } finally {
      await reader.close();
    }
  });
});
