/*
 * hold-open.exe READY FILE...: opens every FILE with no sharing allowed, as the Windows event
 * log service holds its .evtx files, writes READY once all are held, then waits until it is
 * killed. While it runs, any other open of those files fails with a sharing violation, which
 * is what makes a live collector fall back to `wevtutil epl`.
 *
 * Built at test time: x86_64-w64-mingw32-gcc -O2 -s -o hold-open.exe hold-open.c
 */
#include <stdio.h>
#include <windows.h>

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: hold-open READY FILE...\n");
    return 2;
  }
  for (int i = 2; i < argc; i++) {
    HANDLE h = CreateFileA(argv[i], GENERIC_READ, 0, NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
    if (h == INVALID_HANDLE_VALUE) {
      fprintf(stderr, "cannot open %s: error %lu\n", argv[i], GetLastError());
      return 1;
    }
  }
  FILE *ready = fopen(argv[1], "w");
  if (!ready) return 1;
  fputs("held\n", ready);
  fclose(ready);
  Sleep(INFINITE);
  return 0;
}
