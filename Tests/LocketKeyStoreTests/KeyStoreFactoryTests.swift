import LocketCrypto
import LocketKeyStore
import LocketTestSupport
import Testing

@Suite("KeyStoreFactory, KeyStoreChoice, KeyStoreKind")
struct KeyStoreFactoryTests {
    @Test("make returns a store of the requested kind", arguments: KeyStoreKind.allCases)
    func makeReturnsRequestedKind(kind: KeyStoreKind) {
        let store = KeyStoreFactory(folder: "/tmp/locket-factory").make(kind)
        #expect(store.kind == kind)
    }

    @Test("make builds a file store and a passphrase store in the factory's folder")
    func fileAndPassphraseUseFolder() throws {
        let factory = KeyStoreFactory(folder: "/srv/locket", argon2Limits: .interactive)
        let file = try #require(factory.make(.file) as? FileKeyStore)
        #expect(file.folder == "/srv/locket")
        let passphrase = try #require(factory.make(.passphrase) as? PassphraseKeyStore)
        #expect(passphrase.folder == "/srv/locket")
        #expect(passphrase.limits == .interactive)
    }

    @Test("make builds a Secret Service store with the factory's deadline")
    func secretServiceUsesTimeout() throws {
        let factory = KeyStoreFactory(folder: "/srv/locket", secretServiceTimeout: .milliseconds(750))
        let store = try #require(factory.make(.secretService) as? SecretServiceKeyStore)
        #expect(store.timeout == .milliseconds(750))
    }

    @Test("the factory's defaults are moderate Argon2id limits and a 2 s keyring deadline")
    func factoryDefaults() {
        let factory = KeyStoreFactory(folder: "/x")
        #expect(factory.argon2Limits == .moderate)
        #expect(factory.secretServiceTimeout == .seconds(2))
        #expect(factory.passphrase == nil)
    }

    @Test("the passphrase store from the factory uses the factory's passphrase")
    func passphraseIsPassedOn() throws {
        let temp = TemporaryFolder("locket-factory")
        let vault = VaultID.random()
        let key = try SecureKey.random()
        let withPassphrase = KeyStoreFactory(folder: temp.path, passphrase: try passphraseKey("pw"), argon2Limits: .interactive)
        try withPassphrase.make(.passphrase).saveKey(key, vault: vault, slot: .current)
        #expect(try #require(try withPassphrase.make(.passphrase).loadKey(vault: vault, slot: .current)).hasSameBytes(as: key))
        let without = KeyStoreFactory(folder: temp.path, argon2Limits: .interactive)
        #expect(keyStoreError { try without.make(.passphrase).loadKey(vault: vault, slot: .current) } == .passphraseRequired)
    }

    @Test("make builds a tpm2 store with the factory's TCTI, PCRs and deadline, in its folder")
    func tpm2UsesSettings() throws {
        let factory = KeyStoreFactory(folder: "/srv/locket", tpmTCTI: "swtpm:host=127.0.0.1,port=9", tpmPCRs: [7],
                                      tpmTimeout: .milliseconds(900))
        let store = try #require(factory.make(.tpm2) as? TPM2KeyStore)
        #expect(store.folder == "/srv/locket")
        #expect(store.tcti == "swtpm:host=127.0.0.1,port=9")
        #expect(store.pcrs == [7])
        #expect(store.timeout == .milliseconds(900))
        let defaults = try #require(KeyStoreFactory(folder: "/x").make(.tpm2) as? TPM2KeyStore)
        #expect(defaults.tcti == "device:/dev/tpmrm0")
        #expect(defaults.pcrs.isEmpty)
        #expect(defaults.timeout == .seconds(2))
    }

    @Test("KeyStoreChoice raw values are auto, secret-service, file, passphrase, tpm2")
    func choiceRawValues() {
        #expect(KeyStoreChoice.allCases.map(\.rawValue) == ["auto", "secret-service", "file", "passphrase", "tpm2"])
        #expect(KeyStoreChoice(rawValue: "secret-service") == .secretService)
        #expect(KeyStoreChoice(rawValue: "keyring") == nil)
        #expect(KeyStoreChoice(rawValue: "File") == nil)
    }

    @Test("KeyStoreChoice maps to a kind, except auto")
    func choiceKinds() {
        #expect(KeyStoreChoice.auto.kind == nil)
        #expect(KeyStoreChoice.secretService.kind == .secretService)
        #expect(KeyStoreChoice.file.kind == .file)
        #expect(KeyStoreChoice.passphrase.kind == .passphrase)
        #expect(KeyStoreChoice.tpm2.kind == .tpm2)
    }

    @Test("KeyStoreKind raw values are the wire names secret-service, file, passphrase, tpm2")
    func kindRawValues() {
        #expect(KeyStoreKind.allCases.map(\.rawValue) == ["secret-service", "file", "passphrase", "tpm2"])
    }

    @Test("KeySlot raw values are current and next")
    func slotRawValues() {
        #expect(KeySlot.allCases.map(\.rawValue) == ["current", "next"])
    }
}

@Suite("VaultID")
struct VaultIDTests {
    @Test("32 lowercase hex digits are accepted")
    func acceptsLowercaseHex() throws {
        let id = try #require(VaultID(hex: "0123456789abcdef0123456789abcdef"))
        #expect(id.hex == "0123456789abcdef0123456789abcdef")
        #expect(id.description == id.hex)
        #expect(id.short == "01234567")
    }

    @Test("anything but exactly 32 lowercase hex digits is refused", arguments: [
        "", "0123456789abcdef0123456789abcde", "0123456789abcdef0123456789abcdef0",
        "0123456789ABCDEF0123456789abcdef", "0123456789abcdeg0123456789abcdef",
        " 123456789abcdef0123456789abcdef", "0123456789abcdef0123456789abcde\n",
        "../../../../etc/passwd0123456789", "0123456789abcdef0123456789abcd\u{e9}",
        "０123456789abcdef0123456789abcdef",
    ])
    func refusesEverythingElse(candidate: String) {
        #expect(VaultID(hex: candidate) == nil)
    }

    @Test("random ids are valid and differ")
    func randomIdsValidAndDistinct() {
        let a = VaultID.random(), b = VaultID.random()
        #expect(VaultID(hex: a.hex) == a)
        #expect(a != b)
    }
}
