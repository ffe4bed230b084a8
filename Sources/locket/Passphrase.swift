#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import LocketProtocol

/// The terminal settings to restore if the prompt is interrupted.
nonisolated(unsafe) private var savedTerminal: termios?

/// Reads a passphrase without ever echoing or printing it, into `SecretBytes`
/// (never a `String`: it could not be wiped), which the caller wipes.
enum Passphrase {
    /// Prompts on stderr and reads one line from the terminal on stdin with echo off.
    static func prompt(_ label: String = "Passphrase: ") throws(Failure) -> SecretBytes {
        Output.standardError(label)
        var original = termios()
        let hasTerminal = tcgetattr(0, &original) == 0
        if hasTerminal {
            var quiet = original
            quiet.c_lflag &= ~tcflag_t(ECHO)
            quiet.c_lflag |= tcflag_t(ECHONL)
            savedTerminal = original
            // Ctrl-C at the prompt must not leave the terminal silent.
            signal(SIGINT) { signalNumber in
                // Only async-signal-safe calls here.
                if var saved = savedTerminal { tcsetattr(0, TCSAFLUSH, &saved) }
                var newline: UInt8 = 0x0a
                _ = write(2, &newline, 1)
                signal(signalNumber, SIG_DFL)
                raise(signalNumber)
            }
            tcsetattr(0, TCSAFLUSH, &quiet)
        }
        defer {
            if hasTerminal {
                tcsetattr(0, TCSAFLUSH, &original)
                signal(SIGINT, SIG_DFL)
                savedTerminal = nil
            }
        }
        let line = SecretBytes()
        var sawNewline = false
        var byte: UInt8 = 0
        while true {
            let n = read(0, &byte, 1)
            if n < 0, errno == EINTR { continue }
            if n <= 0 { break }
            if byte == 0x0a { sawNewline = true; break }
            line.append(byte)
        }
        byte = 0
        if !sawNewline && hasTerminal { Output.standardError("\n") }
        return try checked(line, from: "the prompt")
    }

    /// The first line of stdin (not a terminal), read byte by byte into a
    /// buffer of its own: the rest of stdin is left unread.
    static func firstLineOfStandardInput() throws(Failure) -> SecretBytes {
        try checked(try readLine(fd: 0, from: "stdin"), from: "stdin")
    }

    /// The first line of the file at `path`, read the same way.
    static func firstLine(ofFile path: String) throws(Failure) -> SecretBytes {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .usage("cannot read \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        return try checked(try readLine(fd: fd, from: path), from: path)
    }

    /// Bytes up to the first `\n` (not included) or the end of `fd`.
    private static func readLine(fd: Int32, from source: String) throws(Failure) -> SecretBytes {
        let line = SecretBytes()
        var byte: UInt8 = 0
        defer { byte = 0 }
        while true {
            let n = read(fd, &byte, 1)
            if n < 0 {
                if errno == EINTR { continue }
                line.wipe()
                throw .usage("cannot read \(source): \(String(cString: strerror(errno)))")
            }
            if n == 0 || byte == 0x0a { return line }
            line.append(byte)
        }
    }

    /// `line` without a final `\r`; a usage error (and wiped) when empty or not UTF-8.
    static func checked(_ line: SecretBytes, from source: String) throws(Failure) -> SecretBytes {
        if line.withUnsafeBytes({ $0.last }) == 0x0d { line.removeLast(1) }
        guard !line.isEmpty else { throw .usage("no passphrase: \(source) gave an empty one") }
        guard line.isValidUTF8 else {
            line.wipe()
            throw .usage("the passphrase from \(source) is not valid UTF-8")
        }
        return line
    }

    /// Whether two passphrases are the same bytes.
    static func same(_ a: SecretBytes, _ b: SecretBytes) -> Bool {
        a.withUnsafeBytes { x in b.withUnsafeBytes { y in x.count == y.count && memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0 } }
    }

    /// A backup's passphrase: the first line of `file` when given; else, on a
    /// terminal, a prompt (asked twice when `confirm`); else the first line of stdin.
    static func forBackup(file: String?, confirm: Bool) throws(Failure) -> SecretBytes {
        if let file { return try firstLine(ofFile: file) }
        guard isatty(0) == 1 else { return try firstLineOfStandardInput() }
        let first = try prompt("Backup passphrase: ")
        if confirm {
            let again = try prompt("Same passphrase again: ")
            defer { again.wipe() }
            guard same(first, again) else {
                first.wipe()
                throw .usage("the two passphrases differ; nothing was written")
            }
        }
        return first
    }
}
