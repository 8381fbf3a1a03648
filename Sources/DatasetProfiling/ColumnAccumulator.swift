import Foundation
import RegistryModel

/// Streams one column's values into bounded-memory statistics.
///
/// Every value updates the counts and a HyperLogLog; numbers update exact moments (Welford) and
/// a fixed-size reservoir sample; text updates a Misra-Gries table of the most frequent values.
/// Memory per column is constant: 2 KiB of registers, 1,024 sampled numbers, 256 counters.
struct ColumnAccumulator {
    static let sampleSize = 1024
    static let counters = 256
    static let topValues = 20
    static let numericShare = 0.95

    var name: String
    var missing: Int64 = 0
    var present: Int64 = 0
    var integers: Int64 = 0
    var numbers: Int64 = 0
    var booleans: Int64 = 0
    var nonNumericExamples: [String] = []
    /// Sums of values shifted by the first value (shifting keeps the variance formula stable
    /// without Welford's division per value).
    private var shift = 0.0
    private var shiftedSum = 0.0
    private var shiftedSquares = 0.0
    private var minimum = Double.infinity
    private var maximum = -Double.infinity
    private var sample: [Double] = []
    private var random: SplitMix64
    /// Algorithm L: the number of the next value that enters the full reservoir, and its weight.
    private var nextReplacement: Int64 = 0
    private var reservoirWeight = 1.0
    private let distinct = HyperLogLog()
    private var frequent = FrequentValues(capacity: counters)
    var invalidUTF8: Int64 = 0

    init(name: String, seed: UInt64) {
        self.name = name
        random = SplitMix64(seed: seed)
    }

    /// The tokens that mean "no value" in the files data tools write.
    static func isMissingMarker(_ bytes: UnsafeRawBufferPointer) -> Bool {
        switch bytes.count {
        case 0: return true
        case 2: return bytes[0] == UInt8(ascii: "N") && bytes[1] == UInt8(ascii: "A")
        case 3:
            let text = (bytes[0], bytes[1], bytes[2])
            return text == (0x4E, 0x2F, 0x41) /* N/A */ || text == (0x4E, 0x61, 0x4E) /* NaN */ || text == (0x6E, 0x61, 0x6E) /* nan */
        case 4:
            let text = (bytes[0], bytes[1], bytes[2], bytes[3])
            return text == (0x6E, 0x75, 0x6C, 0x6C) /* null */ || text == (0x4E, 0x55, 0x4C, 0x4C) /* NULL */
                || text == (0x4E, 0x6F, 0x6E, 0x65) /* None */
        default: return false
        }
    }

    mutating func addMissing() {
        missing += 1
    }

    /// Adds a present value given as raw bytes (a CSV field, a JSON string or number).
    mutating func add(_ bytes: UnsafeRawBufferPointer, isText: Bool = false) {
        if Self.isMissingMarker(bytes) {
            missing += 1
            return
        }
        present += 1
        if !isText, let parsed = NumberParsing.parse(bytes) {
            // Numbers count as distinct by value, so `1`, `1.0` and `1e0` are one value.
            let value: Double
            switch parsed {
            case .integer(let integer):
                integers += 1
                value = Double(integer)
            case .number(let number):
                value = number
            }
            addNumber(value)
            distinct.add(hash: mix64((value + 0).bitPattern))   // + 0 folds -0 into 0
            return
        }
        distinct.add(hash: hash64(bytes))
        if Self.isBoolean(bytes) { booleans += 1 }
        if nonNumericExamples.count < 5, frequent.count(of: bytes) == 0 {
            var counted: Int64 = 0   // counted once, by the frequent-values table below
            nonNumericExamples.append(Self.text(bytes, invalid: &counted))
        }
        frequent.add(bytes, invalid: &invalidUTF8)
    }

    private mutating func addNumber(_ value: Double) {
        if numbers == 0 { shift = value }
        numbers += 1
        let shifted = value - shift
        shiftedSum += shifted
        shiftedSquares += shifted * shifted
        if value < minimum { minimum = value }
        if value > maximum { maximum = value }
        if sample.count < Self.sampleSize {
            sample.append(value)
            if sample.count == Self.sampleSize { scheduleReplacement() }
        } else if numbers == nextReplacement {
            sample[Int(random.next() % UInt64(Self.sampleSize))] = value
            scheduleReplacement()
        }
    }

