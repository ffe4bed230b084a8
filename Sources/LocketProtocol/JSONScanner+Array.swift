/// Reading arrays: the elements of an `items`, `programs` or `damage` member
/// in an answer, with the same validation and depth limit as objects.
extension JSONScanner {
    /// An element of a scanned array: its JSON type and the byte range of its text.
    public struct Element: Sendable {
        public let kind: Kind
        public let range: Range<Int>
    }

    /// Scans `bytes` as one JSON array (surrounding whitespace allowed) and
    /// returns its elements in order; `bad_request` for anything else.
    public static func elements(of bytes: UnsafeRawBufferPointer, maxDepth: Int) throws(ProtocolError) -> [Element] {
        var scanner = JSONScanner(bytes, maxDepth: maxDepth)
        scanner.skipWhitespace()
        guard scanner.peek == UInt8(ascii: "[") else { throw scanner.error("expected an array") }
        scanner.index += 1
        var elements: [Element] = []
        scanner.skipWhitespace()
        if scanner.peek == UInt8(ascii: "]") {
            scanner.index += 1
        } else {
            while true {
                scanner.skipWhitespace()
                guard scanner.index < bytes.count else { throw scanner.error("expected a value") }
                let kind = try scanner.kindAt(scanner.index)
                let start = scanner.index
                scanner.index = try scanner.skipValue(depth: 1)
                elements.append(Element(kind: kind, range: start..<scanner.index))
                scanner.skipWhitespace()
                if scanner.peek == UInt8(ascii: ",") { scanner.index += 1; continue }
                if scanner.peek == UInt8(ascii: "]") { scanner.index += 1; break }
                throw scanner.error("expected ',' or ']' in an array")
            }
        }
        scanner.skipWhitespace()
        guard scanner.index == bytes.count else { throw scanner.error("unexpected text after the array") }
        return elements
    }
}
