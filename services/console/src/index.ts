export {
  CONSOLE_ENV_VARIABLES,
  type ConsoleConfig,
  loadConsoleConfig,
  parseConsoleEnv,
} from './config.js';
export { type ConsoleService, createConsoleService } from './console-service.js';
