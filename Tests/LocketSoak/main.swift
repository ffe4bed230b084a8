// locket-soak: crash durability soak of locketd (issue 7). See SoakOptions.usage.
import Foundation

signal(SIGPIPE, SIG_IGN)
let parsed = Result { () throws(SoakOptions.ParseError) in try SoakOptions.parse(Array(CommandLine.arguments.dropFirst())) }
switch parsed {
case .failure(let error):
    FileHandle.standardError.write(Data("locket-soak: \(error)\n\(SoakOptions.usage)\n".utf8))
    exit(2)
case .success(nil):
    print(SoakOptions.usage)
    exit(0)
case .success(let options?):
    if let locketd = options.locketd, !FileManager.default.isExecutableFile(atPath: locketd) {
        FileHandle.standardError.write(Data("locket-soak: --locketd \(locketd) is not an executable file\n".utf8))
        exit(2)
    }
    let summary = SoakRun(options: options).run()
    print(summary.text)
    exit(summary.passed ? 0 : 1)
}
