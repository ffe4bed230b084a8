// SwiftPM links an executable target with `main` defined as `<module>_main`
// (so tests can link the executable's code). With `-parse-as-library` the
// Swift module has no main, and libFuzzer's own `main` is then not used; this
// is the same as libFuzzer's `main`: run its driver with our test function.
#include "CFuzzMain.h"
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

int locket_fuzz_main(int argc, char **argv) {
    return LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput);
}
