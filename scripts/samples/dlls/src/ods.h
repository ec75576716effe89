/*
 * Minimal Open Data Services declarations for espy's sample ESP DLLs (our own text, written
 * from the documented ESP API: an ESP exports `SRVRETCODE name(SRV_PROC *)` and
 * `ULONG __GetXpVersion(void)`). The DLLs are inert test fixtures.
 */
#ifndef ESPY_SAMPLE_ODS_H
#define ESPY_SAMPLE_ODS_H
#include <windows.h>

typedef struct srv_proc SRV_PROC;
typedef int SRVRETCODE;
#define XP_NOERROR 0
#define SRV_MSG_INFO 1
#define SRV_DONE_FINAL 0x0000
#define ODS_VERSION ((ULONG)((7 << 16) | 0))

__declspec(dllimport) int srv_rpcparams(SRV_PROC *srvproc);
__declspec(dllimport) int srv_paraminfo(SRV_PROC *srvproc, int n, BYTE *pbType, ULONG *pcbMaxLen,
                                        ULONG *pcbActualLen, BYTE *pbData, BOOL *pfNull);
__declspec(dllimport) int srv_sendmsg(SRV_PROC *srvproc, int msgtype, long msgnum, BYTE msgclass,
                                      BYTE state, char *rpcname, int rpcnamelen, USHORT linenum,
                                      char *message, int msglen);
__declspec(dllimport) int srv_senddone(SRV_PROC *srvproc, USHORT status, USHORT curcmd, long count);
__declspec(dllimport) int srv_describe(SRV_PROC *srvproc, int colnumber, char *colname, int namelen,
                                       long desttype, long destlen, long srctype, long srclen,
                                       void *srcdata);
__declspec(dllimport) int srv_setcoldata(SRV_PROC *srvproc, int column, void *data);
__declspec(dllimport) int srv_setcollen(SRV_PROC *srvproc, int column, int len);
__declspec(dllimport) int srv_sendrow(SRV_PROC *srvproc);

/* Sends one informational message and DONE: all an inert sample procedure ever does. */
static SRVRETCODE espy_inert_reply(SRV_PROC *srvproc, const char *text) {
  int n = 0;
  while (text[n] != '\0') n++;
  srv_sendmsg(srvproc, SRV_MSG_INFO, 0, 0, 1, NULL, 0, 0, (char *)text, n);
  srv_senddone(srvproc, SRV_DONE_FINAL, 0, 0);
  return XP_NOERROR;
}

#define ESPY_DLLMAIN                                                          \
  BOOL WINAPI DllMain(HINSTANCE h, DWORD reason, LPVOID reserved) {           \
    (void)h; (void)reason; (void)reserved;                                    \
    return TRUE; /* does nothing when loaded */                               \
  }

#endif
