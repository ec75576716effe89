import type { Target } from './types.js';

const LOGS = 'Windows\\System32\\winevt\\Logs';

function log(name: string, fileMask: string): Target {
  return { name, category: 'eventlog', path: LOGS, fileMask, recursive: false, kind: 'evtx', action: 'copy' };
}

/**
 * Event logs that carry ESP-backdoor traces:
 * SQL Server's own events go to Application; process and image-load traces to Sysmon and
 * Security; lateral movement and persistence to the others.
 */
export const EVENT_LOG_TARGETS: readonly Target[] = [
  log('Application event log', 'Application.evtx'),
  log('System event log', 'System.evtx'),
  log('Security event log', 'Security.evtx'),
  log('Sysmon operational log', 'Microsoft-Windows-Sysmon%4Operational.evtx'),
  log('PowerShell operational log', 'Microsoft-Windows-PowerShell%4Operational.evtx'),
  log('Windows PowerShell log', 'Windows PowerShell.evtx'),
  log('Task Scheduler operational log', 'Microsoft-Windows-TaskScheduler%4Operational.evtx'),
  log('Terminal Services logs', 'Microsoft-Windows-TerminalServices-*.evtx'),
  log('WMI activity log', 'Microsoft-Windows-WMI-Activity%4Operational.evtx'),
];
