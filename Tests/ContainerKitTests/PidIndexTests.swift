import Testing
@testable import ContainerKit

/// The open-addressing pid index behaves like a dictionary.
struct PidIndexTests {
    @Test func matchesDictionaryUnderRandomInsertsAndRemovals() {
        let index = PidIndex(maxCount: 512)
        var reference: [Int32: Int] = [:]
        var rng = SystemRandomNumberGenerator()
        for step in 0..<50_000 {
            let pid = Int32.random(in: 1...2_000, using: &rng)
            if reference.count < 512, Bool.random(using: &rng) {
                index.set(pid, step)
                reference[pid] = step
            } else {
                index.remove(pid)
                reference[pid] = nil
            }
            if step % 97 == 0 {
                for probe in Int32(1)...Int32(2_000) where index.get(probe) != reference[probe] {
                    Issue.record("pid \(probe): index \(String(describing: index.get(probe))), expected \(String(describing: reference[probe]))")
                    return
                }
            }
        }
        #expect(index.count == reference.count)
    }

    @Test func largePidsAndNegativeValuesHashSafely() {
        let index = PidIndex(maxCount: 8)
        index.set(Int32.max, 1)
        index.set(4_194_304, 2)
        index.set(1, 3)
        #expect(index.get(Int32.max) == 1)
        #expect(index.get(4_194_304) == 2)
        #expect(index.get(1) == 3)
        #expect(index.get(2) == nil)
    }
}
