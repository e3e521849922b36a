export { flagParser, type FlagErrorFactory, type FlagParser, type Flags } from './flag-parser';
export { freePort } from './free-port';
export { RuntimePauses, type PauseReport } from './runtime-pauses';
export { ListenError, listenFailure } from './listen-error';
export {
  settingsSchema,
  setting,
  clusterSettings,
  clusterSettingsOf,
  vsyncSecretOf,
  vsyncTlsOf,
  envName,
  type ClusterSettingsOptions,
  type ClusterSettings,
  type CustomSyntax,
  type SettingsOf,
  type SettingsSchema,
  type HostPort,
  type Setting,
  type SettingErrorFactory,
  type SettingOptions,
} from './settings';
