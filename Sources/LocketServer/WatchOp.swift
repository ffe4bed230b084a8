import LocketProtocol
import NIOCore

extension Dispatcher {
    /// `watch`: registers the connection with the hub and answers `watching`.
    /// The connection handler starts the event stream once this answer is written.
    func watch(_ request: Request, channel: Channel?, on loop: EventLoop) -> EventLoopFuture<[UInt8]> {
        guard let channel else {
            return loop.makeSucceededFuture(Response.failure(id: request.idJSON, ProtocolError(.internal, "watch needs a connection")).bytes)
        }
        if let refused = watchHub.subscribe(ns: request.ns, expiringWithin: request.expiringWithin ?? 0, channel: channel) {
            return loop.makeSucceededFuture(Response.failure(id: request.idJSON, refused).bytes)
        }
        var response = Response.success(id: request.idJSON)
        response.bool("watching", true)
        return loop.makeSucceededFuture(response.finished())
    }
}
