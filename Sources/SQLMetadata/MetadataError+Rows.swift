import Foundation
import RegistryModel
import RegistryStorage

extension MetadataError {
    /// The error a row that mreg could not have written becomes, whatever the engine: a stored
    /// document that does not parse, a name that is not valid, a value of the wrong kind. Nil for
    /// errors that are the engine's own.
    public static func fromRows(_ error: any Error) -> MetadataError? {
        switch error {
        case let error as MetadataError: error
        case let error as DatabaseCorruption: .corrupt(problem: error.problem)
        case let error as JSONParseError: .corrupt(problem: "a stored JSON document does not parse (\(error.description))")
        case let error as DecodingError: .corrupt(problem: "a stored JSON document does not decode (\(describe(error)))")
        case let error as NameError: .corrupt(problem: "a stored name is invalid: \(error.description)")
        default: nil
        }
    }

    /// The gist of a decoding failure without Swift's type dump.
    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .dataCorrupted(let context), .keyNotFound(_, let context), .typeMismatch(_, let context), .valueNotFound(_, let context):
            context.underlyingError.map { "\($0.localizedDescription)" } ?? context.debugDescription
        @unknown default: "\(error)"
        }
    }
}
