export { loadYamlConfigFile, parseYamlConfig, type YamlConfigOptions } from './yaml-config.js';
