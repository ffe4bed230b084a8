/// What a writer learns from an audit file without any key: where its last
/// segment ends (id, records, chain value), the link of its first linked
/// segment, and how many records it holds. The writer continues the chain from
/// it after a restart.
struct AuditScan {
    var lastSegment: [UInt8]?
    /// Every segment id, in order.
    var segments: [[UInt8]] = []
    var lastCount: UInt64 = 0
    var lastChain: [UInt8] = []
    var firstLink: AuditLink?
    var records: UInt64 = 0

    init(_ bytes: [UInt8]) {
        for frame in AuditFormat.frames(bytes).frames {
            let whole = frame.bytes(in: bytes)
            if frame.type == AuditFormat.headerType {
                let body = Array(frame.body)
                lastSegment = body.count > AuditFormat.segmentIDBytes ? Array(body[1...AuditFormat.segmentIDBytes]) : nil
                if let lastSegment { segments.append(lastSegment) }
                lastCount = 0
                lastChain = AuditChain.start(whole)
                if firstLink == nil, let (link, _) = AuditFormat.link(ofHeader: body) { firstLink = link }
            } else {
                records += 1
                lastCount += 1
                lastChain = AuditChain.fold(lastChain, whole)
            }
        }
    }
}
