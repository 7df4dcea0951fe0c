/// A file as the kernel identifies it: device and inode. Compared instead of
/// names, which a process controls (a copy of a binary named `runc`, a memfd
/// named like runc's clone, are other files).
public struct FileIdentity: Sendable, Hashable, CustomStringConvertible {
    /// `st_dev`.
    public var device: UInt64
    /// `st_ino`.
    public var inode: UInt64

    public init(device: UInt64, inode: UInt64) {
        self.device = device
        self.inode = inode
    }

    public var description: String { "\(device):\(inode)" }
}
