import Testing

@testable import SinkKit

@Suite struct BackoffTests {
    @Test func delaysGrowWithJitterUpToTheCapAndResetAfterSuccess() {
        var b = Backoff(initialMS: 100, maxMS: 1000)
        let first = b.next()
        #expect((50...100).contains(first))
        #expect((100...200).contains(b.next()))
        for _ in 0..<10 { _ = b.next() }
        #expect((500...1000).contains(b.next()))
        b.reset()
        #expect((50...100).contains(b.next()))
    }
}
