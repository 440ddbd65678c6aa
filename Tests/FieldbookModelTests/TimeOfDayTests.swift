import FieldbookModel
import Testing

/// Appointment times (`task … at=14:30`, issue 18).
@Suite("Times of day")
struct TimeOfDayTests {
    @Test(arguments: [
        ("14:30", "14:30"), ("9:05", "09:05"), ("09:05", "09:05"), ("14：30", "14:30"), ("1430", "14:30"),
        ("14点", "14:00"), ("14点30", "14:30"), ("14点半", "14:30"), ("9点5分", "09:05"), ("下午2点", "14:00"),
        ("下午2点半", "14:30"), ("上午10:15", "10:15"), ("晚上8点", "20:00"), ("上午12点", "00:00"), ("中午12点", "12:00"),
        ("0:00", "00:00"), ("23:59", "23:59"),
    ])
    func reads(typed: String, stored: String) throws {
        #expect(try TimeOfDay.parse(typed).text == stored)
    }

    @Test(arguments: ["24:00", "12:60", "abc", "", "14:3", "下午13点", "1:2:3", "99点", "12345"])
    func refuses(typed: String) {
        #expect(throws: ModelError.self) { try TimeOfDay.parse(typed) }
    }

    @Test func theFieldStoresText() throws {
        let at = try Schema.field(named: "at", for: .task)
        let today = Day(year: 2026, month: 11, day: 23)!
        #expect(try at.parse("下午3点", today: today) == .text("15:00"))
        #expect(at.accepts(.text("15:00")) && !at.accepts(.text("3pm")) && !at.accepts(.int(900)))
        let place = try Schema.field(named: "where", for: .task)
        #expect(try place.parse("上门", today: today) == AppointmentPlace.home.value)
        #expect(try place.parse("branch", today: today) == AppointmentPlace.branch.value)
        #expect(AppointmentPlace.home.label == "上门" && AppointmentPlace.branch.label == "网点")
        #expect(throws: ModelError.self) { try place.parse("公园", today: today) }
        #expect(TimeOfDay(.text("09:05"))?.minutes == 545 && TimeOfDay(.text("9:05")) == nil)
    }
}
