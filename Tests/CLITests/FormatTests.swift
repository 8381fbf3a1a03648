@testable import RegistryCLI
import Testing

@Suite struct FormatTests {
    @Test(arguments: [(0, "0 B"), (1023, "1023 B"), (1024, "1.0 KiB"), (1536, "1.5 KiB"), (5_000_000, "4.8 MiB"), (1 << 30, "1.0 GiB")] as [(Int64, String)])
    func bytesUseBinaryUnitsWithOneDecimal(_ count: Int64, _ text: String) {
        #expect(Format.bytes(count) == text)
    }

    @Test(arguments: [(0.91, "0.91"), (0.789271, "0.7893"), (12.0, "12"), (1234.5678, "1235"), (0.00012345, "0.0001235"), (-0.5407, "-0.5407"), (1.5e-7, "1.5e-07")] as [(Double, String)])
    func metricsShowFourSignificantDigits(_ value: Double, _ text: String) {
        #expect(Format.metric(value) == text)
    }
}