    /// Li's Algorithm L: instead of a random draw per value, draw how many values to skip before
    /// the next one enters the reservoir (the same distribution as Algorithm R, far fewer draws).
    private mutating func scheduleReplacement() {
        reservoirWeight *= exp(log(random.unit()) / Double(Self.sampleSize))
        let skip = (log(random.unit()) / log(1 - reservoirWeight)).rounded(.down)
        nextReplacement = numbers + 1 + (skip.isFinite && skip < 1e15 ? Int64(skip) : Int64(1e15))
    }

    private var mean: Double { numbers == 0 ? 0 : shift + shiftedSum / Double(numbers) }

    private var variance: Double {
        guard numbers > 1 else { return 0 }
        let n = Double(numbers)
        return max(0, (shiftedSquares - shiftedSum * shiftedSum / n) / (n - 1))
    }

    static func isBoolean(_ bytes: UnsafeRawBufferPointer) -> Bool {
        func matches(_ word: StaticString) -> Bool {
            guard bytes.count == word.utf8CodeUnitCount else { return false }
            for offset in 0..<bytes.count where bytes[offset] | 0x20 != word.utf8Start[offset] { return false }
            return true
        }
        return matches("true") || matches("false")
    }

    static func text(_ bytes: UnsafeRawBufferPointer, invalid: inout Int64) -> String {
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        invalid += 1
        return String(decoding: bytes, as: UTF8.self)
    }

    func profile() -> ColumnProfile {
        let nonNumeric = present - numbers
        let kind: ColumnProfile.Kind
        if present == 0 {
            kind = .empty
        } else if booleans == present {
            kind = .boolean
        } else if Double(numbers) >= Self.numericShare * Double(present) {
            kind = integers == numbers ? .integer : .number
        } else {
            kind = .string
        }
        let isNumeric = kind == .integer || kind == .number
        var summary: NumericSummary?
        if isNumeric {
            let sorted = sample.sorted()
            summary = NumericSummary(
                min: minimum, max: maximum, mean: mean, std: variance.squareRoot(),
                quantiles: stride(from: 0, through: 100, by: 5).map { Percentile.of(sorted, Double($0) / 100) }, sample: sorted)
        }
        return ColumnProfile(
            name: name, type: kind, count: present, missing: missing, distinctEstimate: distinct.estimate,
            numeric: summary, nonNumeric: isNumeric ? nonNumeric : 0, nonNumericExamples: isNumeric ? nonNumericExamples : [],
            top: isNumeric ? [] : frequent.top(Self.topValues))
    }
}

/// MurmurHash3's 64-bit finaliser: spreads a number's bits over the whole word.
@inline(__always)
func mix64(_ value: UInt64) -> UInt64 {
    var hash = value ^ (value >> 33)
    hash = hash &* 0xFF51_AFD7_ED55_8CCD
    hash ^= hash >> 33
    hash = hash &* 0xC4CE_B9FE_1A85_EC53
    return hash ^ (hash >> 33)
}

/// A 64-bit hash for sketches (not for security): eight bytes per step, then MurmurHash3's
/// finaliser, so equal bytes hash equally and every input bit reaches every output bit.
func hash64(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
    var hash: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
    var offset = 0
    while offset + 8 <= bytes.count {
        let word = bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
        hash = (hash ^ word) &* 0xFF51_AFD7_ED55_8CCD
        hash ^= hash >> 29
        offset += 8
    }
    var tail: UInt64 = 0
    var shift: UInt64 = 0
    while offset < bytes.count {
        tail |= UInt64(bytes[offset]) << shift
        shift += 8
        offset += 1
    }
    hash = (hash ^ tail) &* 0xC4CE_B9FE_1A85_EC53
    hash ^= hash >> 33
    hash = hash &* 0xFF51_AFD7_ED55_8CCD
    hash ^= hash >> 33
    return hash
}

