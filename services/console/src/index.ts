export { type ConsoleConfig, loadConsoleConfig } from './config.js';
export { type ConsoleService, createConsoleService } from './console-service.js';
