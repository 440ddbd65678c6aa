import FieldbookClient
import FieldbookModel
import FieldbookStore
import FieldbookSync

/// One device of a simulation: its book, its enrolment, and the ops it authored (which must all reach the centre).
final class SimulatedDevice {
    /// The device's position in the world's list (kept by a fresh book that replaces it).
    let index: Int
    /// How many books had replaced devices when this one was enrolled (0 for the first ones).
    let generation: UInt64
    /// The book.
    let book: Book
    /// The enrolment.
    let token: EnrolmentToken
    /// The IDs of every op this book authored, in order.
    var authored: [OpID] = []

    init(index: Int, generation: UInt64, book: Book, token: EnrolmentToken) {
        self.index = index
        self.generation = generation
        self.book = book
        self.token = token
    }

    /// The principal the book belongs to.
    var principal: String { book.principal }

    /// The book as a client session sees it.
    var replica: DeviceBook { DeviceBook(book: book) }

    /// `device 2 (M002)`, or `device 2#5 (M002)` for a fresh book enrolled after five replacements, for reports.
    var label: String { "device \(index)\(generation == 0 ? "" : "#\(generation)") (\(principal))" }
}
