/**
 * PM2 ecosystem file for the mcp-orchestrator daemon. See deploy/README.md.
 *
 *   pm2 start deploy/ecosystem.config.cjs     # from the checkout
 *   pm2 save && pm2 startup                   # start again at boot
 *   pm2 logs mcp-orchestrator                 # console output (the audit log stays in logs/)
 */
const path = require('node:path');

// The checkout this file lives in; override with ORCHESTRATOR_HOME if it was copied elsewhere.
const home = process.env.ORCHESTRATOR_HOME || path.resolve(__dirname, '..');

module.exports = {
  apps: [
    {
      name: 'mcp-orchestrator',
      cwd: home,
      // `npm run daemon` builds, then starts the daemon on config/orchestrator.json.
      // Add '-- --metrics-port 9464' to serve Prometheus metrics on 127.0.0.1:9464.
      script: 'npm',
      args: 'run daemon',
      interpreter: 'none',
      // One daemon per vault: never run it in cluster mode or with more instances.
      exec_mode: 'fork',
      instances: 1,
      autorestart: true,
      // A crash loop (a broken config) stops after 10 quick restarts instead of spinning.
      max_restarts: 10,
      min_uptime: '30s',
      restart_delay: 5000,
      exp_backoff_restart_delay: 1000,
      // SIGTERM lets calls in flight finish within daemon.graceMs (default 10 s). treekill sends it to
      // npm, the shell and node alike, so node gets it directly; PM2 sends SIGKILL only after
      // kill_timeout, which must stay above daemon.graceMs.
      kill_signal: 'SIGTERM',
      treekill: true,
      kill_timeout: 30000,
      // The daemon watches the vault itself; PM2's own file watching would restart it on every plan.
      watch: false,
      env: {
        NODE_ENV: 'production',
      },
    },
  ],
};
