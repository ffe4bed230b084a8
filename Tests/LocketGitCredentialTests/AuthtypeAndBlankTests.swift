import Foundation
import Testing
import LocketClient
import LocketGitCredential
import LocketTestSupport

/// Issue 21 on the helper's stdin (Debian's git 2.39 does not send these
/// fields): `helper_test_authtype`, `helper_test_password_expiry_utc` and
/// `helper_test_oauth_refresh_token` of git's t/lib-credential.sh, as git 2.46+
/// would drive the helper, plus blank credentials.
@Suite struct AuthtypeAndBlankTests {
    static let capable = "capability[]=authtype\n"
    static let gitHost = "protocol=https\nhost=git.example.com\n"

    @Test func announcesTheAuthtypeCapability() throws {
        let folder = TemporaryFolder("locket-git-capability")
        let env = Vault.environment(socket: folder.appending("absent.sock"), home: folder.path)
        let result = try helper("capability", "", environment: env)
        #expect(result.status == 0)
        #expect(result.stdout == "version 0\ncapability authtype\n")
        #expect(result.stderr == "")
    }

    @Test func storesAndReturnsAuthtypeAndCredential() throws {
        let vault = try Vault()
        let env = vault.environment
        // "stores authtype and credential", "gets authtype and credential"
        let store = try helper("store", Self.capable + "authtype=Bearer\ncredential=random-token\n" + Self.gitHost, environment: env)
        #expect(store.status == 0 && store.stderr == "")
        let get = try helper("get", Self.capable + Self.gitHost, environment: env)
        #expect(get.stdout == "capability[]=authtype\nauthtype=Bearer\ncredential=random-token\n")
        // "gets authtype and credential only if request has authtype capability"
        let plain = try helper("get", Self.gitHost, environment: env)
        #expect(plain.status == 0 && plain.stdout == "" && plain.stderr == "")
        // "stores authtype and credential with username", "gets … with username"
        _ = try helper("store", Self.capable + "authtype=Bearer\ncredential=other-token\n" + Self.gitHost + "username=foobar\n",
                       environment: env)
        let foobar = try helper("get", Self.capable + Self.gitHost + "username=foobar\n", environment: env)
        #expect(foobar.stdout == "capability[]=authtype\nusername=foobar\nauthtype=Bearer\ncredential=other-token\n")
        // "does not get authtype and credential with different username"
        let barbaz = try helper("get", Self.capable + Self.gitHost + "username=barbaz\n", environment: env)
        #expect(barbaz.stdout == "")
        // A username and password go to a capable caller too, after the capability.
        _ = try helper("store", Self.gitHost + "username=plain\npassword=pw\n", environment: env)
        #expect(try helper("get", Self.capable + Self.gitHost + "username=plain\n", environment: env).stdout
            == "capability[]=authtype\nusername=plain\npassword=pw\n")
        // Stored under the documented key and names.
        let entry = try LocketClient(socketPath: vault.socketPath).get(ns: "git", key: "https://git.example.com?foobar")
        let stored = try entry.decode(StoredCredential.self)
        #expect(stored.authtype == "Bearer" && stored.credential == "other-token" && stored.password == nil)
    }

    /// `state[]` and `continue` are neither stored nor returned, as in git's own
    /// helpers, and the `state` capability is not announced or echoed.
    @Test func stateIsNotKept() throws {
        let vault = try Vault()
        let env = vault.environment
        let store = try helper("store", "capability[]=authtype\ncapability[]=state\n" + Self.gitHost
            + "username=u\npassword=p\nstate[]=locket:one\ncontinue=1\n", environment: env)
        #expect(store.status == 0 && store.stderr == "")
        let get = try helper("get", "capability[]=authtype\ncapability[]=state\nstate[]=locket:two\n" + Self.gitHost + "username=u\n",
                             environment: env)
        #expect(get.stdout == "capability[]=authtype\nusername=u\npassword=p\n")
        let json = try LocketClient(socketPath: vault.socketPath).get(ns: "git", key: "https://git.example.com?u").valueJSON
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json)) as? [String: Any])
        #expect(Set(object.keys) == ["protocol", "host", "username", "password"])
        #expect(!(try helper("capability", "", environment: env).stdout.contains("state")))
    }

    @Test func ephemeralCredentialsAreNotStored() throws {
        let vault = try Vault()
        let env = vault.environment
        let git2 = "protocol=https\nhost=git2.example.com\n"
        // "does not store ephemeral authtype and credential"
        let first = try helper("store", Self.capable + "authtype=Bearer\ncredential=git2-token\n" + git2 + "ephemeral=1\n",
                               environment: env)
        #expect(first.status == 0 && first.stderr == "")
        #expect(try helper("get", Self.capable + git2, environment: env).stdout == "")
        // "does not store ephemeral username and password" (git's case says `user=`, unknown, so no username)
        _ = try helper("store", Self.capable + git2 + "user=barbaz\npassword=secret\nephemeral=1\n", environment: env)
        #expect(try helper("get", Self.capable + git2, environment: env).stdout == "")
        _ = try helper("store", git2 + "username=u\npassword=secret\nephemeral=true\n", environment: env)
        #expect(try LocketClient(socketPath: vault.socketPath).list(ns: "git").isEmpty)
        // An ephemeral approve changes nothing that was stored before.
        _ = try helper("store", git2 + "username=u\npassword=kept\n", environment: env)
        _ = try helper("store", git2 + "username=u\npassword=new\nephemeral=yes\n", environment: env)
        #expect(try helper("get", git2 + "username=u\n", environment: env).stdout == "username=u\npassword=kept\n")
        // `ephemeral=0` is not ephemeral.
        _ = try helper("store", git2 + "username=u\npassword=new\nephemeral=0\n", environment: env)
        #expect(try helper("get", git2 + "username=u\n", environment: env).stdout == "username=u\npassword=new\n")
    }

    @Test func blankUsernameAndPasswordComeBackAsStored() throws {
        let vault = try Vault()
        let env = vault.environment
        let sso = "protocol=https\nhost=sso.tld\n"
        let store = try helper("store", sso + "username=\npassword=\n", environment: env)
        #expect(store.status == 0 && store.stderr == "")
        #expect(try helper("get", sso, environment: env).stdout == "username=\npassword=\n")
        #expect(try helper("get", sso + "username=\n", environment: env).stdout == "username=\npassword=\n")
        #expect(try helper("get", sso + "username=someone\n", environment: env).stdout == "")
        // Blank password with a username; absent username with a password stays absent.
        _ = try helper("store", "protocol=https\nhost=a.tld\nusername=alice\npassword=\n", environment: env)
        #expect(try helper("get", "protocol=https\nhost=a.tld\n", environment: env).stdout == "username=alice\npassword=\n")
        _ = try helper("store", "protocol=https\nhost=b.tld\npassword=p\n", environment: env)
        #expect(try helper("get", "protocol=https\nhost=b.tld\n", environment: env).stdout == "password=p\n")
        // A blank username asked finds only a blank username, not an absent one.
        #expect(try helper("get", "protocol=https\nhost=b.tld\nusername=\n", environment: env).stdout == "")
        let json = try LocketClient(socketPath: vault.socketPath).get(ns: "git", key: "https://sso.tld").valueJSON
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json)) as? [String: Any])
        #expect(object["username"] as? String == "" && object["password"] as? String == "")
    }

    /// `helper_test_password_expiry_utc` and `helper_test_oauth_refresh_token`.
    @Test func expiryAndRefreshTokenAsGitTestsThem() throws {
        let vault = try Vault()
        let env = vault.environment
        let host = "protocol=https\nhost=example.com\n"
        _ = try helper("store", host + "username=user-expiry\npassword=pass\npassword_expiry_utc=9999999999\n", environment: env)
        #expect(try helper("get", host + "username=user-expiry\n", environment: env).stdout
            == "username=user-expiry\npassword=pass\npassword_expiry_utc=9999999999\n")
        let user = "username=user-expiry-overwrite\n"
        _ = try helper("store", host + user + "password=pass1\npassword_expiry_utc=9999999998\n", environment: env)
        _ = try helper("store", host + user + "password=pass2\npassword_expiry_utc=9999999999\n", environment: env)
        #expect(try helper("get", host + user, environment: env).stdout
            == "username=user-expiry-overwrite\npassword=pass2\npassword_expiry_utc=9999999999\n")
        _ = try helper("erase", host + user + "password=pass2\n", environment: env)
        #expect(try helper("get", host + user, environment: env).stdout == "")
        _ = try helper("store", host + "username=user4\npassword=pass\noauth_refresh_token=xyzzy\n", environment: env)
        #expect(try helper("get", host + "username=user4\n", environment: env).stdout
            == "username=user4\npassword=pass\noauth_refresh_token=xyzzy\n")
    }

    /// "not confused by long header": a `wwwauth[]` value holding `host=` does not change the host.
    @Test func longHeaderDoesNotConfuseTheHost() throws {
        let vault = try Vault()
        let env = vault.environment
        _ = try helper("store", "protocol=https\nhost=victim.example.com\nusername=user\npassword=to-be-stolen\n", environment: env)
        let long = String(repeating: "a", count: 1024 - 23)
        let get = try helper("get", "protocol=https\nhost=badguy.example.com\nwwwauth[]=basic realm=\(long)host=victim.example.com\n",
                             environment: env)
        #expect(get.status == 0 && get.stdout == "")
    }
}
