// The fuzzers' entry points for SwiftPM's executable linking (see FuzzMain.c).
int locket_fuzz_main(int argc, char **argv);
int fuzz_json_main(int argc, char **argv);
int fuzz_request_main(int argc, char **argv);
int fuzz_framing_main(int argc, char **argv);
int fuzz_client_answer_main(int argc, char **argv);
int fuzz_timestamp_main(int argc, char **argv);
int fuzz_backup_main(int argc, char **argv);
int fuzz_audit_log_main(int argc, char **argv);
int fuzz_git_input_main(int argc, char **argv);
int fuzz_docker_input_main(int argc, char **argv);
