// The fuzzer's entry point for SwiftPM's executable linking (see FuzzMain.c).
int locket_fuzz_main(int argc, char **argv);
