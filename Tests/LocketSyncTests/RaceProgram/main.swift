// Built by RaceDetectionTests with `swiftc -sanitize=thread`, together with
// Sources/LocketSync/Locked.swift: four threads increment one counter, guarded
// or not (the first argument says which), then it prints the total.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

final class Unguarded: @unchecked Sendable { var count = 0 }

let threadCount = 4
let rounds = 10_000
let unsynchronised = CommandLine.arguments.dropFirst().first == "unsynchronised"
let unguarded = Unguarded()
let guarded = Locked(0)

func work() {
    for _ in 0..<rounds {
        if unsynchronised {
            unguarded.count += 1
        } else {
            guarded.withLock { $0 += 1 }
        }
    }
}

var threads: [pthread_t] = []
for _ in 0..<threadCount {
    var thread = pthread_t()
    let created = pthread_create(&thread, nil, { _ in work(); return nil }, nil)
    precondition(created == 0, "pthread_create failed")
    threads.append(thread)
}
for thread in threads { pthread_join(thread, nil) }
print(unsynchronised ? unguarded.count : guarded.withLock { $0 })
