import CAudit

/// A netlink message header read from raw bytes (`struct nlmsghdr`), without
/// alignment assumptions.
struct NetlinkHeader {
    static let size = 16

    var length: UInt32
    var type: UInt16
    var flags: UInt16
    var sequence: UInt32
    var portID: UInt32

    /// The header at the start of `bytes`, or nil when fewer than 16 bytes remain.
    init?(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count >= NetlinkHeader.size else { return nil }
        length = bytes.loadUnaligned(fromByteOffset: 0, as: UInt32.self)
        type = bytes.loadUnaligned(fromByteOffset: 4, as: UInt16.self)
        flags = bytes.loadUnaligned(fromByteOffset: 6, as: UInt16.self)
        sequence = bytes.loadUnaligned(fromByteOffset: 8, as: UInt32.self)
        portID = bytes.loadUnaligned(fromByteOffset: 12, as: UInt32.self)
    }

    /// Writes a request header into `bytes` (at least 16 bytes).
    static func write(
        into bytes: UnsafeMutableRawBufferPointer, length: UInt32, type: UInt16, flags: UInt16, sequence: UInt32
    ) {
        bytes.storeBytes(of: length, toByteOffset: 0, as: UInt32.self)
        bytes.storeBytes(of: type, toByteOffset: 4, as: UInt16.self)
        bytes.storeBytes(of: flags, toByteOffset: 6, as: UInt16.self)
        bytes.storeBytes(of: sequence, toByteOffset: 8, as: UInt32.self)
        bytes.storeBytes(of: UInt32(0), toByteOffset: 12, as: UInt32.self)
    }
}

/// Netlink and audit constants as Swift values (the C macros are not all importable).
enum NL {
    static let request = UInt16(NLM_F_REQUEST)
    static let ack = UInt16(NLM_F_ACK)
    static let error = UInt16(NLMSG_ERROR)
    static let done = UInt16(NLMSG_DONE)
    static let noop = UInt16(NLMSG_NOOP)
    static let overrun = UInt16(NLMSG_OVERRUN)
    /// Types below this are netlink control messages, not audit records.
    static let minType = UInt16(NLMSG_MIN_TYPE)

    static func align(_ n: Int) -> Int { (n + 3) & ~3 }
}
