/// `/proc/PID/cgroup` and the cgroup path in it, read as the kernel writes
/// them: bytes, split at ASCII `\n`, `:` and `/`.
///
/// This runs for every accepted connection. Splitting the same text as a
/// `String` (by `Character`, with grapheme breaking) cost about 10 µs for the
/// 10-line file of a cgroup v1 host, a twentieth of the daemon's CPU per
/// connection (BENCHMARKS.md, "Per-connection cost").
enum CgroupPath {
    private static let newline = UInt8(ascii: "\n")
    private static let colon = UInt8(ascii: ":")
    private static let slash = UInt8(ascii: "/")

    /// The cgroup path from the file's bytes: the v2 line (`0::/path`), else the
    /// systemd v1 line (`N:name=systemd:/path`), the last of each kind winning.
    /// nil when neither names more than `/`.
    static func parse(_ file: UnsafeBufferPointer<UInt8>) -> String? {
        var v2: Range<Int>?
        var v1: Range<Int>?
        var start = 0
        while start < file.count {
            let end = file[start...].firstIndex(of: newline) ?? file.count
            // `id:controllers:path`; the path may hold more colons.
            if let first = file[start..<end].firstIndex(of: colon),
               let second = file[(first + 1)..<end].firstIndex(of: colon) {
                let id = file[start..<first]
                let controllers = file[(first + 1)..<second]
                let path = (second + 1)..<end
                if controllers.isEmpty, id.elementsEqual("0".utf8) { v2 = path }
                if controllers.elementsEqual("name=systemd".utf8) { v1 = path }
            }
            start = end + 1
        }
        // A hybrid hierarchy has both, with systemd's path only in the v1 line.
        for path in [v2, v1] {
            guard let path, !path.isEmpty, !(path.count == 1 && file[path.lowerBound] == slash) else { continue }
            return String(decoding: UnsafeBufferPointer(rebasing: file[path]), as: UTF8.self)
        }
        return nil
    }

    /// The last component of `cgroup` that names a unit (`….service` or `….scope`).
    static func unit(_ cgroup: String) -> String? {
        let component = cgroup.utf8.split(separator: slash).last { component in
            hasSuffix(component, ".service") || hasSuffix(component, ".scope")
        }
        return component.map { String(Substring($0)) }
    }

    /// The components of `cgroup` that start with `snap.`, last first.
    static func snapComponents(_ cgroup: String) -> [String] {
        cgroup.utf8.split(separator: slash).reversed()
            .filter { $0.starts(with: "snap.".utf8) }
            .map { String(Substring($0)) }
    }

    private static func hasSuffix(_ component: Substring.UTF8View, _ suffix: StaticString) -> Bool {
        let count = suffix.utf8CodeUnitCount
        guard component.count >= count else { return false }
        return component.suffix(count).elementsEqual(UnsafeBufferPointer(start: suffix.utf8Start, count: count))
    }
}
