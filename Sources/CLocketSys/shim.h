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
