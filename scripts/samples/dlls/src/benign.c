/*
 * espy sample: stand-ins for SQL Server's own ESP DLLs in MSSQL\Binn (xpstar.dll,
 * xplog70.dll, xpsqlbot.dll). INERT TEST FIXTURES, not Microsoft code: same export names
 * as the real DLLs, each procedure only replies with an informational message.
 * Build with -DESPY_XPSTAR, -DESPY_XPLOG70 or -DESPY_XPSQLBOT.
 */
#include "ods.h"

ESPY_DLLMAIN

__declspec(dllexport) ULONG __GetXpVersion(void) { return ODS_VERSION; }

#define ESPY_PROC(name)                                                                 \
  __declspec(dllexport) SRVRETCODE name(SRV_PROC *srvproc) {                            \
    return espy_inert_reply(srvproc, "espy sample ESP '" #name "': inert test fixture"); \
  }

#if defined(ESPY_XPSTAR)
ESPY_PROC(xp_instance_regread)
ESPY_PROC(xp_instance_regwrite)
ESPY_PROC(xp_regread)
ESPY_PROC(xp_regwrite)
ESPY_PROC(xp_regenumvalues)
ESPY_PROC(xp_fixeddrives)
ESPY_PROC(xp_dirtree)
#elif defined(ESPY_XPLOG70)
ESPY_PROC(xp_msver)
ESPY_PROC(xp_cmdshell)
ESPY_PROC(xp_enumgroups)
ESPY_PROC(xp_logevent)
ESPY_PROC(xp_loginconfig)
#elif defined(ESPY_XPSQLBOT)
ESPY_PROC(xp_qv)
#else
#error "define ESPY_XPSTAR, ESPY_XPLOG70 or ESPY_XPSQLBOT"
#endif
