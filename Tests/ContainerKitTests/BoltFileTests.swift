import Foundation
import Testing
@testable import ContainerKit

/// The bbolt reader behind plain containerd's image names (`meta.db`), on files
/// built here page by page: nested inline buckets as containerd writes small
/// ones, and the malformed files a torn write or a hostile tree would give.
/// (The live test `aPlainCtrContainerIsAttributedToTheImageInContainerdsMetadata`
/// reads a real containerd's file.)
struct BoltFileTests {
    static let pageSize = 4096

    static func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }

    /// A leaf page (header + elements + keys and values) holding `entries` in key order.
    static func leaf(id: UInt64, _ entries: [(key: String, value: [UInt8], bucket: Bool)]) -> [UInt8] {
        var header = le(id) + le(UInt16(0x02)) + le(UInt16(entries.count)) + le(UInt32(0))
        var data: [UInt8] = []
        let elementsEnd = 16 + 16 * entries.count
        for (i, e) in entries.enumerated() {
            let elementStart = 16 + 16 * i
            let pos = elementsEnd + data.count - elementStart
            header += le(UInt32(e.bucket ? 1 : 0)) + le(UInt32(pos)) + le(UInt32(e.key.utf8.count)) + le(UInt32(e.value.count))
            data += Array(e.key.utf8) + e.value
        }
        return header + data
    }

    /// An inline bucket value: root 0, sequence 0, then its page.
    static func inline(_ page: [UInt8]) -> [UInt8] { le(UInt64(0)) + le(UInt64(0)) + page }

    static func meta(id: UInt64, root: UInt64, txid: UInt64) -> [UInt8] {
        let page = le(id) + le(UInt16(0x04)) + le(UInt16(0)) + le(UInt32(0))
        let body = le(UInt32(0xED0C_DAED)) + le(UInt32(2)) + le(UInt32(pageSize)) + le(UInt32(0)) + le(root) + le(UInt64(0))
            + le(UInt64(0)) + le(UInt64(4)) + le(txid) + le(UInt64(0))
        return page + body
    }

    static func padded(_ page: [UInt8]) -> [UInt8] { page + [UInt8](repeating: 0, count: pageSize - page.count) }

    /// meta, meta, and a root leaf at page `rootPage` naming `v1/default/containers/app/image`.
    static func file(rootPage: UInt64 = 2, rootContent: [UInt8]? = nil) -> [UInt8] {
        let container = leaf(id: 0, [("image", Array("localhost/app:1".utf8), false), ("snapshotKey", Array("app".utf8), false)])
        let containers = leaf(id: 0, [("app", inline(container), true)])
        let namespace = leaf(id: 0, [("containers", inline(containers), true), ("images", inline(leaf(id: 0, [])), true)])
        let v1 = leaf(id: 0, [("default", inline(namespace), true)])
        let root = rootContent ?? leaf(id: rootPage, [("v1", inline(v1), true)])
        return padded(meta(id: 0, root: rootPage, txid: 7)) + padded(meta(id: 1, root: 99, txid: 6)) + padded(root)
    }

    @Test func theImageOfAContainerIsFoundThroughNestedBuckets() throws {
        let bolt = try #require(BoltFile(bytes: Self.file()))
        #expect(bolt.value(at: ["v1", "default", "containers", "app", "image"]).map { String(decoding: $0, as: UTF8.self) } == "localhost/app:1")
        #expect(bolt.value(at: ["v1", "default", "containers", "other", "image"]) == nil)
        #expect(bolt.value(at: ["v1", "k8s.io", "containers", "app", "image"]) == nil)
        #expect(bolt.value(at: ["v1", "default", "containers", "app"]) == nil, "a bucket is no value")
    }

    @Test func theNewerMetaPageNamesTheRoot() throws {
        // The second meta (txid 6, root 99 beyond the file) is older: ignored.
        let bolt = try #require(BoltFile(bytes: Self.file()))
        #expect(bolt.value(at: ["v1", "default", "containers", "app", "image"]) != nil)
    }

    @Test func aFileWithoutBoltMetaPagesIsRefused() {
        #expect(BoltFile(bytes: []) == nil)
        #expect(BoltFile(bytes: [UInt8](repeating: 0xAB, count: 3 * Self.pageSize)) == nil)
    }

    @Test func aTruncatedFileYieldsNoValue() throws {
        let bolt = try #require(BoltFile(bytes: Array(Self.file().prefix(2 * Self.pageSize))))
        #expect(bolt.value(at: ["v1", "default", "containers", "app", "image"]) == nil)
    }

    @Test func aBranchPageThatPointsAtItselfEndsTheWalk() throws {
        // A branch at page 2 whose one child is page 2 again.
        let branch = Self.le(UInt64(2)) + Self.le(UInt16(0x01)) + Self.le(UInt16(1)) + Self.le(UInt32(0))
            + Self.le(UInt32(16)) + Self.le(UInt32(2)) + Self.le(UInt64(2)) + Array("v1".utf8)
        let bolt = try #require(BoltFile(bytes: Self.file(rootContent: branch)))
        #expect(bolt.value(at: ["v1", "default", "containers", "app", "image"]) == nil)
    }

    @Test func elementOffsetsBeyondThePageAreRefused() throws {
        // A leaf whose one element claims a key far past the end of the file.
        let leaf = Self.le(UInt64(2)) + Self.le(UInt16(0x02)) + Self.le(UInt16(1)) + Self.le(UInt32(0))
            + Self.le(UInt32(0)) + Self.le(UInt32(0x7FFF_FFF0)) + Self.le(UInt32(2)) + Self.le(UInt32(0xFFFF_FFFF))
        let bolt = try #require(BoltFile(bytes: Self.file(rootContent: leaf)))
        #expect(bolt.value(at: ["v1"]) == nil)
    }
}
