import Testing
import LocketGitCredential

@Suite struct CredentialRequestTests {
    @Test func readsCapabilitiesEphemeralAndTheCredential() {
        let request = CredentialRequest.parse(lines: [
            "capability[]=authtype", "capability[]=state", "authtype=Bearer", "credential=tok=en", "protocol=https",
            "host=h", "ephemeral=1", "state[]=helper:x", "continue=1", "wwwauth[]=Bearer", "",
            "ephemeral=0",
        ])
        #expect(request.capabilities == ["authtype", "state"])
        #expect(request.announcesAuthtype)
        #expect(request.ephemeral)
        #expect(request.attributes == CredentialAttributes(protocol: "https", host: "h", authtype: "Bearer", credential: "tok=en"))
    }

    @Test func anEmptyCapabilityClearsTheList() {
        let request = CredentialRequest.parse(lines: ["capability[]=authtype", "capability[]=", "capability[]=state"])
        #expect(request.capabilities == ["state"])
        #expect(!request.announcesAuthtype)
    }

    @Test func ephemeralIsReadAsGitReadsABoolean() {
        for (value, expected) in [("1", true), ("true", true), ("YES", true), ("on", true), ("2", true), ("maybe", true),
                                  ("0", false), ("false", false), ("No", false), ("off", false), ("", false), ("00", false)] {
            #expect(CredentialRequest.parse(lines: ["ephemeral=\(value)"]).ephemeral == expected, "\(value)")
        }
    }

    @Test func answerCarriesAuthtypeOnlyToACapableCaller() {
        let found = CredentialAttributes(username: "u", password: "", passwordExpiryUTC: 7, authtype: "Bearer", credential: "t")
        #expect(CredentialAttributes.format(found.answerLines(authtypeCapable: true))
            == "capability[]=authtype\nusername=u\npassword=\nauthtype=Bearer\ncredential=t\npassword_expiry_utc=7\n")
        #expect(CredentialAttributes.format(found.answerLines) == "username=u\npassword=\npassword_expiry_utc=7\n")
        // To a capable caller the capability is echoed first, as git's credential-cache does.
        #expect(CredentialAttributes.format(CredentialAttributes(username: "u", password: "p").answerLines(authtypeCapable: true))
            == "capability[]=authtype\nusername=u\npassword=p\n")
    }
}
