import Foundation

/// A private temporary folder (0700) removed when the value is released.
public final class TemporaryFolder: @unchecked Sendable {
    public let path: String

    public init(_ prefix: String = "locket-test") {
        var template = Array("\(NSTemporaryDirectory())/\(prefix)-XXXXXX".utf8CString)
        let result = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(result != nil, "mkdtemp failed")
        path = String(cString: result!)
    }

    /// A path inside the folder (not created).
    public func appending(_ name: String) -> String { "\(path)/\(name)" }

    deinit {
        // Make everything removable again (tests chmod and chown things), then remove.
        _ = try? Subprocess.run("/bin/chmod", ["-R", "u+rwx", path])
        try? FileManager.default.removeItem(atPath: path)
    }
}
