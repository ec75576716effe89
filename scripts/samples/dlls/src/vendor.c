/*
 * espy sample: a third-party ESP DLL for host-vendor (Contoso's SQL audit helper). INERT TEST
 * FIXTURE. A legitimate-looking vendor extension: lives under Program Files, exports its own
 * procedures plus __GetXpVersion, and is Authenticode-signed by a test CA (signing/sign.sh).
 * A valid third-party signature says who built it, not that the DBA installed it.
 */
#include "ods.h"

ESPY_DLLMAIN

__declspec(dllexport) ULONG __GetXpVersion(void) { return ODS_VERSION; }

__declspec(dllexport) SRVRETCODE xp_ctx_audit_status(SRV_PROC *srvproc) {
  return espy_inert_reply(srvproc, "espy sample ESP 'xp_ctx_audit_status': inert test fixture");
}

__declspec(dllexport) SRVRETCODE xp_ctx_audit_flush(SRV_PROC *srvproc) {
  return espy_inert_reply(srvproc, "espy sample ESP 'xp_ctx_audit_flush': inert test fixture");
}
