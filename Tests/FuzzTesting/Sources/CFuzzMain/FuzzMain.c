// SwiftPM links an executable target with `main` defined as `<module>_main`
// (so tests can link the executable's code). With `-parse-as-library` the
// Swift module has no main, and libFuzzer's own `main` is then not used; these
// are the same as libFuzzer's `main`, one per executable of this package: run
// its driver with that binary's test function.
#include "CFuzzMain.h"
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

static int run_driver(int argc, char **argv) {
    return LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput);
}

int locket_fuzz_main(int argc, char **argv) { return run_driver(argc, argv); }
int fuzz_json_main(int argc, char **argv) { return run_driver(argc, argv); }
int fuzz_request_main(int argc, char **argv) { return run_driver(argc, argv); }
int fuzz_framing_main(int argc, char **argv) { return run_driver(argc, argv); }
int fuzz_client_answer_main(int argc, char **argv) { return run_driver(argc, argv); }
int fuzz_timestamp_main(int argc, char **argv) { return run_driver(argc, argv); }
int fuzz_backup_main(int argc, char **argv) { return run_driver(argc, argv); }
int fuzz_audit_log_main(int argc, char **argv) { return run_driver(argc, argv); }
int fuzz_git_input_main(int argc, char **argv) { return run_driver(argc, argv); }
int fuzz_docker_input_main(int argc, char **argv) { return run_driver(argc, argv); }
