import type { Login } from '../analysis-result.js';
import { isDuringIncident, type IncidentWindow } from './incident-window.js';
import type { SqlFacts } from './inputs.js';
import { sqlLocalToUtc } from './sql-time.js';

/** Windows/SQL logins from the server principals export, with sysadmin membership. */
export function buildLogins(sql: SqlFacts | undefined, window: IncidentWindow | undefined): Login[] {
  if (!sql?.principals) return [];
  const sysadmins = new Set((sql.roleMembers ?? []).filter((r) => r.roleName.toLowerCase() === 'sysadmin').map((r) => r.memberName.toLowerCase()));
  const offset = sql.utcOffsetMinutes;
  const logins: Login[] = [];
  for (const p of sql.principals) {
    // Logins only: roles and certificates are not accounts an attacker logs in with.
    if (!/LOGIN|USER|GROUP/i.test(p.typeDesc) || /ROLE/i.test(p.typeDesc)) continue;
    const login: Login = {
      name: p.name,
      type: p.typeDesc,
      isSysadmin: sysadmins.has(p.name.toLowerCase()),
      createdDuringIncident: false,
      // One flat string per login (a template literal keeps its parts apart).
      source: p.line !== undefined ? [p.file, ':', p.line].join('') : p.file,
    };
    const created = p.createDate && offset !== undefined ? sqlLocalToUtc(p.createDate, offset) : undefined;
    if (created) login.createDate = created;
    else if (p.createDate) login.createDate = p.createDate;
    // Most logins were never modified: one string for both dates (a million logins, a million strings fewer).
    const modified = p.modifyDate === p.createDate ? created : p.modifyDate && offset !== undefined ? sqlLocalToUtc(p.modifyDate, offset) : undefined;
    if (modified) login.modifyDate = modified;
    else if (p.modifyDate) login.modifyDate = p.modifyDate;
    if (p.isDisabled !== undefined) login.isDisabled = p.isDisabled;
    // Inside a cluster of the incident or the day after it; not merely between two of them.
    if (created) login.createdDuringIncident = isDuringIncident(created, window);
    logins.push(login);
  }
  return logins.sort((a, b) => Number(b.createdDuringIncident) - Number(a.createdDuringIncident) || (b.createDate ?? '').localeCompare(a.createDate ?? '') || a.name.localeCompare(b.name));
}
