import NIOCore

extension Dispatcher: RequestServing {
    func serve(_ line: ParsedLine, caller: CallerIdentity, channel: Channel) -> Served {
        if let bytes = answerInline(line, caller: caller) { return .now(bytes) }
        return .later(dispatch(line, caller: caller, on: channel.eventLoop, channel: channel))
    }

    var isShuttingDown: Bool { shuttingDown.load(ordering: .relaxed) }

    func startWatch(on channel: Channel) -> Bool { watchHub.start(channel) }
}
