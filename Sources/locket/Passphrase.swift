import Foundation

/// The terminal settings to restore if the prompt is interrupted.
nonisolated(unsafe) private var savedTerminal: termios?

/// Reads a passphrase without ever echoing or printing it.
enum Passphrase {
    /// Prompts on stderr and reads one line from the terminal on stdin with echo off.
    static func prompt(_ label: String = "Passphrase: ") throws(Failure) -> String {
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
        var line: [UInt8] = []
        var sawNewline = false
        var byte: UInt8 = 0
        while true {
            let n = read(0, &byte, 1)
            if n < 0, errno == EINTR { continue }
            if n <= 0 { break }
            if byte == 0x0a { sawNewline = true; break }
            line.append(byte)
        }
        if !sawNewline && hasTerminal { Output.standardError("\n") }
        return try firstLine(of: line, from: "the prompt")
    }

    /// All of stdin (not a terminal).
    static func readStandardInput() -> [UInt8] {
        Array(FileHandle.standardInput.readDataToEndOfFile())
    }

    /// The first line of `bytes`, without its `\n` or `\r\n`; a usage error when empty.
    static func firstLine(of bytes: [UInt8], from source: String) throws(Failure) -> String {
        var line = bytes.prefix { $0 != 0x0a }
        if line.last == 0x0d { line = line.dropLast() }
        guard !line.isEmpty else { throw .usage("no passphrase: \(source) gave an empty one") }
        guard let text = String(validating: line, as: UTF8.self) else {
            throw .usage("the passphrase from \(source) is not valid UTF-8")
        }
        return text
    }

    /// A backup's passphrase: the first line of `file` when given; else, on a
    /// terminal, a prompt (asked twice when `confirm`); else the first line of stdin.
    static func forBackup(file: String?, confirm: Bool) throws(Failure) -> [UInt8] {
        if let file { return Array(try firstLine(of: ValueInput.readFile(file), from: file).utf8) }
        guard isatty(0) == 1 else { return Array(try firstLine(of: readStandardInput(), from: "stdin").utf8) }
        let first = try prompt("Backup passphrase: ")
        if confirm, try prompt("Same passphrase again: ") != first {
            throw .usage("the two passphrases differ; nothing was written")
        }
        return Array(first.utf8)
    }
}
