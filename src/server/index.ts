/**
 * `bulwark server`: the vulnerability register (docs/server.md). The library below the CLI: the CLI
 * command in src/cli/commands/server.ts only parses flags and calls these.
 */
export { buildServer, type BulwarkServer, type ServerOptions } from './app.js';
export { verifyAudit, type AuditVerification } from './audit.js';
export { passwordProblem } from './auth.js';
export { loadServerConfig, redactUrl, settingsHelp, SETTINGS, type ServerConfig } from './config.js';
export { ServerConfigError } from './errors.js';
export { buildOpenApi } from './openapi.js';
export { createJobService, rematchAll, type JobService } from './jobs/index.js';
export { createUser, ROUTES } from './routes.js';
export { migrate, openStore, type Store } from './store/connect.js';
export { ROLES, type Role } from './store/schema.js';
