/*
 * espy sample: a renamed backdoor-style ESP DLL for host-renamed. INERT TEST FIXTURE.
 *
 * Generic ESP traits only (exports a procedure plus __GetXpVersion, imports opends60.dll,
 * lives outside Binn). It deliberately carries none of the published Maggie strings, so
 * detection has to rely on location, registration and behaviour, not on a signature.
 */
#include "ods.h"

static const char *const volatile espy_strings[] = {
  "Execute Command: ",
  "espy sample fixture: inert, not malware",
};

ESPY_DLLMAIN

__declspec(dllexport) ULONG __GetXpVersion(void) { return ODS_VERSION; }

__declspec(dllexport) SRVRETCODE xp_dbmaint(SRV_PROC *srvproc) {
  if (espy_strings[0] == NULL) return XP_NOERROR;
  if (srv_rpcparams(srvproc) < 0) return XP_NOERROR;
  return espy_inert_reply(srvproc, "espy sample ESP 'xp_dbmaint': inert test fixture, does nothing");
}
