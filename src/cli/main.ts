/**
 * The command line (SPEC §3). Every command prints `--help`; every failure is one clear line and an
 * exit code (0 ok, 1 failed, 2 usage or configuration), never a stack trace.
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { setMaxListeners } from 'node:events';
import { describeError } from './describe-error.js';
import { EXIT, createProcessIo, type ExitCode, type Io } from './io.js';
import type { Runtime } from './runtime.js';
import { packageVersion } from './version.js';

// Each command imports its module (and with it the SDK, ajv, winston, prom-client, ...) only when it
// runs: `--help` and a mistyped command load commander alone, and `check` does not load the daemon.

interface GlobalOptions {
  config?: string;
}

export async function main(argv: readonly string[], io: Io = createProcessIo(), signal?: AbortSignal): Promise<ExitCode> {
  const root = new AbortController();
  // Every call in flight listens on the root signal; many at once is normal, not a leak.
  setMaxListeners(0, root.signal);
  const stop = (): void => root.abort(new Error('stopped by signal'));
  let orphanCheck: NodeJS.Timeout | undefined;
  if (!signal) {
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    // Started by an npm script: killing npm (which cannot pass a SIGKILL on) must not leave us running
    // as an orphan holding the vault. Our parent changing means it died: stop as on SIGTERM.
    if (process.env.npm_lifecycle_event !== undefined) {
      const parent = process.ppid;
      orphanCheck = setInterval(() => process.ppid !== parent && stop(), 1_000).unref();
    }
  } else {
    signal.addEventListener('abort', stop, { once: true });
  }
  let code: ExitCode = EXIT.ok;
  const withRuntime = async (body: (runtime: Runtime) => Promise<ExitCode>, audit = true) => {
    let runtime: Runtime | undefined;
    try {
      const { loadConfigFrom, openRuntime } = await import('./runtime.js');
      runtime = await openRuntime(await loadConfigFrom(program.opts<GlobalOptions>().config), { audit });
      code = await body(runtime);
    } catch (error) {
      io.err(`error: ${describeError(error)}`);
      // 2 is for usage and configuration; anything that goes wrong while acting is a failure (1).
      code = runtime === undefined ? EXIT.usage : EXIT.failed;
    } finally {
      await runtime?.close();
    }
  };

  const program = new Command('mcp-orchestrator')
    .description('Turns human-approved markdown plans into actions through MCP servers.')
    .option('--config <path>', 'configuration file (default: $ORCHESTRATOR_CONFIG, then config/orchestrator.json)')
    .version(packageVersion(), '-V, --version', 'print the version')
    // Each command's --help lists --config too: it is given before or after the command name.
    .configureHelp({ showGlobalOptions: true })
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .showHelpAfterError('(run with --help for usage)');

  program
    .command('check')
    .description('parse, map and validate plans against the live tool schemas without calling any tool')
    .argument('<plans...>', 'plan files (.md)')
    .action(async (files: string[]) => {
      const { checkCommand } = await import('./commands/check.js');
      await withRuntime((runtime) => checkCommand(files, runtime, io), false);
    });

  program
    .command('run')
    .description('execute one plan file now, in place, without the folder lifecycle')
    .argument('<plan>', 'plan file (.md)')
    .option('--dry-run', 'validate and show the steps without calling any tool', false)
    .action(async (file: string, options: { dryRun: boolean }) => {
      const { runCommand } = await import('./commands/run.js');
      await withRuntime((runtime) => runCommand(file, runtime, io, { dryRun: options.dryRun, signal: root.signal }));
    });

  program
    .command('daemon')
    .description('watch the vault\'s Approved/ folder and execute approved plans')
    .option('--once', 'process everything already waiting, then exit', false)
    .option('--dry-run', 'validate and show what would run, without claiming or calling anything', false)
    .option('--metrics-port <port>', 'serve Prometheus /metrics and /healthz on 127.0.0.1:PORT', metricsPortOption)
    .option('--mcp-port <port>', 'serve the orchestrator\'s MCP server over HTTP (/mcp, /sse) on serve.host:PORT, 0 for a free port; needs serve.token or $ORCHESTRATOR_TOKEN', metricsPortOption)
    .action(async ({ metricsPort, mcpPort, ...options }: { once: boolean; dryRun: boolean; metricsPort?: number; mcpPort?: number }) => {
      const { daemonCommand } = await import('./commands/daemon.js');
      await withRuntime((runtime) =>
        daemonCommand(runtime, io, {
          ...options,
          signal: root.signal,
          ...(metricsPort !== undefined ? { metricsPort } : {}),
          ...(mcpPort !== undefined ? { mcpPort } : {}),
        }),
      );
    });

  program
    .command('serve')
    .description('the orchestrator\'s own MCP server over stdio, for Claude Desktop, Claude Code or any MCP client (with or without a daemon)')
    .action(async () => {
      const { serveCommand } = await import('./commands/serve.js');
      await withRuntime((runtime) => serveCommand(runtime, io, { signal: root.signal }));
    });

  program
    .command('servers')
    .description('each configured server: reachable or not, its tools, latency of a ping')
    .option('--json', 'print JSON instead of a table', false)
    .action(async (options: { json: boolean }) => {
      const { serversCommand } = await import('./commands/servers.js');
      await withRuntime((runtime) => serversCommand(runtime, io, options), false);
    });

  program
    .command('stats')
    .description('metrics from the audit log: calls per server and day, durations, success and error rates, retries, queue depth; with cluster also every node: live or silent, what it holds, what it did')
    .option('--since <duration>', 'only events newer than this: 30m, 24h, 7d (default: the whole retained log)')
    .option('--json', 'print JSON instead of tables', false)
    .action(async (options: { since?: string; json: boolean }) => {
      const { statsCommand } = await import('./commands/stats.js');
      await withRuntime((runtime) => statsCommand(runtime, io, options), false);
    });

  program
    .command('auth')
    .description('one-time OAuth authorization of a remote server: prints a URL to open, receives the redirect on 127.0.0.1, stores the tokens privately')
    .argument('<server>', 'name of a remote server in mcpServers')
    .option('--timeout <duration>', 'how long to wait for the browser to come back (default: 5m)')
    .action(async (server: string, options: { timeout?: string }) => {
      const { authCommand } = await import('./commands/auth.js');
      code = await authCommand(server, io, { configOption: program.opts<GlobalOptions>().config, signal: root.signal, ...options });
    });

  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with exit code 0; usage mistakes with 1 from commander: ours is 2.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    io.err(`error: ${describeError(error)}`);
    return EXIT.usage;
  } finally {
    process.removeListener('SIGINT', stop);
    process.removeListener('SIGTERM', stop);
    clearInterval(orphanCheck);
  }
  return code;
}

/** `--metrics-port`, `--mcp-port`: a usage error (exit 2) when not a port. Here, not in metrics/, so parsing the options loads no metrics code. */
function metricsPortOption(text: string): number {
  const port = /^\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new InvalidArgumentError(`invalid port "${text}": use a number from 1 to 65535 (0 picks a free one)`);
  }
  return port;
}
