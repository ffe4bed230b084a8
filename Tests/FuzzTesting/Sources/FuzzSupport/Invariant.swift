/// A broken invariant: stops the fuzzer naming it (libFuzzer then saves the
/// input as a crash artifact). Messages carry no input content: positions,
/// ops and error codes only.
package enum Invariant {
    package static func fail(_ what: String) -> Never {
        fatalError("locket-fuzz invariant failed: \(what)")
    }
}
