/*
 * A tiny shim over libsecret for Locket's Secret Service key store.
 *
 * Why it exists: libsecret's SecretSchema is a struct with a fixed-size array
 * and its convenience calls are variadic; neither imports into Swift. These
 * static inline wrappers keep one schema and expose fixed-arity calls that
 * take a GCancellable, so the Swift side can enforce its own deadline.
 */
#include <libsecret/secret.h>

/* Attributes: application=locket, vault=<vault id>, slot=current|next. */
static const SecretSchema locket_secret_schema = {
    "io.locket.MasterKey",
    SECRET_SCHEMA_DONT_MATCH_NAME,
    {
        { "application", SECRET_SCHEMA_ATTRIBUTE_STRING },
        { "vault", SECRET_SCHEMA_ATTRIBUTE_STRING },
        { "slot", SECRET_SCHEMA_ATTRIBUTE_STRING },
        { NULL, 0 },
    }
};

typedef enum {
    LOCKET_SECRET_OK = 0,
    LOCKET_SECRET_ABSENT = 1,
    LOCKET_SECRET_LOCKED = 2,
    LOCKET_SECRET_NO_COLLECTION = 3,
    LOCKET_SECRET_FAILED = 4,
} LocketSecretStatus;

static inline GHashTable *locket_secret_attributes(const char *vault, const char *slot) {
    GHashTable *attributes = g_hash_table_new(g_str_hash, g_str_equal);
    g_hash_table_insert(attributes, (gpointer)"application", (gpointer)"locket");
    g_hash_table_insert(attributes, (gpointer)"vault", (gpointer)vault);
    g_hash_table_insert(attributes, (gpointer)"slot", (gpointer)slot);
    return attributes;
}

/* Opens the shared service proxy and checks the default collection. */
static inline LocketSecretStatus locket_secret_open(SecretService **service,
                                                    GCancellable *cancellable,
                                                    GError **error) {
    *service = secret_service_get_sync(SECRET_SERVICE_OPEN_SESSION, cancellable, error);
    if (*service == NULL) return LOCKET_SECRET_FAILED;
    SecretCollection *collection = secret_collection_for_alias_sync(
        *service, "default", SECRET_COLLECTION_NONE, cancellable, error);
    if (collection == NULL) {
        if (error != NULL && *error != NULL) return LOCKET_SECRET_FAILED;
        return LOCKET_SECRET_NO_COLLECTION;
    }
    gboolean locked = secret_collection_get_locked(collection);
    g_object_unref(collection);
    return locked ? LOCKET_SECRET_LOCKED : LOCKET_SECRET_OK;
}

/* Looks the key up. On LOCKET_SECRET_OK, *value holds it; free it with secret_value_unref. */
static inline LocketSecretStatus locket_secret_lookup(const char *vault, const char *slot,
                                                      SecretValue **value,
                                                      GCancellable *cancellable,
                                                      GError **error) {
    SecretService *service = NULL;
    *value = NULL;
    LocketSecretStatus status = locket_secret_open(&service, cancellable, error);
    if (status != LOCKET_SECRET_OK) {
        if (service != NULL) g_object_unref(service);
        return status;
    }
    GHashTable *attributes = locket_secret_attributes(vault, slot);
    *value = secret_service_lookup_sync(service, &locket_secret_schema, attributes,
                                        cancellable, error);
    g_hash_table_unref(attributes);
    g_object_unref(service);
    if (*value != NULL) return LOCKET_SECRET_OK;
    if (error != NULL && *error != NULL) return LOCKET_SECRET_FAILED;
    return LOCKET_SECRET_ABSENT;
}

/* Stores (or replaces) the key as a text secret in the default collection. */
static inline LocketSecretStatus locket_secret_store(const char *vault, const char *slot,
                                                     const char *label,
                                                     const char *secret, gsize length,
                                                     GCancellable *cancellable,
                                                     GError **error) {
    SecretService *service = NULL;
    LocketSecretStatus status = locket_secret_open(&service, cancellable, error);
    if (status != LOCKET_SECRET_OK) {
        if (service != NULL) g_object_unref(service);
        return status;
    }
    GHashTable *attributes = locket_secret_attributes(vault, slot);
    SecretValue *value = secret_value_new(secret, (gssize)length, "text/plain");
    gboolean stored = secret_service_store_sync(service, &locket_secret_schema, attributes,
                                                SECRET_COLLECTION_DEFAULT, label, value,
                                                cancellable, error);
    secret_value_unref(value);
    g_hash_table_unref(attributes);
    g_object_unref(service);
    return stored ? LOCKET_SECRET_OK : LOCKET_SECRET_FAILED;
}

/* Removes the key; LOCKET_SECRET_ABSENT when there was none. */
static inline LocketSecretStatus locket_secret_clear(const char *vault, const char *slot,
                                                     GCancellable *cancellable,
                                                     GError **error) {
    SecretService *service = NULL;
    LocketSecretStatus status = locket_secret_open(&service, cancellable, error);
    if (status != LOCKET_SECRET_OK) {
        if (service != NULL) g_object_unref(service);
        return status;
    }
    GHashTable *attributes = locket_secret_attributes(vault, slot);
    gboolean cleared = secret_service_clear_sync(service, &locket_secret_schema, attributes,
                                                 cancellable, error);
    g_hash_table_unref(attributes);
    g_object_unref(service);
    if (cleared) return LOCKET_SECRET_OK;
    if (error != NULL && *error != NULL) return LOCKET_SECRET_FAILED;
    return LOCKET_SECRET_ABSENT;
}

/* Drops libsecret's shared service proxy after a failure. It stays bound to the
 * keyring process it first reached: once that keyring is replaced (restarted by
 * D-Bus activation, `gnome-keyring-daemon --replace`, a new login), every call
 * would fail ("The name :1.0 was not provided by any .service files") until the
 * daemon restarts. The next call connects afresh. */
static inline void locket_secret_forget_service(void) { secret_service_disconnect(); }

static inline const char *locket_gerror_message(const GError *error) {
    return error != NULL ? error->message : "unknown error";
}

static inline void locket_gobject_unref(gpointer object) { g_object_unref(object); }
