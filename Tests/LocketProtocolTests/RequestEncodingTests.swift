import Foundation
import LocketProtocol
import Testing

/// `Request.line()` writes what `Request.parse` reads back: one codec, both directions.
@Suite("Request: encoding")
struct RequestEncodingTests {
    static let samples: [Request] = [
        Request(.hello(version: nil)), Request(id: Array("7".utf8), .hello(version: 1)),
        Request(.ping), Request(.status), Request(.lock), Request(.rotate),
        Request(id: Array(#""a\"b""#.utf8), .put(.init(ns: "app", key: "ac\u{e9}\"\\", valueJSON: Array(#"{"t":[1,2]}"#.utf8),
                                                        ttl: 60, ifVersion: 0, lease: "L1"))),
        Request(.put(.init(ns: "n", key: "k", valueJSON: Array("null".utf8)))),
        Request(.get(.init(ns: "n", key: "k"))),
        Request(.delete(.init(ns: "n", key: "k", ifVersion: 3, lease: "tok"))),
        Request(.list(ns: nil)), Request(.list(ns: "n")), Request(.rules(ns: "n")),
        Request(.unlock(passphrase: Array("pass \"phrase\"\n".utf8))), Request(.unlock(passphrase: nil)),
        Request(.audit(.init(ns: "n", since: Date(timeIntervalSince1970: 1_795_385_400.25), limit: 5))),
        Request(.watch(.init(ns: "n", expiringWithin: 300))), Request(.watch(.init())),
        Request(.allow(.init(ns: "n", admitted: .program(path: "/usr/bin/app", pin: .none)))),
        Request(.allow(.init(ns: "n", admitted: .program(path: "/usr/bin/app", pin: .sha256(String(repeating: "ab", count: 32)))))),
        Request(.allow(.init(ns: "n", admitted: .program(path: "/usr/bin/app", pin: .hashNow)))),
        Request(.allow(.init(ns: "n", admitted: .sandbox(SandboxSubject(.flatpak, "org.example.App"))))),
        Request(.deny(.init(ns: "n", denied: nil))), Request(.deny(.init(ns: "n", denied: .path("/bin/x")))),
        Request(.deny(.init(ns: "n", denied: .sandbox(SandboxSubject(.snap, "example"))))),
        Request(.lease(.init(ns: "n", key: "k", staleVersion: 4, duration: 30))), Request(.lease(.init(ns: "n", key: "k"))),
        Request(.release(.init(ns: "n", key: "k", lease: "tok"))),
    ]

    @Test("every op: encode, parse, encode again gives the same line", arguments: samples)
    func roundTrip(_ request: Request) throws {
        let line = request.line()
        #expect(line.last == UInt8(ascii: "\n"))
        let parsed = try #require(try? parse(Array(line.dropLast())).get())
        #expect(parsed.op == request.op)
        #expect(parsed.idJSON == request.idJSON)
        #expect(parsed.ns == request.ns && parsed.key == request.key && parsed.leaseToken == request.leaseToken)
        #expect(parsed.line() == line)
    }

    @Test("the members come out as the spec names them")
    func memberNames() {
        let put = Request(id: Array("1".utf8), .put(.init(ns: "app", key: "k", valueJSON: Array("{}".utf8), ttl: 5, ifVersion: 2)))
        #expect(String(decoding: put.line(), as: UTF8.self)
            == #"{"id":1,"op":"put","ns":"app","key":"k","value":{},"ttl":5,"if_version":2}"# + "\n")
        let allow = Request(.allow(.init(ns: "app", admitted: .program(path: "/usr/bin/app", pin: .hashNow))))
        #expect(String(decoding: allow.line(), as: UTF8.self) == #"{"op":"allow","ns":"app","path":"/usr/bin/app","hash":true}"# + "\n")
    }
}

extension Request: CustomTestStringConvertible {
    public var testDescription: String { "\(op.rawValue) \(ns ?? "-")/\(key ?? "-")" }
}
