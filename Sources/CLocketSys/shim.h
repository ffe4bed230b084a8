/*
 * Process-level calls that do not import into Swift as they are
 * (prctl is variadic; the rlimit resource enum does not bridge cleanly).
 */
#include <sys/prctl.h>
#include <sys/resource.h>

/* Turns core dumps and ptrace attach by other same-uid processes off (PR_SET_DUMPABLE 0). */
static inline int locket_set_dumpable(int dumpable) {
    return prctl(PR_SET_DUMPABLE, (unsigned long)dumpable, 0UL, 0UL, 0UL);
}

static inline int locket_get_dumpable(void) {
    return prctl(PR_GET_DUMPABLE, 0UL, 0UL, 0UL, 0UL);
}

/* Sets RLIMIT_CORE soft and hard limits to 0: no core file can be written. */
static inline int locket_disable_core_dumps(void) {
    struct rlimit limit = { 0, 0 };
    return setrlimit(RLIMIT_CORE, &limit);
}

static inline long long locket_core_limit(void) {
    struct rlimit limit;
    if (getrlimit(RLIMIT_CORE, &limit) != 0) return -1;
    return (long long)limit.rlim_cur;
}

/* The soft RLIMIT_MEMLOCK in bytes; -1 if unlimited or unknown. */
static inline long long locket_memlock_limit(void) {
    struct rlimit limit;
    if (getrlimit(RLIMIT_MEMLOCK, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return -1;
    return (long long)limit.rlim_cur;
}

#include <malloc.h>

/* Returns the heap's free memory to the system (glibc's malloc_trim); 1 if any was released. */
static inline int locket_malloc_trim(void) {
    return malloc_trim(0);
}

/*
 * Fixes glibc's mmap and trim thresholds, which turns off their dynamic growth:
 * blocks of `mmap_threshold` bytes or more are mmapped (and unmapped when freed),
 * and a heap whose free top passes `trim_threshold` gives it back when freed.
 * 1 when both were set.
 */
static inline int locket_malloc_fix_thresholds(int mmap_threshold, int trim_threshold) {
    return mallopt(M_MMAP_THRESHOLD, mmap_threshold) == 1 && mallopt(M_TRIM_THRESHOLD, trim_threshold) == 1;
}

/* Bytes of the heap's blocks that are mmapped on their own (mallinfo2's hblkhd). */
static inline size_t locket_malloc_mmapped_bytes(void) {
    return mallinfo2().hblkhd;
}

#include <signal.h>
#include <unistd.h>

/*
 * Starts `path` with `argv` (environment inherited) as a child that cannot
 * outlive this process: in its own process group (so the caller can kill the
 * group), with PR_SET_PDEATHSIG SIGKILL set before exec, and then a check
 * that the parent is still the process that forked it (if the parent died
 * between fork and prctl, no signal would ever come: the child exits 126).
 * `stdin_fd` and `stdout_fd` become its 0 and 1 (pipes made close-on-exec, so no
 * other copy leaks into it); stderr is inherited. SIGPIPE is reset to its
 * default. Between fork and exec only async-signal-safe calls are made.
 * Returns the child's pid, or -1 (errno set) when fork fails; exit 127 from
 * the child means exec failed.
 */
static inline pid_t locket_spawn_guarded(const char *path, char *const argv[], int stdin_fd, int stdout_fd) {
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid != 0) {
        if (pid > 0) setpgid(pid, pid);
        return pid;
    }
    setpgid(0, 0);
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0UL, 0UL, 0UL) != 0) _exit(126);
    if (getppid() != parent) _exit(126);
    struct sigaction dfl;
    sigemptyset(&dfl.sa_mask);
    dfl.sa_flags = 0;
    dfl.sa_handler = SIG_DFL;
    sigaction(SIGPIPE, &dfl, 0);
    if (dup2(stdin_fd, 0) < 0 || dup2(stdout_fd, 1) < 0) _exit(126);
    execv(path, argv);
    _exit(127);
}
