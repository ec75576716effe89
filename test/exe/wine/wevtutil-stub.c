/*
 * A wevtutil.exe that exits 0 and writes nothing: what wine's own wevtutil does, and what a
 * full disk or a policy can make the real one do on Windows. Each call appends its command
 * line to C:\wevtutil-stub.log, so a test can tell that this program, not another
 * wevtutil.exe found on PATH, was run.
 *
 * Built at test time: x86_64-w64-mingw32-gcc -O2 -s -o wevtutil.exe wevtutil-stub.c
 */
#include <stdio.h>
#include <windows.h>

int main(void) {
  FILE *f = fopen("C:\\wevtutil-stub.log", "a");
  if (f) {
    fprintf(f, "%s\n", GetCommandLineA());
    fclose(f);
  }
  return 0;
}
