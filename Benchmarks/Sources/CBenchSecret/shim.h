/*
 * The libsecret anchor of the benchmark: store and look up one password
 * through the Secret Service, the way an application would
 * (secret_password_*v_sync with its own schema). The variadic calls and
 * SecretSchema do not import into Swift, hence these fixed-arity wrappers.
 */
#include <string.h>
#include <libsecret/secret.h>

/* Attributes: ns, key (secret-tool can look the same item up by them). */
static const SecretSchema locket_bench_schema = {
    "io.locket.Benchmark",
    SECRET_SCHEMA_DONT_MATCH_NAME,
    {
        { "ns", SECRET_SCHEMA_ATTRIBUTE_STRING },
        { "key", SECRET_SCHEMA_ATTRIBUTE_STRING },
        { NULL, 0 },
    }
};

static inline GHashTable *locket_bench_attributes(const char *ns, const char *key) {
    GHashTable *attributes = g_hash_table_new(g_str_hash, g_str_equal);
    g_hash_table_insert(attributes, (gpointer)"ns", (gpointer)ns);
    g_hash_table_insert(attributes, (gpointer)"key", (gpointer)key);
    return attributes;
}

/* Stores `value` in the default collection; 0 on success. */
static inline int locket_bench_store(const char *ns, const char *key, const char *value) {
    GError *error = NULL;
    GHashTable *attributes = locket_bench_attributes(ns, key);
    gboolean stored = secret_password_storev_sync(&locket_bench_schema, attributes, SECRET_COLLECTION_DEFAULT,
                                                  "locket benchmark", value, NULL, &error);
    g_hash_table_unref(attributes);
    if (error != NULL) g_error_free(error);
    return stored ? 0 : -1;
}

/* Looks the password up; its length, or -1 when absent or failing. */
static inline long locket_bench_lookup(const char *ns, const char *key) {
    GError *error = NULL;
    GHashTable *attributes = locket_bench_attributes(ns, key);
    gchar *value = secret_password_lookupv_sync(&locket_bench_schema, attributes, NULL, &error);
    g_hash_table_unref(attributes);
    if (error != NULL) g_error_free(error);
    if (value == NULL) return -1;
    long length = (long)strlen(value);
    secret_password_free(value);
    return length;
}
