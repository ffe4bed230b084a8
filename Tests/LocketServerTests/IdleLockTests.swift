// Architecture, "Keys"/"Key stores": --idle-lock N takes the master key out of
// memory after N idle minutes; with the file key store the next data request
// fetches it again without anyone's help.
import Foundation
import LocketTestSupport
import Testing

@Suite("Idle lock")
struct IdleLockTests {
    @Test("--idle-lock 0.02 (1.2 s): locked with an idle reason after 2 s; a get unlocks transparently and answers the value")
    func idleLockAndTransparentUnlock() throws {
        let daemon = try Daemon.started(arguments: ["--idle-lock", "0.02"])
        let client = try daemon.connect()
        #expect(try client.ask(#"{"op":"put","ns":"idle","key":"k","value":{"kept":true}}"#).ok)
        #expect(try client.ask(#"{"op":"status"}"#).bool("locked") == false)

        // Until the locker logged it (a status request would count as activity).
        #expect(eventually(timeout: 30) { daemon.log.contains("vault locked after idle time") }, "never locked")
        let locked = try client.ask(#"{"op":"status"}"#)
        #expect(locked.bool("locked") == true, "\(locked.line)")
        #expect(locked.string("lock_reason")?.contains("idle") == true, "\(locked.line)")
        #expect(daemon.log.contains("vault locked after idle time"))

        let get = try client.request(#"{"id":"g","op":"get","ns":"idle","key":"k"}"#)
        #expect(get.hasPrefix(#"{"id":"g","ok":true,"value":{"kept":true},"version":1,"#), "\(get)")
        let unlocked = try client.ask(#"{"op":"status"}"#)
        #expect(unlocked.bool("locked") == false, "\(unlocked.line)")
        #expect(unlocked.string("lock_reason") == nil)
        #expect(try daemon.stop() == 0)
    }
}
