import FieldbookModel

extension OverlapReport {
    /// The overlap report's arithmetic, once for every store: a store feeds it the live contacts it reads, then the
    /// master-file records of the customers it names, and gets the report.
    ///
    /// ```swift
    /// var builder = try OverlapReport.Builder(days: 30, endingOn: today, offsetSeconds: offset)
    /// for contact in contacts { builder.add(contact) }
    /// let report = builder.report(customers: records(of: builder.overlapping))
    /// ```
    public struct Builder: Sendable {
        /// The first day of the window (inclusive).
        public let from: Day
        /// The last day of the window (inclusive).
        public let to: Day
        private let offsetSeconds: Int
        private var seen: [EntityID: Seen] = [:]

        /// What the window holds of one customer's contacts.
        private struct Seen: Sendable {
            var contacts = 0
            var channels = Set<String>()
            var principals = Set<String>()
            var first: Day
            var last: Day
        }

        /// Starts a report over the `days` days ending `today` (inclusive).
        ///
        /// - Throws: ``CentralError`` for a window outside 1 to 3660 days.
        public init(days: Int, endingOn today: Day, offsetSeconds: Int) throws {
            guard days >= 1, days <= 3660 else { throw CentralError("--days 应为 1 到 3660 之间的天数") }
            self.to = today
            self.from = today.adding(days: -(days - 1))
            self.offsetSeconds = offsetSeconds
        }

        /// Counts a live contact when its day falls in the window and it belongs to a customer. The principal who
        /// made it is the channel; its contact type is shown, not counted.
        public mutating func add(_ contact: ReportEvent) {
            let day = contact.day(offsetSeconds: offsetSeconds)
            guard from <= day, day <= to, let customer = contact.customer else { return }
            var entry = seen[customer] ?? Seen(first: day, last: day)
            entry.contacts += 1
            if let channel = contact.values[Schema.F.channel]?.text { entry.channels.insert(channel) }
            entry.principals.insert(contact.author)
            entry.first = min(entry.first, day)
            entry.last = max(entry.last, day)
            seen[customer] = entry
        }

        /// The customers contacted by more than one principal: those whose records
        /// ``report(customers:)`` needs.
        public var overlapping: [EntityID] { seen.filter { $0.value.principals.count > 1 }.map(\.key) }

        /// The report: each of ``overlapping`` that `customers` holds and is not archived; most principals first,
        /// then most contact types, then most contacts, then by ID.
        ///
        /// - Parameter customers: The master-file records of (at least) the ``overlapping`` customers, in any order.
        public func report(customers records: [CentralCustomer]) -> OverlapReport {
            var customers: [OverlapReport.Customer] = []
            for record in records where !record.archived {
                guard let entry = seen[record.id], entry.principals.count > 1 else { continue }
                customers.append(
                    OverlapReport.Customer(
                        id: record.id, name: record.name, tier: record.tier, owner: record.owner, contacts: entry.contacts,
                        channels: entry.channels.sorted(), principals: entry.principals.sorted(), first: entry.first,
                        last: entry.last))
            }
            customers.sort {
                ($0.principals.count, $0.channels.count, $0.contacts, $1.id.text)
                    > ($1.principals.count, $1.channels.count, $1.contacts, $0.id.text)
            }
            return OverlapReport(from: from, to: to, customers: customers)
        }
    }
}
