// WireLimits.swift: the hard limits of protocol version 1 (protocol/SPEC.md §12).

/// The hard limits every decoder enforces before it allocates (SPEC §12).
///
/// The limits are fixed by protocol version 1: a peer MUST NOT send anything past them and MUST reject anything
/// past them (SPEC `[W-12.1]`). They bound the memory a hostile peer can make us use per frame.
///
/// ```swift
/// WireLimits.maxFrameLength   // 1 MiB: the largest `length` a frame may declare
/// ```
public enum WireLimits {
    /// The largest frame `length` (type byte plus payload): 1 MiB (SPEC `[W-6.3]`).
    public static let maxFrameLength = 1 << 20
    /// The largest raw (inflated) size of one op batch: 4 MiB (SPEC `[W-8.5.6]`).
    public static let maxBatchRawSize = 4 << 20
    /// The most operations in one OPS batch (SPEC `[W-8.5.4]`).
    public static let maxOpsPerBatch = 10_000
    /// The longest string or byte string, in bytes, unless a field says less (SPEC `[W-4.3.3]`).
    public static let maxStringLength = 65_535
    /// The longest employee (principal) code, in bytes (SPEC `[W-8.4.2]`).
    public static let maxPrincipalLength = 64
    /// The longest ERROR message, in bytes (SPEC `[W-8.12.2]`).
    public static let maxErrorMessageLength = 1_024
    /// The most entries in one batch table (strings, actors, authors, entities, scopes) (SPEC `[W-12.2]`).
    public static let maxTableEntries = 65_536
    /// The most entries in one list inside an op: create fields, `pred`, `observed` (SPEC `[W-12.2]`).
    public static let maxListEntries = 1_024
    /// The most customers in one PURGE (SPEC `[W-12.2]`).
    public static let maxPurgeEntries = 65_536
}
