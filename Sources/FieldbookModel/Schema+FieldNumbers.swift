extension Schema {
    /// The field numbers that code names directly: the one table of field IDs beside ``Schema/fields``.
    ///
    /// Each constant is the number of the field of that name in ``Schema/fields`` (a test checks every one), so a
    /// field is found by name once, here, and code never spells a number. Numbers never change.
    ///
    /// ```swift
    /// let amount = purchase.value(Schema.F.amount)?.integer   // fen
    /// ```
    public enum F {
        // Customer identity and profile.
        /// `name`: a customer's, family member's or product's name.
        public static let name = FieldID(rawValue: 1)
        /// `phone`: a phone number (sensitive).
        public static let phone = FieldID(rawValue: 2)
        /// `id_number`: a resident ID number (sensitive).
        public static let idNumber = FieldID(rawValue: 3)
        /// `address` (sensitive).
        public static let address = FieldID(rawValue: 4)
        /// `birthday`.
        public static let birthday = FieldID(rawValue: 5)
        /// `gender`: 男 or 女.
        public static let gender = FieldID(rawValue: 6)
        /// `region`.
        public static let region = FieldID(rawValue: 7)
        /// `occupation`.
        public static let occupation = FieldID(rawValue: 8)
        /// `education`.
        public static let education = FieldID(rawValue: 9)
        /// `income`, in fen.
        public static let income = FieldID(rawValue: 10)
        /// `aum`: assets under management, in fen.
        public static let aum = FieldID(rawValue: 11)
        /// `tier`: a ``Tier``.
        public static let tier = FieldID(rawValue: 12)
        /// `familiarity`: `A` `B` `C`.
        public static let familiarity = FieldID(rawValue: 13)
        /// `group`: a ``CustomerGroup``.
        public static let group = FieldID(rawValue: 14)
        /// `stage`: a ``RelationshipStage``.
        public static let stage = FieldID(rawValue: 15)
        /// `risk` of a customer: the risk assessment `C1`–`C5`.
        public static let customerRisk = FieldID(rawValue: 16)
        /// `risk_date`: the day of the customer's risk assessment.
        public static let riskDate = FieldID(rawValue: 17)
        /// `contact_time`: when the customer prefers to be contacted.
        public static let contactTime = FieldID(rawValue: 18)
        /// `note`.
        public static let note = FieldID(rawValue: 19)
        /// `owner`: the owning manager's code (written by the centre).
        public static let owner = FieldID(rawValue: 20)
        /// `archived`.
        public static let archived = FieldID(rawValue: 21)
        /// `tags`: an add-wins set.
        public static let tags = FieldID(rawValue: 22)
        /// `cocoverers`: the co-covering advisors, an add-wins set (written by the centre).
        public static let cocoverers = FieldID(rawValue: 23)
        // Family members.
        /// `relation`: a family member's relation to the customer.
        public static let relation = FieldID(rawValue: 30)
        // Purchases, movements, products.
        /// `product`: the product code of a purchase.
        public static let product = FieldID(rawValue: 40)
        /// `amount`: money of a purchase or a movement (a movement's is signed).
        public static let amount = FieldID(rawValue: 41)
        /// `price`: a purchase price, or a product's latest price.
        public static let price = FieldID(rawValue: 42)
        /// `date`: the day of a purchase, movement, contact, work-log entry or complaint.
        public static let date = FieldID(rawValue: 43)
        /// `expected`: the expected return of a purchase, in basis points.
        public static let expected = FieldID(rawValue: 44)
        /// `take_profit`: the take-profit line of a purchase, in basis points.
        public static let takeProfit = FieldID(rawValue: 45)
        /// `stop_loss`: the stop-loss line of a purchase, in basis points (stored negative).
        public static let stopLoss = FieldID(rawValue: 46)
        /// `matures`: the maturity day of a purchase.
        public static let matures = FieldID(rawValue: 47)
        /// `warning`: the suitability warning recorded with a purchase.
        public static let warning = FieldID(rawValue: 48)
        // Contacts.
        /// `channel`: a ``ContactChannel``.
        public static let channel = FieldID(rawValue: 50)
        /// `text`: what a contact, task, complaint or work-log entry says.
        public static let text = FieldID(rawValue: 51)
        /// `outcome` of a contact.
        public static let outcome = FieldID(rawValue: 52)
        /// `next`: the follow-up day of a contact.
        public static let next = FieldID(rawValue: 53)
        // Tasks.
        /// `due`: a task's day.
        public static let due = FieldID(rawValue: 60)
        /// `done`: whether a task is done.
        public static let done = FieldID(rawValue: 61)
        /// `at`: the time of an appointment (a task), `HH:MM` text (``TimeOfDay``).
        public static let at = FieldID(rawValue: 62)
        /// `where`: the place of an appointment, an ``AppointmentPlace``.
        public static let place = FieldID(rawValue: 63)
        // Complaints.
        /// `status`: a ``ComplaintStatus``.
        public static let status = FieldID(rawValue: 70)
        /// `resolution` of a complaint.
        public static let resolution = FieldID(rawValue: 71)
        // Products.
        /// `code`: a product's code.
        public static let code = FieldID(rawValue: 80)
        /// `risk` of a product: its risk level `R1`–`R5`.
        public static let productRisk = FieldID(rawValue: 81)
        /// `kind`: a product's kind (free text: 理财, 基金, 保险 …).
        public static let kind = FieldID(rawValue: 82)
        /// `price_date`: the day of a product's latest price.
        public static let priceDate = FieldID(rawValue: 83)
        /// `prices`: a product's price history, a set of `YYYY-MM-DD=price` elements.
        public static let prices = FieldID(rawValue: 84)
        // Work log.
        /// `customer`: the customer (entity ID text) of a plan entry in the work log.
        public static let customer = FieldID(rawValue: 90)
        /// `entry`: a ``WorkLogEntryKind``.
        public static let entry = FieldID(rawValue: 91)
    }
}
