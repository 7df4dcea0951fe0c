import AuditKit

extension PipelineStatistics {
    /// Takes the assembler's counters (records, events, evictions, timeouts,
    /// dropped records, serial gaps, missing serials and jumps): the one
    /// mapping `run` (after every batch) and `replay` (at the end) share.
    public mutating func take(_ assembly: AssemblyStatistics) {
        records = assembly.records
        events = assembly.events
        evicted = assembly.evicted
        timedOut = assembly.timedOut
        droppedRecords = assembly.droppedRecords
        serialGaps = assembly.serialGaps
        serialsMissing = assembly.serialsMissing
        serialJumps = assembly.serialJumps
    }
}