/// HyperLogLog with 2^11 registers (Flajolet et al., with linear counting for small sets).
///
/// The registers live in one allocation owned by a class, so updating them costs no
/// copy-on-write check per value. A copy of the struct shares them: accumulators are never
/// copied while they are being filled.
struct HyperLogLog {
    private static let bits = 11

    private final class Registers {
        let pointer = UnsafeMutablePointer<UInt8>.allocate(capacity: 1 << HyperLogLog.bits)
        init() { pointer.initialize(repeating: 0, count: 1 << HyperLogLog.bits) }
        deinit { pointer.deallocate() }
    }

    private let registers = Registers()

    func add(hash: UInt64) {
        let index = Int(hash >> UInt64(64 - Self.bits))
        let rank = UInt8(min((hash << UInt64(Self.bits)).leadingZeroBitCount + 1, 64 - Self.bits + 1))
        if rank > registers.pointer[index] { registers.pointer[index] = rank }
    }

    var estimate: Int64 {
        let m = Double(1 << Self.bits)
        var sum = 0.0
        var zeros = 0
        for register in UnsafeBufferPointer(start: registers.pointer, count: 1 << Self.bits) {
            sum += 1 / Double(UInt64(1) << UInt64(register))
            if register == 0 { zeros += 1 }
        }
        let raw = 0.7213 / (1 + 1.079 / m) * m * m / sum
        if raw <= 2.5 * m, zeros > 0 { return Int64((m * log(m / Double(zeros))).rounded()) }
        return Int64(raw.rounded())
    }
}

/// Misra-Gries frequent items: the most frequent values in fixed memory, in amortised constant
/// time per value. Exact while there are no more distinct values than counters; beyond, each
/// count is low by at most n / (capacity + 1).
struct FrequentValues {
    /// An open-addressing table keyed by the values' 64-bit hashes (already well mixed, so no
    /// second hash as `Dictionary` would compute); key 0 marks an empty slot.
    private var keys: [UInt64]
    private var counts: [Int64]
    private var texts: [String]
    private let capacity: Int
    private var used = 0

    init(capacity: Int) {
        self.capacity = capacity
        let slots = 1 << (Int.bitWidth - (capacity * 2 - 1).leadingZeroBitCount)
        keys = Array(repeating: 0, count: slots)
        counts = Array(repeating: 0, count: slots)
        texts = Array(repeating: "", count: slots)
    }

    private func slot(for key: UInt64) -> Int {
        let mask = keys.count - 1
        var index = Int(truncatingIfNeeded: key) & mask
        while keys[index] != 0 && keys[index] != key { index = (index + 1) & mask }
        return index
    }

    private static func key(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        hash64(bytes) | 1
    }

    func count(of bytes: UnsafeRawBufferPointer) -> Int64 {
        let index = slot(for: Self.key(bytes))
        return keys[index] == 0 ? 0 : counts[index]
    }

    mutating func add(_ bytes: UnsafeRawBufferPointer, invalid: inout Int64) {
        let key = Self.key(bytes)
        let index = slot(for: key)
        if keys[index] == key {
            counts[index] += 1
        } else if used < capacity {
            keys[index] = key
            counts[index] = 1
            texts[index] = ColumnAccumulator.text(bytes, invalid: &invalid)
            used += 1
        } else {
            // Every counter pays one for the newcomer; those reaching zero make room.
            var survivors = [(UInt64, Int64, String)]()
            for slot in keys.indices where keys[slot] != 0 && counts[slot] > 1 {
                survivors.append((keys[slot], counts[slot] - 1, texts[slot]))
            }
            for slot in keys.indices {
                keys[slot] = 0
                texts[slot] = ""
            }
            used = 0
            for (key, count, text) in survivors {
                let index = slot(for: key)
                keys[index] = key
                counts[index] = count
                texts[index] = text
                used += 1
            }
        }
    }

    func top(_ limit: Int) -> [ValueCount] {
        keys.indices.filter { keys[$0] != 0 }
            .map { ValueCount(value: texts[$0], count: counts[$0]) }
            .sorted { $0.count != $1.count ? $0.count > $1.count : $0.value < $1.value }
            .prefix(limit).map { $0 }
    }
}
