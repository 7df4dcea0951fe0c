import Testing
@testable import SinkKit
