/**
 * The lab: real Debian hosts on this machine (systemd-nspawn containers in
 * network namespaces, copy-on-write roots over a cached debootstrap image) for
 * tests and demos. Library API; the CLI command is src/cli/commands/lab.ts.
 */
export { labUp, type LabUpOptions } from './lab-up';
export { labDown, type LabDownOptions, type LabDownResult } from './lab-down';
export { labStatus, type LabStatus, type LabStatusHost, type HostStatus } from './lab-status';
export { resetLab, type ResetOptions } from './lab-reset';
export {
  listCheckpoints,
  saveCheckpoint,
  type CheckpointOptions,
  type CheckpointRecord,
  type CheckpointResult,
} from './lab-checkpoint';
export { powerHosts, type PowerOptions } from './lab-power';
export { labExec, labSshTarget } from './lab-ssh';
export { caLine, type LabHost, type LabInfo, type LabTimings, type LabUpResult } from './lab-info';
export { labCaPath } from './tls';
export { sshRun, sshInteractive, type SshResult } from './ssh';
export { sshArgs, type SshTarget } from './ssh-args';
export { labUnsupportedReason, type Progress } from './machine';
export { FLAVORS, FLAVOR_NAMES, type Flavor } from './flavors';
export { DEFAULT_LAB_NAME } from './plan-names';
export { DEFAULT_SUBNET } from './subnet';
export { DEFAULT_LAB_ROOT, labPaths, labRoot } from './paths';
export type { StopOutcome } from './nspawn';
