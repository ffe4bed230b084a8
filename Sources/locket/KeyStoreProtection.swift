/// What each key store protects the vault against, in one line for `locket status`
/// (the README's table "Choosing a key store" says the same at length).
enum KeyStoreProtection {
    /// The line for the `key_store` name the daemon reported; nil for a name this build does not know.
    static func summary(_ keyStore: String) -> String? {
        switch keyStore {
        case "secret-service":
            "other users; a copy of the data folder (backup, disk image) without your keyring password. Not programs running as you while the keyring is unlocked"
        case "tpm2":
            "other users; a copy of the data folder (backup, disk image) used on another machine. Not programs running as you, nor anyone who can log in as you here"
        case "passphrase":
            "other users; a copy of the data folder without the passphrase; while locked, programs running as you too"
        case "file":
            "other users only: a copy of the data folder (backup, disk image) opens every session"
        default:
            nil
        }
    }
}
