// libFuzzer's driver entry point (compiler-rt's FuzzerInterface.h), declared here because the
// toolchain ships no header for it. Only a fuzzer build (-sanitize=fuzzer, -D FUZZING) calls it,
// so a normal build links nothing from it.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
