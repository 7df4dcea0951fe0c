import Synchronization

// Counts heap allocations of this process by interposing malloc, calloc and
// realloc (the executable's definitions win over libc's for every library,
// libswiftCore included) and forwarding to glibc's implementations.

@_silgen_name("__libc_malloc") func libcMalloc(_ size: Int) -> UnsafeMutableRawPointer?
@_silgen_name("__libc_calloc") func libcCalloc(_ n: Int, _ size: Int) -> UnsafeMutableRawPointer?
@_silgen_name("__libc_realloc") func libcRealloc(_ p: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer?

let allocationCount = Atomic<Int>(0)

@_cdecl("malloc") public func countingMalloc(_ size: Int) -> UnsafeMutableRawPointer? {
    allocationCount.add(1, ordering: .relaxed)
    return libcMalloc(size)
}

@_cdecl("calloc") public func countingCalloc(_ n: Int, _ size: Int) -> UnsafeMutableRawPointer? {
    allocationCount.add(1, ordering: .relaxed)
    return libcCalloc(n, size)
}

@_cdecl("realloc") public func countingRealloc(_ p: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer? {
    allocationCount.add(1, ordering: .relaxed)
    return libcRealloc(p, size)
}
