import FieldbookCentralPostgres
import XCTest

/// `--db postgres://…` parsing: what it accepts, and that a bad URL is refused in words without its password.
final class PostgresLocationTests: XCTestCase {
    func testFullURL() throws {
        let location = try PostgresLocation("postgres://fieldbook:s3cret@10.0.0.7:6543/central?sslmode=require")
        XCTAssertEqual(location.host, "10.0.0.7")
        XCTAssertEqual(location.port, 6543)
        XCTAssertEqual(location.user, "fieldbook")
        XCTAssertEqual(location.database, "central")
        XCTAssertEqual(location.sslMode, "require")
        XCTAssertEqual(location.description, "postgres://fieldbook@10.0.0.7:6543/central")
        XCTAssertFalse(location.description.contains("s3cret"))
    }

    func testDefaults() throws {
        let location = try PostgresLocation("postgresql://fb@localhost/central")
        XCTAssertEqual(location.port, 5432)
        XCTAssertEqual(location.sslMode, "disable")
    }

    func testRefusals() {
        for bad in [
            "postgres://", "postgres://host/db", "postgres://u@/db", "postgres://u@h:5432/", "mysql://u@h/db",
            "postgres://u:pw@h/db?sslmode=verify-full",
        ] {
            XCTAssertThrowsError(try PostgresLocation(bad), bad) { error in
                XCTAssertFalse("\(error)".contains("pw"), bad)
            }
        }
    }
}
