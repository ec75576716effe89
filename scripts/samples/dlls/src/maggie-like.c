/*
 * espy sample: a Maggie-LIKE extended stored procedure DLL. INERT TEST FIXTURE.
 *
 * It has the outward traits published for the Maggie backdoor (DCSO CyTec, 2022): an ESP DLL
 * exporting `maggie` and `__GetXpVersion`, importing opends60.dll, and carrying the indicator
 * strings the public YARA rule looks for. The strings are plain data that no code uses for
 * anything; the procedure only replies with an informational message. DllMain does nothing.
 */
#include "ods.h"

/* Indicator strings from the public report, kept as inert data so YARA rules can be tested. */
static const char *const volatile espy_indicator_strings[] = {
  "Account Owner Not Found For The SID",
  "Call SO_UPDATE_ACCEPT_CONTEXT To Get IP",
  "Socks5 Stopped Failure",
  "It Has Been Hooked",
  "AllowedIP IP Port",
  "Wait 5 To 10 Seconds For TS Taking Effect",
  "\\Binn\\sqlservr.exe",
  "HostList UserList PassList",
  "WinSockScan",
  "ResetClientData",
  "ViewClientData",
  "ElevateTS",
  "espy sample fixture: inert, not malware",
};

ESPY_DLLMAIN

__declspec(dllexport) ULONG __GetXpVersion(void) { return ODS_VERSION; }

__declspec(dllexport) SRVRETCODE maggie(SRV_PROC *srvproc) {
  /* Touch the table through a volatile pointer so the linker keeps it; never dereferenced. */
  if (espy_indicator_strings[0] == NULL) return XP_NOERROR;
  if (srv_rpcparams(srvproc) < 0) return XP_NOERROR;
  return espy_inert_reply(srvproc, "espy sample ESP 'maggie': inert test fixture, does nothing");
}
