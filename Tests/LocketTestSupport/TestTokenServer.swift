import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A client of the test token server (Tests/LeaseFixtures/token_server.py)
/// over plain HTTP/1.0 on 127.0.0.1: one connection per call, libc only.
public struct TestTokenServer: Sendable {
    public let port: UInt16

    public init(port: UInt16) {
        self.port = port
    }

    /// The tokens of a successful grant (the session apps store).
    public struct Tokens: Codable, Sendable, Equatable {
        public var access_token: String
        public var refresh_token: String
    }

    public enum Failure: Error {
        case refused(Int, String)
        case io(String)
    }

    /// A password grant: a new token family.
    public func login() throws -> Tokens {
        try grant("grant_type=password&username=alice")
    }

    /// A refresh_token grant (rotates the refresh token).
    public func refresh(_ refreshToken: String) throws -> Tokens {
        try grant("grant_type=refresh_token&refresh_token=\(refreshToken)")
    }

    /// 200 or 401 (or another status) for a resource call with `accessToken`.
    public func resource(_ accessToken: String) throws -> Int {
        try call("GET /resource HTTP/1.0\r\nAuthorization: Bearer \(accessToken)\r\n\r\n").status
    }

    /// The server's counters.
    public func stats() throws -> [String: Int] {
        let answer = try call("GET /stats HTTP/1.0\r\n\r\n")
        return (try? JSONDecoder().decode([String: Int].self, from: Data(answer.body))) ?? [:]
    }

    private func grant(_ form: String) throws -> Tokens {
        let answer = try call("POST /token HTTP/1.0\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: \(form.utf8.count)\r\n\r\n\(form)")
        guard answer.status == 200 else { throw Failure.refused(answer.status, String(decoding: answer.body, as: UTF8.self)) }
        return try JSONDecoder().decode(Tokens.self, from: Data(answer.body))
    }

    private func call(_ request: String) throws -> (status: Int, body: [UInt8]) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure.io("socket") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw Failure.io("connect: \(String(cString: strerror(errno)))") }
        let bytes = Array(request.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw Failure.io("send") }
            sent += n
        }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { break }
            response.append(contentsOf: buffer[0..<n])
        }
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let headEnd = response.indices.first(where: { response[$0...].starts(with: separator) }) else { throw Failure.io("no HTTP head") }
        let statusLine = String(decoding: response[..<headEnd], as: UTF8.self).split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw Failure.io("bad status line") }
        return (status, Array(response[(headEnd + 4)...]))
    }
}
