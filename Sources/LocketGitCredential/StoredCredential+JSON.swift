import LocketProtocol

extension StoredCredential {
    /// Why a stored value is not a credential.
    public enum DecodeError: Error, Equatable {
        /// Not one JSON object (the scanner's message says where).
        case notAnObject(String)
        /// A known member has the wrong type (a number where a string belongs, say).
        case wrongType(member: String)
    }

    /// The deepest nesting read (as `JSONDecoder`'s limit): deeper values of unknown members are refused.
    static let maximumDepth = 512

    /// Decodes the entry's value as `JSONDecoder` decoded the `Codable` form, without
    /// `JSONDecoder` (whose first use is a measurable share of the helper's start-up).
    ///
    /// Unknown members are ignored; a known one that is `null` reads as absent; one of
    /// the wrong type fails the whole value, as it did. `password_expiry_utc` is an
    /// integer, or a number with a fraction or exponent that is a whole Int64.
    /// Of a member given twice, the first counts and the later one is not read (as `JSONDecoder`).
    public init(json: [UInt8]) throws(DecodeError) {
        self.init(CredentialAttributes())
        let scanned = json.withUnsafeBytes { bytes in
            Result { () throws(ProtocolError) in try JSONScanner.members(of: bytes, maxDepth: Self.maximumDepth) }
        }
        let members: [JSONScanner.Member]
        switch scanned {
        case .success(let found): members = found
        case .failure(let error): throw .notAnObject(error.message)
        }
        // The fields met so far (no `Set<String>`: hashing a String makes a short-lived
        // helper look up its conformance to Hashable, a scan of every conformance it links).
        var seen: [CodingKeys] = []
        for member in members {
            guard let field = CodingKeys(rawValue: member.name), !seen.contains(field) else { continue }
            seen.append(field)
            if member.kind == .null {
                set(field, nil, number: nil)
                continue
            }
            if field == .passwordExpiryUTC {
                guard member.kind == .number, let number = Self.wholeNumber(json[member.range]) else {
                    throw .wrongType(member: member.name)
                }
                set(field, nil, number: number)
                continue
            }
            guard member.kind == .string else { throw .wrongType(member: member.name) }
            let text = json.withUnsafeBytes { try? JSONScanner.decodeString($0, member.range) }
            guard let text else { throw .wrongType(member: member.name) }
            set(field, text, number: nil)
        }
    }

    /// The value as stored: one JSON object of the attributes present, members in
    /// key order (as `JSONEncoder` with `.sortedKeys` wrote them before), written
    /// without `JSONEncoder`.
    public var json: [UInt8] {
        var writer = JSONWriter(capacity: 160)
        writer.object { object in
            if let authtype { object.string(CodingKeys.authtype.rawValue, authtype) }
            if let credential { object.string(CodingKeys.credential.rawValue, credential) }
            if let host { object.string(CodingKeys.host.rawValue, host) }
            if let oauthRefreshToken { object.string(CodingKeys.oauthRefreshToken.rawValue, oauthRefreshToken) }
            if let password { object.string(CodingKeys.password.rawValue, password) }
            if let passwordExpiryUTC { object.int(CodingKeys.passwordExpiryUTC.rawValue, Int(passwordExpiryUTC)) }
            if let path { object.string(CodingKeys.path.rawValue, path) }
            if let `protocol` { object.string(CodingKeys.protocol.rawValue, `protocol`) }
            if let username { object.string(CodingKeys.username.rawValue, username) }
        }
        return writer.bytes
    }

    private mutating func set(_ field: CodingKeys, _ text: String?, number: Int64?) {
        switch field {
        case .protocol: self.protocol = text
        case .host: host = text
        case .path: path = text
        case .username: username = text
        case .password: password = text
        case .authtype: authtype = text
        case .credential: credential = text
        case .oauthRefreshToken: oauthRefreshToken = text
        case .passwordExpiryUTC: passwordExpiryUTC = number
        }
    }

    /// A JSON number token as an Int64: integer text, or a fraction/exponent form of a whole number in range.
    static func wholeNumber(_ token: ArraySlice<UInt8>) -> Int64? {
        let text = String(decoding: token, as: UTF8.self)
        if let value = Int64(text) { return value }
        guard token.contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }),
              let double = Double(text), double.rounded(.towardZero) == double,
              double >= -9_223_372_036_854_775_808.0, double < 9_223_372_036_854_775_808.0 else { return nil }
        return Int64(double)
    }
}
