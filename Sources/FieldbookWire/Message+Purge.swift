// Message+Purge.swift: PURGE, customers that left the device's scope (protocol/SPEC.md §8.10).
import FieldbookModel
import NIOCore

extension Message {
    /// PURGE (`0x21`, server → device): these customers left your scope; delete every trace of them (SPEC §8.10).
    ///
    /// ```
    /// ┌───────────────┬─────────────────────────────────────────────────────┐
    /// │ count uvarint │ count × ( customer 16B │ reason u8 │ owner string ) │   [W-8.10.1]
    /// └───────────────┴─────────────────────────────────────────────────────┘
    /// ```
    ///
    /// ```swift
    /// let purge = Message.Purge(entries: [.init(customer: id, reason: .reassigned, newOwner: "M002")])
    /// ```
    public struct Purge: Hashable, Sendable {
        /// One customer that left the scope.
        public struct Entry: Hashable, Sendable {
            /// The customer.
            public var customer: EntityID
            /// Why it left.
            public var reason: PurgeReason
            /// The employee code of the new owner, when the customer was reassigned and the device may say so.
            public var newOwner: String?

            /// Makes an entry.
            ///
            /// - Parameters:
            ///   - customer: The customer.
            ///   - reason: Why it left.
            ///   - newOwner: The new owner's code, or `nil`.
            public init(customer: EntityID, reason: PurgeReason, newOwner: String? = nil) {
                self.customer = customer
                self.reason = reason
                self.newOwner = newOwner
            }
        }

        /// The customers, in the order the device should apply them.
        public var entries: [Entry]

        /// Makes a PURGE.
        ///
        /// - Parameter entries: The customers that left.
        public init(entries: [Entry]) {
            self.entries = entries
        }
    }
}

extension Message.Purge: PayloadCodable {
    static var messageType: MessageType { .purge }

    func encodePayload(into buffer: inout ByteBuffer) throws(WireError) {
        guard self.entries.count <= WireLimits.maxPurgeEntries else {
            throw WireError(.listTooLong, "PURGE has more than \(WireLimits.maxPurgeEntries) entries")
        }
        buffer.writeUVarint(UInt64(self.entries.count))
        for entry in self.entries {
            let owner = entry.newOwner ?? ""
            try requireLength(owner, max: WireLimits.maxPrincipalLength, "PURGE new owner")
            guard entry.newOwner != "" else { throw WireError(.unencodable, "PURGE new owner is empty; use nil") }
            buffer.writeBytes(entry.customer.bytes)
            buffer.writeInteger(entry.reason.rawValue)
            buffer.writeLengthPrefixedString(owner)
        }
    }

    init(payload r: inout PayloadReader) throws(WireError) {
        let count = try r.count("entries", limit: WireLimits.maxPurgeEntries)
        var entries: [Entry] = []
        entries.reserveCapacity(count)
        for index in 0..<count {
            let customer = EntityID(bytes: try r.fixed(16, "[\(index)] customer"))!
            let reason = PurgeReason(rawValue: try r.u8("[\(index)] reason"))
            let owner = try r.string("[\(index)] new owner", maxLength: WireLimits.maxPrincipalLength)
            entries.append(Entry(customer: customer, reason: reason, newOwner: owner.isEmpty ? nil : owner))
        }
        self.entries = entries
    }
}
