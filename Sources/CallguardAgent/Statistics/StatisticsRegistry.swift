import CoreMetrics
import Synchronization

/// The one registry every statistic of the agent is published to: a small
/// in-process swift-metrics ``CoreMetrics/MetricsFactory``. Counters add,
/// meters, recorders and timers keep their last value. The stats JSON line
/// and the Prometheus endpoint both read it (through ``StatisticsBoard``).
/// Names follow the Prometheus scheme (`callguard_records_total`,
/// `callguard_lost_total{source="kernel"}`), listed once in ``StatisticName``.
public final class StatisticsRegistry: MetricsFactory, Sendable {
    private struct Key: Hashable {
        var label: String
        var dimensions: [String]
    }

    /// One metric's value: an integer (counters) or a double's bits (the rest).
    final class Cell: Sendable {
        let bits = Atomic<UInt64>(0)
        let isInteger: Bool
        init(isInteger: Bool) { self.isInteger = isInteger }

        var value: Double {
            let raw = bits.load(ordering: .relaxed)
            return isInteger ? Double(Int64(bitPattern: raw)) : Double(bitPattern: raw)
        }

        func add(_ amount: Int64) { bits.wrappingAdd(UInt64(bitPattern: amount), ordering: .relaxed) }
        func set(_ value: Double) {
            bits.store(isInteger ? UInt64(bitPattern: Int64(value)) : value.bitPattern, ordering: .relaxed)
        }
    }

    private let cells = Mutex<[Key: Cell]>([:])
    private let order = Mutex<[String: [[(String, String)]]]>([:])

    public init() {}

    private func cell(_ label: String, _ dimensions: [(String, String)], integer: Bool) -> Cell {
        let key = Key(label: label, dimensions: dimensions.flatMap { [$0.0, $0.1] })
        return cells.withLock { cells in
            if let cell = cells[key] { return cell }
            let cell = Cell(isInteger: integer)
            cells[key] = cell
            order.withLock { $0[label, default: []].append(dimensions) }
            return cell
        }
    }

    /// The value of `label` with exactly `dimensions`, if it was ever made.
    public func value(_ label: String, _ dimensions: [(String, String)] = []) -> Double? {
        let key = Key(label: label, dimensions: dimensions.flatMap { [$0.0, $0.1] })
        return cells.withLock { $0[key] }?.value
    }

    /// Every sample of `label`, in the order its dimensions were first made.
    public func samples(_ label: String) -> [(dimensions: [(String, String)], value: Double)] {
        let made = order.withLock { $0[label] ?? [] }
        return made.compactMap { dimensions in value(label, dimensions).map { (dimensions, $0) } }
    }

    // MARK: MetricsFactory

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        CounterCell(cell: cell(label, dimensions, integer: true))
    }

    public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        MeterCell(cell: cell(label, dimensions, integer: false))
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        RecorderCell(cell: cell(label, dimensions, integer: false))
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        TimerCell(cell: cell(label, dimensions, integer: true))
    }

    public func destroyCounter(_ handler: any CounterHandler) {}
    public func destroyMeter(_ handler: any MeterHandler) {}
    public func destroyRecorder(_ handler: any RecorderHandler) {}
    public func destroyTimer(_ handler: any TimerHandler) {}
}

private final class CounterCell: CounterHandler, Sendable {
    init(cell: StatisticsRegistry.Cell) { self.cell = cell }
    let cell: StatisticsRegistry.Cell
    func increment(by amount: Int64) { cell.add(amount) }
    func reset() { cell.set(0) }
}

private final class MeterCell: MeterHandler, Sendable {
    init(cell: StatisticsRegistry.Cell) { self.cell = cell }
    let cell: StatisticsRegistry.Cell
    func set(_ value: Int64) { cell.set(Double(value)) }
    func set(_ value: Double) { cell.set(value) }
    func increment(by amount: Double) { cell.set(cell.value + amount) }
    func decrement(by amount: Double) { cell.set(cell.value - amount) }
}

private final class RecorderCell: RecorderHandler, Sendable {
    init(cell: StatisticsRegistry.Cell) { self.cell = cell }
    let cell: StatisticsRegistry.Cell
    func record(_ value: Int64) { cell.set(Double(value)) }
    func record(_ value: Double) { cell.set(value) }
}

private final class TimerCell: TimerHandler, Sendable {
    init(cell: StatisticsRegistry.Cell) { self.cell = cell }
    let cell: StatisticsRegistry.Cell
    func recordNanoseconds(_ duration: Int64) { cell.set(Double(duration)) }
}
